// The CLI as an npm package: `npm pack` (its prepack builds the production bundle), the tarball's file
// list, then an install into an empty folder and `npx latent-trace demo` / `eval` on the bundled model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const ENV = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ORT_DISABLE_TELEMETRY: '1', OMP_WAIT_POLICY: 'PASSIVE' };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let dir = '';
let tarball = '';
let files: string[] = [];
let size = 0;

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lt-npm-'));
  const out = sh(npm, ['pack', '--json', '--pack-destination', dir, '--loglevel=error'], ROOT);
  // prepack's esbuild prints nothing; the JSON report is the whole stdout
  const [report] = JSON.parse(out) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>;
  tarball = join(dir, report.filename);
  files = report.files.map((f) => f.path);
  size = report.size;
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  // prepack left the production bundle in dist/; put the development build (source maps) back
  sh(process.execPath, ['esbuild.mjs'], ROOT);
});

test("the tarball holds only dist/, the bundled models and samples, the docs and the licence, at the README's size", () => {
  const always = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);
  const allowed = (f: string) => always.has(f) || /^dist\/[^/]+\.js$/.test(f) || /^(models|media\/samples|docs)\//.test(f);
  assert.deepEqual(files.filter((f) => !allowed(f)), []);
  for (const f of ['dist/cli.js', 'dist/dataset-worker.js', 'media/samples/samples.jsonl', 'docs/cli.md']) assert.ok(files.includes(f), f);
  const models: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else models.push(relative(ROOT, p).split('\\').join('/'));
    }
  };
  walk(join(ROOT, 'models'));
  assert.deepEqual(models.filter((m) => !files.includes(m)), []);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.notEqual(pkg.private, true, 'a private package cannot be published');
  assert.equal(pkg.bin['latent-trace'], './dist/cli.js');
  const stated = Number(/the licence \((\d+(?:\.\d+)?) MiB\)/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1]);
  assert.ok(Math.abs(stated - size / 2 ** 20) <= 0.1 * (size / 2 ** 20), `README says ${stated} MiB, the tarball is ${(size / 2 ** 20).toFixed(1)} MiB`);
});

test('installed into an empty folder, `npx latent-trace demo` and `eval` run on the bundled model', () => {
  const app = mkdtempSync(join(dir, 'app-'));
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  sh(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  const installed = join(app, 'node_modules', 'latent-trace');
  assert.ok(!existsSync(join(installed, 'src')) && !existsSync(join(installed, 'test')), 'sources were installed');

  const out = join(dir, 'demo-out');
  sh(npx, ['--no-install', 'latent-trace', 'demo', '--out', out], app);
  const traces = readdirSync(out).filter((f) => f.endsWith('.ltrace.json'));
  assert.equal(traces.length, 1, `demo wrote ${readdirSync(out).join(', ')}`);
  const trace = JSON.parse(readFileSync(join(out, traces[0]), 'utf8'));
  assert.equal(trace.format, 'latent-trace/trace');
  assert.equal(trace.model.method, 'lare');
  assert.ok(trace.steps.length >= 1, 'no latent steps');
  assert.ok(readdirSync(out).some((f) => /-step1-saliency\.png$/.test(f)), 'no saliency PNG');

  const samples = join(installed, 'media', 'samples', 'samples.jsonl');
  const report = JSON.parse(sh(npx, ['--no-install', 'latent-trace', 'eval', samples, '--limit', '4', '--json'], app));
  assert.equal(report.kind, 'eval');
  assert.equal(report.n, 4);
  assert.deepEqual(report.errors, []);
  assert.ok(report.accuracy >= 0 && report.accuracy <= 1, `accuracy ${report.accuracy}`);
});
