/**
 * `npm run test:integration`: the @vscode/test-electron suite (configured in .vscode-test.mjs) in a
 * downloaded VS Code. Skips with a message (exit 0) where VS Code cannot be downloaded or shown.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { integrationSkipReason } from './availability';

const repo = resolve(__dirname, '../..');

async function main(): Promise<number> {
  const skip = await integrationSkipReason(repo);
  if (skip) {
    console.log(`integration tests SKIPPED: ${skip}`);
    return 0;
  }
  const suite = join(repo, 'test/integration/suite');
  await esbuild.build({
    entryPoints: readdirSync(suite).filter((f) => f.endsWith('.itest.ts')).map((f) => join(suite, f)),
    outdir: join(repo, 'out/integration'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) return 1;
  const linuxHeadless = process.platform === 'linux' && !process.env.DISPLAY;
  const cli = join(repo, 'node_modules/.bin/vscode-test');
  const res = linuxHeadless
    ? spawnSync('xvfb-run', ['-a', cli], { cwd: repo, stdio: 'inherit' })
    : spawnSync(cli, [], { cwd: repo, stdio: 'inherit' });
  return res.status ?? 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
