/**
 * This machine's single-thread streaming read bandwidth, measured by the process that uses it: two native reads
 * over buffers far past the caches, indexOf of a byte the buffer lacks (memchr, one stream) and Buffer.equals of
 * two equal buffers (memcmp, two streams). The fastest pass of either, as GB/s (1e9 bytes), is the bandwidth: the
 * higher the estimate, the stricter the limit derived from it.
 */

export interface Bandwidth {
  gbPerS: number;
  scanGbPerS: number;
  compareGbPerS: number;
}

export class BandwidthProbe {
  private readonly a: Buffer;
  private readonly b: Buffer;

  constructor(mib: number) {
    this.a = Buffer.alloc(mib * 1024 * 1024, 1);
    this.b = Buffer.alloc(mib * 1024 * 1024, 1);
  }

  /** the best of `passes` passes of each read */
  measure(passes: number): Bandwidth {
    const { a, b } = this;
    const scan = best(passes, a.length, () => {
      if (a.indexOf(2) !== -1) throw new Error('the buffer holds the byte searched for');
    });
    const compare = best(passes, a.length + b.length, () => {
      if (!a.equals(b)) throw new Error('buffers differ');
    });
    return { gbPerS: Math.max(scan, compare), scanGbPerS: scan, compareGbPerS: compare };
  }
}

function best(passes: number, bytes: number, read: () => void): number {
  let ms = Infinity;
  for (let pass = 0; pass < passes; pass++) {
    const t0 = performance.now();
    read();
    ms = Math.min(ms, performance.now() - t0);
  }
  return bytes / (ms * 1e6);
}
