/**
 * Set-up a new user runs into before anything else: npm's own warnings, the scripts package.json names,
 * the engines of every locked package, and the e2e installer on a machine without Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const NODE_20 = [20, 19, 0];

/** Whether version [major, minor, patch] satisfies an npm engines range of the forms npm packages use. */
function satisfies(version: number[], range: string): boolean {
  const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const parse = (v: string) => v.replace(/^v/, '').split('.').map((x) => (x === 'x' || x === '*' ? 0 : Number(x)));
  return range.split('||').some((alternative) => {
    const parts = alternative.trim().replace(/(>=|<=|>|<|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return parts.every((part) => {
      if (part === '*' || part === 'x') return true;
      const m = /^(>=|<=|>|<|\^|~|=)?(.+)$/.exec(part)!;
      const given = m[2].split('.').length;
      const v = [...parse(m[2]), 0, 0].slice(0, 3);
      switch (m[1]) {
        case '>=': return cmp(version, v) >= 0;
        case '>': return cmp(version, v) > 0;
        case '<=': return cmp(version, v) <= 0;
        case '<': return cmp(version, v) < 0;
        case '^': return version[0] === v[0] && cmp(version, v) >= 0;
        case '~': return version[0] === v[0] && version[1] === v[1] && cmp(version, v) >= 0;
        default: return given === 1 ? version[0] === v[0] : given === 2 ? version[0] === v[0] && version[1] === v[1] : cmp(version, v) === 0;
      }
    });
  });
}

test('the engines range reader agrees with npm on the forms the lock file holds', () => {
  assert.ok(satisfies(NODE_20, '>=20'));
  assert.ok(!satisfies(NODE_20, '>= 22'));
  assert.ok(satisfies(NODE_20, '18 || 20 || >=22'));
  assert.ok(satisfies(NODE_20, '^20.19.0 || ^22.13.0 || >=24'));
  assert.ok(!satisfies([20, 18, 0], '^20.19.0 || ^22.13.0 || >=24'));
  assert.ok(satisfies(NODE_20, '>=14.17'));
  assert.ok(!satisfies(NODE_20, '>=22.0.0'));
});

test('every locked package supports Node 20 (no EBADENGINE on npm install)', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const wanting = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } | string[] }>)
    .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !satisfies(NODE_20, p.engines.node))
    .map(([name, p]) => `${name}@${p.version} wants node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(wanting, []);
  assert.ok(satisfies(NODE_20, pkg.engines.node));
});

test('npm reads the project .npmrc without an unknown-config warning', { skip: spawnSync('npm', ['--version']).status !== 0 && 'no npm' }, () => {
  const r = spawnSync('npm', ['config', 'get', 'ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Unknown (project|user|env|builtin) config/);
  assert.equal(r.stdout.trim(), 'true');
});

test('every file an npm script runs exists', () => {
  const missing: string[] = [];
  for (const [name, command] of Object.entries(pkg.scripts as Record<string, string>)) {
    for (const file of command.match(/[\w./-]+\.(?:m?js|ts|sh)\b/g) ?? []) {
      if (file.includes('/') && !existsSync(join(ROOT, file))) missing.push(`${name}: ${file}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('test/e2e/install.sh installs the server where there is no Chromium', { skip: process.platform !== 'linux' && 'linux only' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-install-'));
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['mkdir', 'cp', 'tar', 'gzip', 'dirname', 'touch', 'tail', 'cat', 'chmod']) {
      const at = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    symlinkSync(process.execPath, join(bin, 'node'));
    // rg is the one tool install.sh needs; npm stands in for the registry: it "installs" a code-server
    writeFileSync(join(bin, 'rg'), '#!/bin/sh\nexit 0\n');
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\nmkdir -p node_modules/.bin && printf "#!/bin/sh\\n" > node_modules/.bin/code-server && chmod +x node_modules/.bin/code-server\n');
    chmodSync(join(bin, 'rg'), 0o755);
    chmodSync(join(bin, 'npm'), 0o755);
    const root = join(dir, 'e2e');
    const r = spawnSync('/bin/bash', [join(ROOT, 'test/e2e/install.sh')], { encoding: 'utf8', env: { PATH: bin, E2E_ROOT: root, HOME: dir } });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.ok(existsSync(join(root, 'cs/.installed-4.100.3')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
