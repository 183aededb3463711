/**
 * The one seeded generator: everything that samples, in the analyses (bootstrap, pair construction,
 * splits, probe initialisation) and in the runtime (top-p sampling, diffusion noise), draws from it,
 * so a report or a trace is reproducible from its seed.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words, the state filled from
 * the seed by splitmix32. Doubles take the top 53 bits of two outputs, giving uniform [0, 1).
 */
export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /**
   * uniform integer in [0, n) from one 32-bit output, for hot loops (bootstrap resampling); the
   * bias is below n / 2^32, so n must stay below 2^21
   */
  fastInt(n: number): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** n standard normals */
  normals(n: number): Float32Array;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const init = splitmix32(seed);
  let s0 = init();
  let s1 = init();
  let s2 = init();
  let s3 = init();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  let spareNormal: number | null = null;
  const next = (): number => {
    const hi = nextU32() >>> 5;
    const lo = nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const normal = (): number => {
    if (spareNormal !== null) {
      const v = spareNormal;
      spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    fastInt(n: number): number {
      if (n > 2097152) throw new RangeError(`fastInt(n) needs n <= 2^21, got ${n}`);
      return Math.floor((nextU32() * n) / 4294967296);
    },
    normal,
    normals(n: number): Float32Array {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = normal();
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher-Yates shuffle in place (arrays and typed arrays) */
export function shuffleInPlace<T>(items: { length: number; [index: number]: T }, random: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}
