// Builds the five platform VSIXs with `npm run package`'s script and checks what each one holds:
// its platform's native binaries and no other's (by path and by ELF / Mach-O / PE header), the bundles,
// the models, every module the bundles require, the README's images, and the sizes the README states.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { readNativeDeps } from './native-deps';
import { readNativeHeader, type NativeFormat } from './native-header';
import { readZip, type ZipEntry } from './zip';

const ROOT = resolve(__dirname, '..', '..');
const TARGETS: Record<string, { platform: string; arch: string; format: NativeFormat }> = {
  'linux-x64': { platform: 'linux', arch: 'x64', format: 'elf' },
  'linux-arm64': { platform: 'linux', arch: 'arm64', format: 'elf' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64', format: 'mach-o' },
  'darwin-x64': { platform: 'darwin', arch: 'x64', format: 'mach-o' },
  'win32-x64': { platform: 'win32', arch: 'x64', format: 'pe' },
};
const NATIVE_NAME = /\.(node|so(\.\d+)*|dylib|dll|exe)$/;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir = '';
const vsixes = new Map<string, Map<string, ZipEntry>>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lt-vsix-'));
  const r = spawnSync(process.execPath, ['scripts/package.mjs', '--out', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `scripts/package.mjs failed:\n${r.stdout}${r.stderr}`);
  for (const target of Object.keys(TARGETS)) vsixes.set(target, readZip(join(dir, `latent-trace-${target}.vsix`)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Paths (relative to the extension folder) of a VSIX's extension files. */
const extensionFiles = (zip: Map<string, ZipEntry>) =>
  [...zip.keys()].filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));

/** Where a target's native binaries may live inside the extension folder. */
const nativeDirs = (target: string) => {
  const { platform, arch } = TARGETS[target];
  return [`node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/`, `node_modules/@img/sharp-${target}/`, `node_modules/@img/sharp-libvips-${target}/`];
};

test('each VSIX targets its platform, at the package version, and runs on the workspace side', () => {
  for (const [target, zip] of vsixes) {
    const xml = zip.get('extension.vsixmanifest')!.read().toString('utf8');
    assert.match(xml, new RegExp(`<Identity [^>]*Version="${manifest.version}"[^>]*TargetPlatform="${target}"`), target);
    const pkg = JSON.parse(zip.get('extension/package.json')!.read().toString('utf8'));
    assert.equal(pkg.version, manifest.version, target);
    assert.deepEqual(pkg.extensionKind, ['workspace'], target);
  }
});

test("each VSIX holds its platform's native binaries and no other platform's, by path and by header", () => {
  for (const [target, zip] of vsixes) {
    const { format, arch } = TARGETS[target];
    const natives: string[] = [];
    for (const file of extensionFiles(zip)) {
      const header = readNativeHeader(zip.get(`extension/${file}`)!.read().subarray(0, 4096));
      if (!header && !NATIVE_NAME.test(file)) continue;
      natives.push(file);
      assert.deepEqual(header, { format, arch }, `${target}: ${file}`);
      assert.ok(nativeDirs(target).some((d) => file.startsWith(d)), `${target}: ${file} is outside its platform's folders`);
    }
    for (const other of Object.keys(TARGETS).filter((t) => t !== target)) {
      const foreign = extensionFiles(zip).filter((f) => nativeDirs(other).some((d) => f.startsWith(d)));
      assert.deepEqual(foreign, [], `${target} holds ${other}'s files`);
    }
    const { platform } = TARGETS[target];
    const sharpVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'sharp', 'package.json'), 'utf8')).version;
    const required = [
      `node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/onnxruntime_binding.node`,
      `node_modules/@img/sharp-${target}/lib/sharp-${target}-${sharpVersion}.node`,
    ];
    for (const r of required) assert.ok(natives.includes(r), `${target}: ${r} is missing`);
    assert.ok(natives.some((f) => /onnxruntime\.dll$|libonnxruntime[^/]*\.(so\.\d+|dylib)$/.test(f)), `${target}: no onnxruntime library`);
    assert.ok(natives.some((f) => /\/libvips[^/]*\.(so[.\d]*|dylib|dll)$/.test(f)), `${target}: no libvips`);
  }
});

test('each Linux and macOS binary finds, on its own search path, every library packaged with it', () => {
  for (const [target, zip] of vsixes) {
    const { format } = TARGETS[target];
    if (format === 'pe') continue;
    const files = new Set(extensionFiles(zip));
    const packagedNames = new Set([...files].map((f) => posix.basename(f)));
    let checked = 0;
    for (const file of files) {
      const bytes = zip.get(`extension/${file}`)!.read();
      if (!readNativeHeader(bytes.subarray(0, 4096))) continue;
      const { needed, searchPaths } = readNativeDeps(bytes, `${target}: ${file}`);
      const here = posix.dirname(file);
      const expand = (p: string) => posix.normalize(p.replace(/^(\$ORIGIN|@loader_path)/, here));
      for (const lib of needed) {
        // not packaged: the system's (libc, libstdc++, /usr/lib/libSystem)
        if (format === 'elf' ? !packagedNames.has(lib) : !lib.startsWith('@')) continue;
        const candidates = format === 'mach-o' && !lib.startsWith('@rpath/')
          ? [expand(lib)]
          : searchPaths.map((p) => posix.join(expand(p), lib.replace(/^@rpath\//, '')));
        assert.ok(candidates.some((c) => files.has(c)), `${target}: ${file} loads ${lib}, not found in ${candidates.join(', ') || '(no search path)'}`);
        checked++;
      }
    }
    // the onnxruntime binding loads libonnxruntime, sharp's module loads libvips
    assert.ok(checked >= 2, `${target}: only ${checked} packaged libraries are loaded by name`);
  }
});

test('each VSIX holds the bundles, every bundled model file and every module the bundles require', () => {
  const modelFiles: Array<[string, number]> = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else modelFiles.push([relative(ROOT, p).split('\\').join('/'), statSync(p).size]);
    }
  };
  walk(join(ROOT, 'models'));
  assert.ok(modelFiles.some(([f]) => f.endsWith('/latent-trace.json')), 'no model bundle under models/');
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'vscode']);
  for (const [target, zip] of vsixes) {
    for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/dataset-worker.js', 'dist/webview/main.js']) {
      assert.ok(zip.has(`extension/${f}`), `${target}: ${f} is missing`);
    }
    for (const [f, size] of modelFiles) assert.equal(zip.get(`extension/${f}`)?.size, size, `${target}: ${f}`);
    for (const bundle of ['dist/extension.js', 'dist/cli.js', 'dist/dataset-worker.js']) {
      const js = zip.get(`extension/${bundle}`)!.read().toString('utf8');
      for (const [, spec] of js.matchAll(/(?<![\w.$])require\("([^"./][^"]*)"\)/g)) {
        if (builtins.has(spec)) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        assert.ok(zip.has(`extension/node_modules/${pkg}/package.json`), `${target}: ${bundle} requires ${spec}, not packaged`);
      }
    }
  }
});

