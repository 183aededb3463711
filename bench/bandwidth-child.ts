/**
 * This machine's single-thread streaming read bandwidth, in a node process like the trace's:
 *   node --import tsx bench/bandwidth-child.ts [MiB]
 * Two native reads over buffers of MiB each (far past the caches): indexOf of a byte the buffer lacks (memchr,
 * one stream) and Buffer.equals of two equal buffers (memcmp, two streams). The fastest pass of either, as
 * GB/s (1e9 bytes), is the bandwidth: the higher the estimate, the stricter the limit derived from it.
 */
const mib = Number(process.argv[2] ?? 512);
const a = Buffer.alloc(mib * 1024 * 1024, 1);
const b = Buffer.alloc(mib * 1024 * 1024, 1);

function best(bytes: number, read: () => void): number {
  let ms = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    read();
    ms = Math.min(ms, performance.now() - t0);
  }
  return bytes / (ms * 1e6);
}

const scan = best(a.length, () => {
  if (a.indexOf(2) !== -1) throw new Error('the buffer holds the byte searched for');
});
const compare = best(a.length + b.length, () => {
  if (!a.equals(b)) throw new Error('buffers differ');
});
process.stdout.write(`${JSON.stringify({ gbPerS: Math.max(scan, compare), scanGbPerS: scan, compareGbPerS: compare })}\n`);
