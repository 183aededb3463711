/** The bench hook: a suite measures something and returns figures; bench/index.ts lists the suites. */

export interface BenchContext {
  /** the model bundle to measure (default: the bundled LaRe model) */
  modelDir: string;
  /** a sample image and question from media/samples (or a generated image) */
  image: string | Uint8Array;
  question: string;
  /** timed repetitions per measurement (the median is reported) */
  repeats: number;
  log(message: string): void;
}

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** the target in words, e.g. ">= 2x faster than PyTorch" */
  target?: string;
  /** whether the target is met; absent when there is no target */
  ok?: boolean;
  detail?: string;
}

export interface BenchSuite {
  name: string;
  /** runs only when `--only` names it (the scale ladder converts a 0.6 B model: many minutes) */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}

export async function timeMs(repeats: number, f: () => Promise<unknown>): Promise<{ median: number; min: number }> {
  await f(); // warm-up: session creation, allocator
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: median(times), min: times[0] };
}

/** the middle value (the upper one of the two middles for an even count) */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

export async function medianMs(repeats: number, f: () => Promise<unknown>): Promise<number> {
  return (await timeMs(repeats, f)).median;
}
