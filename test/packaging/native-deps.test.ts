import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNativeDeps } from './native-deps';

const MODULES = resolve(__dirname, '..', '..', 'node_modules');
const read = (p: string) => readNativeDeps(readFileSync(join(MODULES, p)), p);

// expected values as `readelf -d` prints them for these files
test('ELF: the needed libraries and run paths of the installed linux-x64 binaries', () => {
  assert.deepEqual(read('onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'), {
    needed: ['libonnxruntime.so.1', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6'],
    searchPaths: ['$ORIGIN/'],
  });
  const sharp = read('@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node');
  assert.equal(sharp.needed[0], 'libvips-cpp.so.8.18.7');
  assert.equal(sharp.searchPaths[0], '$ORIGIN/../../sharp-libvips-linux-x64/lib');
  assert.equal(sharp.searchPaths.length, 5);
});

test("Mach-O: the darwin-arm64 binding loads libonnxruntime.1.dylib through @rpath = its own folder", () => {
  const deps = read('onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node');
  assert.ok(deps.needed.includes('@rpath/libonnxruntime.1.dylib'), deps.needed.join(', '));
  assert.ok(deps.needed.some((n) => n.startsWith('/usr/lib/')), 'no system library');
  assert.deepEqual(deps.searchPaths, ['@loader_path']);
});

test('PE and text are refused with the file named', () => {
  assert.throws(() => read('onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node'), /win32\/x64\/onnxruntime_binding\.node: neither ELF/);
  assert.throws(() => readNativeDeps(Buffer.from('#!/bin/sh\n'.padEnd(80)), 'run.sh'), /run\.sh: neither ELF/);
});
