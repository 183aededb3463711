/**
 * The only module that touches onnxruntime-node. It is imported lazily (inside functions), so the
 * extension can activate and validate bundles without loading the native binding.
 * Sessions are created on first use, reused across runs and released on dispose.
 */
import { MAX_THREADS, type ExecutionProvider, type Logger } from './api';
import { isNative, type GraphValueIn, type NativeTensor, type Tensor, type TensorData } from './tensor';

type Ort = typeof import('onnxruntime-node');
type OrtSession = import('onnxruntime-node').InferenceSession;

export interface OnnxOptions {
  executionProvider?: ExecutionProvider;
  /** intra-op threads per session; 1 was fastest on a loaded 2-core machine */
  threads?: number;
  log?: Logger;
}

export interface RunOptions {
  /**
   * outputs to return; absent = all of them. onnxruntime still runs every node of the graph (it does not prune
   * what no fetched output needs: measured with onnxruntime 1.32), so a fetch saves copying an output, not computing it
   */
  fetches?: readonly string[];
  /** outputs returned as NativeTensor (fed back to the next call as they are) */
  native?: readonly string[];
}

export interface SessionOptions {
  /**
   * the graph's weights are ONNX external data (a large model): onnxruntime maps those files instead of
   * copying them, and prepacking would copy every MatMul weight into anonymous memory (at 0.6 B parameters,
   * +0.5 GB peak and 7 s of session creation; a decode step was no faster with it, bench "scale ladder")
   */
  weightsOnDisk?: boolean;
}

export interface GraphSession {
  readonly file: string;
  readonly provider: ExecutionProvider;
  run(feeds: Record<string, GraphValueIn>, options?: RunOptions): Promise<Record<string, Tensor | NativeTensor>>;
}

let ortModule: Promise<Ort> | undefined;

/** Set to 1 to leave onnxruntime's own telemetry on (README, "Telemetry"). */
export const TELEMETRY_OPT_IN = 'LATENT_TRACE_ORT_TELEMETRY';

/**
 * onnxruntime-node's telemetry writes a device id and an event database under ~/.cache on every
 * session, and with a long process command line (~30 KB) it crashes session creation (SIGSEGV). It is
 * read from the environment when the native binding loads, so it is turned off here, before the one
 * require of the binding, for the CLI, the extension host and every dataset worker alike.
 */
export function disableOrtTelemetry(env: Record<string, string | undefined> = process.env): void {
  if (env[TELEMETRY_OPT_IN] === '1') return;
  env.ORT_DISABLE_TELEMETRY = '1';
}

export function loadOrt(): Promise<Ort> {
  // require inside a function (not import()): esbuild keeps it lazy, and the VS Code extension host
  // loads CommonJS natively where dynamic import() has had loader quirks
  ortModule ??= Promise.resolve().then(() => {
    disableOrtTelemetry();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
    return require('onnxruntime-node') as Ort;
  });
  return ortModule;
}

/**
 * The most elements one declared output may have (2^31: 8 GiB of float32). A graph declaring more
 * cannot be run here; it is refused when its session is created instead of failing mid-run.
 */
export const MAX_OUTPUT_ELEMENTS = 2 ** 31;

/** The first output whose static dimensions multiply past MAX_OUTPUT_ELEMENTS, as a message. */
export function oversizedOutput(outputs: readonly { name: string; shape: readonly (number | string)[] }[]): string | undefined {
  for (const o of outputs) {
    let elements = 1;
    for (const d of o.shape) if (typeof d === 'number' && d > 0) elements *= d;
    if (elements > MAX_OUTPUT_ELEMENTS) {
      return `output "${o.name}" declares shape [${o.shape.join(', ')}] (${elements.toExponential(2)} elements), more than the ${MAX_OUTPUT_ELEMENTS} one output may hold`;
    }
  }
  return undefined;
}

/** True when onnxruntime-node has been loaded in this process (the activation test checks it stays false). */
export function isOrtLoaded(): boolean {
  return ortModule !== undefined;
}

export class OnnxSessions {
  private readonly sessions = new Map<string, Promise<{ session: OrtSession; provider: ExecutionProvider }>>();
  private disposed = false;
  /** a provider that failed once is not tried again for the other graphs (one message, not one per graph) */
  private failedProvider: ExecutionProvider | undefined;
  private creating: Promise<void> = Promise.resolve();

  constructor(private readonly options: OnnxOptions = {}) {}

  /** The session for an ONNX file, created on first use. */
  async get(file: string, graph: SessionOptions = {}): Promise<GraphSession> {
    if (this.disposed) throw new Error('the engine was disposed');
    let entry = this.sessions.get(file);
    if (!entry) {
      // created one after another, so a failing provider is found out (and reported) once
      entry = this.creating.then(() => this.create(file, graph));
      this.creating = entry.then(() => undefined, () => undefined);
      this.sessions.set(file, entry);
      entry.catch(() => this.sessions.delete(file));
    }
    const { session, provider } = await entry;
    return { file, provider, run: (feeds, options) => runSession(session, file, feeds, options) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map(async (e) => {
      try {
        await (await e).session.release();
      } catch {
        // a session that failed to load has nothing to release
      }
    }));
  }

