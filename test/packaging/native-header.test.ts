import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNativeHeader } from './native-header';

const ORT_BIN = resolve(__dirname, '..', '..', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');

test('the installed onnxruntime-node binaries are read as the platform and CPU of their folder', () => {
  const cases: Array<[string, string, string]> = [
    ['linux/x64/onnxruntime_binding.node', 'elf', 'x64'],
    ['linux/arm64/onnxruntime_binding.node', 'elf', 'arm64'],
    ['darwin/arm64/onnxruntime_binding.node', 'mach-o', 'arm64'],
    ['win32/x64/onnxruntime_binding.node', 'pe', 'x64'],
    ['win32/arm64/onnxruntime_binding.node', 'pe', 'arm64'],
  ];
  for (const [file, format, arch] of cases) {
    // the first 4 KiB hold every header field read
    const head = readFileSync(join(ORT_BIN, file)).subarray(0, 4096);
    assert.deepEqual(readNativeHeader(head), { format, arch }, file);
  }
});

function fatMachO(cpus: number[]): Buffer {
  const b = Buffer.alloc(8 + cpus.length * 20);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt32BE(cpus.length, 4);
  cpus.forEach((cpu, i) => b.writeUInt32BE(cpu, 8 + i * 20));
  return b;
}

test('a universal Mach-O names every slice; a Java class file (same magic) is not native', () => {
  assert.deepEqual(readNativeHeader(fatMachO([0x01000007, 0x0100000c])), { format: 'mach-o', arch: 'x64+arm64' });
  const javaClass = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41]);
  assert.equal(readNativeHeader(javaClass), undefined);
});

test('other CPUs keep their machine number; text, empty and truncated input are not native', () => {
  const elf = Buffer.alloc(20);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[5] = 1;
  elf.writeUInt16LE(3, 18); // i386
  assert.deepEqual(readNativeHeader(elf), { format: 'elf', arch: 'machine 0x3' });
  const pe = Buffer.alloc(0x48);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x40, 0x3c);
  pe.write('PE\0\0', 0x40, 'latin1');
  pe.writeUInt16LE(0x14c, 0x44); // x86
  assert.deepEqual(readNativeHeader(pe), { format: 'pe', arch: 'machine 0x14c' });
  assert.equal(readNativeHeader(Buffer.from('module.exports = 1;\n')), undefined);
  assert.equal(readNativeHeader(new Uint8Array(0)), undefined);
  assert.equal(readNativeHeader(pe.subarray(0, 0x3f)), undefined);
  const mz = Buffer.from(pe);
  mz.writeUInt32LE(0x1000, 0x3c); // e_lfanew past the end
  assert.equal(readNativeHeader(mz), undefined);
});
