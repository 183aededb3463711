/**
 * The extension's runs take turns on one engine, and at most `limit` may be running or waiting at
 * once: a burst of requests (a key held down, a script calling the command 10,000 times) is refused
 * at the door with a message instead of queueing work, progress notifications and question boxes
 * without bound. Pure (no vscode import) so it is unit-tested in plain Node.
 */

/** Running plus waiting runs, at most. */
export const MAX_QUEUED_RUNS = 8;

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(
    readonly queued: number,
    /** the first refusal since the queue last had room: the one worth a notification */
    readonly first: boolean,
  ) {
    super(`${queued} runs are already running or waiting; wait for them to finish or cancel one, then run again`);
  }
}

/** A place in the queue, taken before the run asks anything of the user. */
export interface RunSlot {
  /** runs `work` once every earlier run has finished */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** gives the place back (idempotent); call it however the run ends */
  release(): void;
}

export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private taken = 0;
  private refusedSinceRoom = false;

  constructor(readonly limit = MAX_QUEUED_RUNS) {}

  /** Runs and reservations holding a place now. */
  get size(): number {
    return this.taken;
  }

  /** Takes a place, or throws QueueFullError at once when `limit` places are taken. */
  reserve(): RunSlot {
    if (this.taken >= this.limit) {
      const first = !this.refusedSinceRoom;
      this.refusedSinceRoom = true;
      throw new QueueFullError(this.taken, first);
    }
    this.taken++;
    let released = false;
    return {
      run: (work) => this.enqueue(work),
      release: () => {
        if (released) return;
        released = true;
        this.taken--;
        this.refusedSinceRoom = false;
      },
    };
  }

  /** Chains `work` after everything queued so far, without a place (releasing the engine, say). */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const mine = this.tail.then(work);
    this.tail = mine.catch(() => undefined);
    return mine;
  }
}