  private async create(file: string, graph: SessionOptions): Promise<{ session: OrtSession; provider: ExecutionProvider }> {
    const wanted = this.options.executionProvider ?? 'cpu';
    const threads = this.options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be an integer in 1..${MAX_THREADS}, got ${threads}`);
    const ort = await loadOrt();
    const base: import('onnxruntime-node').InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // The arena stays on: without it each activation is a malloc, and glibc keeps what a 610-token prefill
      // frees in its heap (at 0.6 B parameters 1.7 GB of anonymous memory for 0.1 GB live; 0.25 GB with the
      // arena). A big graph's memory pattern would plan one block per input shape, and every decode step has a
      // new one (the cache grows).
      enableCpuMemArena: true,
      enableMemPattern: !graph.weightsOnDisk,
      // spinning threads steal the CPU from everything else on small machines
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' }, ...(graph.weightsOnDisk ? { disable_prepacking: '1' } : {}) } },
    };
    if (wanted !== 'cpu' && this.failedProvider !== wanted) {
      const backend = ort.listSupportedBackends().find((b) => b.name === wanted);
      if (!backend) {
        this.failedProvider = wanted;
        this.options.log?.('warn', `execution provider "${wanted}" is not available in this onnxruntime-node build; using CPU`);
      } else {
        let session: OrtSession | undefined;
        try {
          // fatal-only logging: a missing GPU is reported once, below, not as native error spew
          session = await ort.InferenceSession.create(file, { ...base, logSeverityLevel: 4, executionProviders: [wanted] });
        } catch (err) {
          this.failedProvider = wanted;
          const hint = wanted === 'cuda' && !backend.bundled
            ? ' (install the CUDA 12 provider: ONNXRUNTIME_NODE_INSTALL=cuda12 npm install; README, "CUDA")'
            : '';
          this.options.log?.('warn', `execution provider "${wanted}" is unavailable (${firstLine(err)})${hint}; using CPU`);
        }
        if (session) return { session: await checkedOutputs(session, file), provider: wanted };
      }
    }
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
    } catch (err) {
      throw new Error(`${file}: cannot load ONNX graph: ${firstLine(err)}`);
    }
    return { session: await checkedOutputs(session, file), provider: 'cpu' };
  }
}

async function checkedOutputs(session: OrtSession, file: string): Promise<OrtSession> {
  const shapes = session.outputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : [] }));
  const problem = oversizedOutput(shapes);
  if (!problem) return session;
  await session.release();
  throw new Error(`${file}: ${problem}`);
}

/**
 * onnxruntime-node 1.23.2 (the last release with macOS x64 binaries, packed in the darwin-x64 VSIX) labels a
 * subset of fetched outputs with the graph's first output names: `run(feeds, ['hidden_states'])` returns the
 * logits as "hidden_states". There every output is fetched and the unrequested ones dropped; 1.30 fetches right.
 */
function fetchesWork(ort: Ort): boolean {
  const [major, minor] = (ort.env.versions.node ?? ort.env.versions.common ?? '0.0').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 30);
}

async function runSession(
  session: OrtSession, file: string, feeds: Record<string, GraphValueIn>, options: RunOptions = {},
): Promise<Record<string, Tensor | NativeTensor>> {
  const ort = await loadOrt();
  const ortFeeds: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    if (isNative(t)) ortFeeds[name] = t.native as import('onnxruntime-node').Tensor;
    else if (t.data instanceof BigInt64Array) ortFeeds[name] = new ort.Tensor('int64', t.data, t.shape);
    else if (t.data instanceof Uint16Array) ortFeeds[name] = new ort.Tensor('float16', t.data, t.shape);
    else ortFeeds[name] = new ort.Tensor('float32', t.data, t.shape);
  }
  let out: import('onnxruntime-node').InferenceSession.OnnxValueMapType;
  try {
    out = options.fetches && fetchesWork(ort) ? await session.run(ortFeeds, options.fetches) : await session.run(ortFeeds);
  } catch (err) {
    throw new Error(`${file}: inference failed: ${firstLine(err)}`);
  }
  const native = new Set(options.native ?? []);
  const result: Record<string, Tensor | NativeTensor> = {};
  const wanted = options.fetches ? new Set(options.fetches) : null;
  for (const [name, value] of Object.entries(out)) {
    if (wanted && !wanted.has(name)) continue;
    const t = value as import('onnxruntime-node').Tensor;
    if (native.has(name)) {
      result[name] = { shape: [...t.dims], native: t };
      continue;
    }
    const data = t.data;
    if (!(data instanceof Float32Array) && !(data instanceof BigInt64Array)) {
      throw new Error(`${file}: output "${name}" has unsupported type ${t.type}`);
    }
    result[name] = { data: data as TensorData, shape: [...t.dims] };
  }
  return result;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
