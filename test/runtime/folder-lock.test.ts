/** The --out lock: exclusive, names its owner, breaks only dead owners' locks, released once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLockedError, LOCK_FILE, lockFolder, withFolderLock } from '../../src/runtime/folder-lock';

const tmp = () => mkdtempSync(join(tmpdir(), 'lt-lock-'));

/** a pid that was alive a moment ago and is not any more */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('the lock file holds the pid and host; a second lock fails naming them; release removes it once', () => {
  const dir = tmp();
  const lock = lockFolder(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.pid} ${hostname()}\n`);
  assert.throws(() => lockFolder(dir), (err: Error) => err instanceof FolderLockedError && err.name === 'InputError'
    && err.message === `${dir}: another run is using this folder (pid ${process.pid}); wait for it to finish or choose another --out (if that run is gone, delete ${join(dir, LOCK_FILE)})`);
  lock.release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
  const again = lockFolder(dir);
  lock.release(); // a second release of the old lock must not remove the new owner's file
  assert.ok(existsSync(join(dir, LOCK_FILE)));
  again.release();
  assert.deepEqual(readdirSync(dir), [], 'temporary files left behind');
  rmSync(dir, { recursive: true });
});

test('a lock whose owner is dead, or that holds no pid, is broken; a live owner\'s lock and another host\'s stand', async () => {
  const dir = tmp();
  writeFileSync(join(dir, LOCK_FILE), `${deadPid()} ${hostname()}\n`);
  lockFolder(dir).release();
  writeFileSync(join(dir, LOCK_FILE), 'garbage');
  lockFolder(dir).release();
  writeFileSync(join(dir, LOCK_FILE), `${deadPid()} some-other-node\n`);
  assert.throws(() => lockFolder(dir), /another run is using this folder \(pid \d+ on some-other-node\)/);
  const live = spawn('sleep', ['30']);
  try {
    writeFileSync(join(dir, LOCK_FILE), `${live.pid} ${hostname()}\n`);
    assert.throws(() => lockFolder(dir), new RegExp(`\\(pid ${live.pid}\\)`));
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${live.pid} ${hostname()}\n`, 'a live owner\'s lock was touched');
  } finally {
    live.kill();
  }
  rmSync(dir, { recursive: true });
});

test('withFolderLock releases the lock when the work fails, and names let shards share a folder', async () => {
  const dir = tmp();
  await assert.rejects(withFolderLock(dir, async () => { throw new Error('item failed'); }), /item failed/);
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
  const a = lockFolder(dir, '.latent-trace.shard-0-of-2.lock');
  const b = lockFolder(dir, '.latent-trace.shard-1-of-2.lock');
  assert.throws(() => lockFolder(dir, '.latent-trace.shard-0-of-2.lock'), FolderLockedError);
  a.release();
  b.release();
  rmSync(dir, { recursive: true });
});

test('a process that exits holding the lock (process.exit, as on a closed stdout) leaves no lock behind', () => {
  const dir = tmp();
  const script = `require(${JSON.stringify(join(__dirname, '../../src/runtime/folder-lock.ts'))}).lockFolder(${JSON.stringify(dir)}); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir), []);
  rmSync(dir, { recursive: true });
});