test("the marketplace page's images, icon and changelog come from the VSIX", () => {
  for (const [target, zip] of vsixes) {
    const readme = zip.get('extension/readme.md')!.read().toString('utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length > 0, 'the README shows no image');
    for (const src of images) {
      assert.doesNotMatch(src, /^[a-z]+:/i, `${target}: README image ${src} is not relative`);
      assert.ok(zip.has(`extension/${src}`), `${target}: README image ${src} is not in the VSIX`);
    }
    const pkg = JSON.parse(zip.get('extension/package.json')!.read().toString('utf8'));
    assert.ok(zip.has(`extension/${pkg.icon}`), `${target}: icon ${pkg.icon}`);
    assert.ok(zip.has('extension/changelog.md'), `${target}: changelog`);
  }
});

test("the README states each VSIX's size (within 10%)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const target of Object.keys(TARGETS)) {
    const row = readme.split('\n').find((l) => l.startsWith('|') && l.includes(`latent-trace-${target}.vsix`));
    assert.ok(row, `README: no size row for latent-trace-${target}.vsix`);
    const stated = Number(/\| (\d+(?:\.\d+)?) MiB \|/.exec(row)?.[1]);
    // MiB, as vsce prints them
    const actual = statSync(join(dir, `latent-trace-${target}.vsix`)).size / 2 ** 20;
    assert.ok(Math.abs(stated - actual) <= 0.1 * actual, `README says ${stated} MiB for ${target}, it is ${actual.toFixed(1)} MiB`);
  }
});

/** A VSIX's extension folder on disk. */
function unpack(target: string): string {
  const ext = join(dir, `unpacked-${target}`);
  for (const [name, entry] of vsixes.get(target)!) {
    if (!name.startsWith('extension/')) continue;
    const to = join(ext, name.slice('extension/'.length));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, entry.read());
  }
  return ext;
}

function runJson(ext: string, sample: { image: string; question: string }) {
  const image = join(ROOT, 'media', 'samples', sample.image);
  const r = spawnSync(process.execPath, [join(ext, 'dist', 'cli.js'), 'run', image, '--question', sample.question, '--json'], {
    encoding: 'utf8', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  assert.equal(r.status, 0, `${ext}: latent-trace run failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { answer: string; steps: Array<{ window: unknown; saliency: number[] }> };
}

test("darwin-x64's onnxruntime-node (an older release) runs the bundled model like the others' do", () => {
  // No Intel Mac here: its VSIX's JavaScript and onnxruntime version run with that same release's
  // linux-x64 binary (from the tarball the packaging script fetched) and this machine's sharp.
  const darwin = unpack('darwin-x64');
  const ortVersion = JSON.parse(readFileSync(join(darwin, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
  const tgz = join(ROOT, '.cache', 'natives', `onnxruntime-node-${ortVersion}.tgz`);
  const tar = spawnSync('tar', ['xzf', tgz, '-C', dir, 'package/bin/napi-v6/linux/x64'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, `${tgz}: ${tar.stderr}`);
  cpSync(join(dir, 'package', 'bin', 'napi-v6', 'linux'), join(darwin, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux'), { recursive: true });
  for (const p of ['@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64']) {
    cpSync(join(ROOT, 'node_modules', p), join(darwin, 'node_modules', p), { recursive: true });
  }
  const linux = unpack('linux-x64');
  const sample = JSON.parse(readFileSync(join(ROOT, 'media', 'samples', 'samples.jsonl'), 'utf8').split('\n')[0]);
  const a = runJson(linux, sample);
  const b = runJson(darwin, sample);
  assert.equal(b.answer, a.answer);
  assert.equal(b.steps.length, a.steps.length);
  // the same graphs on two onnxruntime releases: float32 kernels may differ in rounding only
  const atol = 1e-5;
  const rtol = 1e-4;
  a.steps.forEach((s, i) => {
    assert.deepEqual(b.steps[i].window, s.window, `step ${i + 1} window`);
    assert.equal(b.steps[i].saliency.length, s.saliency.length);
    s.saliency.forEach((x, j) => {
      const y = b.steps[i].saliency[j];
      assert.ok(Math.abs(x - y) <= atol + rtol * Math.abs(x), `step ${i + 1} saliency[${j}]: ${y} vs ${x}`);
    });
  });
});
