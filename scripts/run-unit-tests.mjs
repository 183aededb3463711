// Runs every test/**/*.test.ts (except the e2e suite and test/packaging, which scripts/test-all.sh runs
// as its own step) with node's test runner through tsx, or the files and folders given.
// Writes the pass/fail counts to .tmp/unit-counts.json (--counts=<file>: there) for scripts/test-all.sh.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const countsFile = (args.find((a) => a.startsWith('--counts=')) ?? '--counts=.tmp/unit-counts.json').slice('--counts='.length);
const paths = args.filter((a) => !a.startsWith('--counts='));
const roots = paths.length ? paths : ['test'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name === 'fixtures' || name === 'e2e' || name === 'packaging' || name === 'node_modules') continue;
      walk(p);
    } else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots) {
  if (statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
mkdirSync('.tmp', { recursive: true });
const tap = countsFile.replace(/\.json$/, '') + '.tap';
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', OMP_WAIT_POLICY: 'PASSIVE' } },
);
const text = readFileSync(tap, 'utf8');
const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
writeFileSync(countsFile, JSON.stringify({ passed: count('pass'), failed: count('fail'), skipped: count('skipped') }));
process.exit(res.status ?? 1);
