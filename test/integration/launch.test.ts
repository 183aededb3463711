import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { integrationSkipReason } from './availability';

const repo = resolve(__dirname, '../..');

test('integration suite in a real VS Code (@vscode/test-electron)', { timeout: 15 * 60_000 }, async (t) => {
  const skip = await integrationSkipReason(repo);
  if (skip) {
    t.skip(skip);
    return;
  }
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'test/integration/run.ts'], { cwd: repo, stdio: 'inherit' });
  assert.equal(res.status, 0, 'the integration suite failed (see its output above)');
});
