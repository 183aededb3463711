/**
 * An exclusive lock on a results folder (`--out`): a lock file holding the owner's pid and host, put in
 * place with link(2), which like O_EXCL fails when the file exists, so two processes cannot both win.
 * Two runs appending to one results file would interleave their lines; the second run is refused
 * instead. A lock left by a process that no longer exists is broken by renaming it away first, so of
 * two processes breaking the same stale lock only one removes it.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.latent-trace.lock';

interface Owner {
  pid: number;
  host: string;
}

export class FolderLockedError extends Error {
  constructor(readonly folder: string, readonly owner: Owner, lockFile: string) {
    const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
    super(`${folder}: another run is using this folder (pid ${owner.pid}${where}); wait for it to finish or choose another --out (if that run is gone, delete ${lockFile})`);
    this.name = 'InputError';
  }
}

export interface FolderLock {
  readonly file: string;
  release(): void;
}

/** A pid on another host (a shared cluster folder) cannot be checked, so its lock is taken as held. */
function isAlive({ pid, host }: Owner): boolean {
  if (host !== hostname()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(file: string): Owner | undefined {
  try {
    const [pidText, host = hostname()] = readFileSync(file, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    return Number.isSafeInteger(pid) && pid > 0 ? { pid, host } : undefined;
  } catch {
    return undefined;
  }
}

/** Locks this process holds: released on process.exit too (a closed stdout ends the CLI that way). */
const held = new Set<string>();
let exitHook = false;

function releaseOnExit(file: string): void {
  held.add(file);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const f of held) if (ownedByMe(f)) rmSync(f, { force: true });
  });
}

function ownedByMe(file: string): boolean {
  const owner = ownerOf(file);
  return owner !== undefined && owner.pid === process.pid && owner.host === hostname();
}

/**
 * Takes the lock on `folder` (created if missing) or throws FolderLockedError naming the owner's pid.
 * `name` lets runs that write disjoint files (the shards of one study) share a folder.
 */
export function lockFolder(folder: string, name = LOCK_FILE): FolderLock {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, name);
  // the pid is written first and the file linked into place, so a lock file is never seen empty
  const mine = `${file}.${process.pid}.tmp`;
  writeFileSync(mine, `${process.pid} ${hostname()}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${file}: cannot create the lock file (${(err as NodeJS.ErrnoException).code})`);
        const owner = ownerOf(file);
        if (owner !== undefined && isAlive(owner)) throw new FolderLockedError(folder, owner, file);
        breakStale(file);
        continue;
      }
      let released = false;
      releaseOnExit(file);
      return {
        file,
        release() {
          if (released) return;
          released = true;
          held.delete(file);
          if (ownedByMe(file)) rmSync(file, { force: true });
        },
      };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new Error(`${file}: could not take the lock (it kept changing hands)`);
}

/**
 * Removes a lock whose owner is gone. The rename moves exactly one file, so when a live process took
 * the lock between our read and the rename, its file is the one moved: it is put back untouched.
 */
function breakStale(file: string): void {
  const moved = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, moved);
  } catch {
    return; // another process broke it first
  }
  const owner = ownerOf(moved);
  if (owner !== undefined && isAlive(owner)) {
    try {
      linkSync(moved, file);
    } catch {
      // someone else holds a newer lock already; theirs stands
    }
  }
  rmSync(moved, { force: true });
}

/** Runs `fn` holding the folder's lock, released however `fn` ends. */
export async function withFolderLock<T>(folder: string, fn: () => Promise<T>, name = LOCK_FILE): Promise<T> {
  const lock = lockFolder(folder, name);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
