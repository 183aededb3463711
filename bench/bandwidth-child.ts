/**
 * This machine's single-thread streaming read bandwidth, in a node process like the trace's:
 *   node --import tsx bench/bandwidth-child.ts [MiB]
 * Two buffers of MiB each (far past the caches) are compared with Buffer.equals, a native memcmp that
 * reads both end to end; the best of five passes, as GB/s (1e9 bytes), is printed as one JSON line.
 */
const mib = Number(process.argv[2] ?? 512);
const a = Buffer.alloc(mib * 1024 * 1024, 1);
const b = Buffer.alloc(mib * 1024 * 1024, 1);
let best = Infinity;
for (let pass = 0; pass < 5; pass++) {
  const t0 = performance.now();
  if (!a.equals(b)) throw new Error('buffers differ');
  best = Math.min(best, performance.now() - t0);
}
process.stdout.write(`${JSON.stringify({ bytesRead: a.length + b.length, ms: best, gbPerS: (a.length + b.length) / (best * 1e6) })}\n`);
