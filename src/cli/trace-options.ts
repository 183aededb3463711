/** Options shared by the commands that run a bundle: model, latent steps, stopping, sampling, runtime. */
import { MAX_THREADS, type ExecutionProvider } from '../runtime/api';
import { defaultModelDir } from '../runtime/default-model';
import type { TraceSettings } from '../shared/trace';
import { choiceOpt, intOpt, numberOpt, stringOpt, type OptionSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { resolve } from 'node:path';

export const traceOptionSpec: OptionSpec = {
  model: { type: 'string' },
  steps: { type: 'string' },
  'max-steps': { type: 'string' },
  stop: { type: 'string' },
  threshold: { type: 'string' },
  'lvr-stop': { type: 'string' },
  'max-answer-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
  provider: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const traceOptionsUsage = `model and loop:
  --model <dir>             model bundle folder (default: the bundled LaRe model)
  --steps <N>               latent steps T (fixed stop) or the cap T_max (adaptive stop)
  --stop <rule>             fixed | cosine | l1 | l2 (adaptive: stop when the distance between
                            consecutive latent tokens falls below --threshold)
  --threshold <x>           distance threshold for adaptive stopping (default: the bundle's)
  --max-steps <N>           cap for adaptive stopping (default: the bundle's)
  --lvr-stop <rule>         LVR bundles: fixed | end-token | end-distance | latent (v2)
  --max-answer-tokens <N>   answer length limit
  --temperature <x>         0 = greedy (default); > 0 samples
  --top-p <x>               nucleus mass for sampling (default 1)
  --seed <N>                seed for sampling and reconstruction noise (default 0)
runtime:
  --threads <N>             intra-op threads per ONNX session, 1..${MAX_THREADS} (default 1)
  --provider <ep>           cpu (default) | cuda | webgpu, falls back to cpu with a message`;

export interface TraceOptions {
  modelDir: string;
  settings: Partial<TraceSettings>;
  provider?: ExecutionProvider;
  threads?: number;
}

/** `defaultModel`, when given, replaces the default LaRe bundle where --model is absent. */
export async function readTraceOptions(a: ParsedArgs, io: CliIO, defaultModel?: () => string): Promise<TraceOptions> {
  const stop = choiceOpt(a, 'stop', ['fixed', 'cosine', 'l1', 'l2'] as const);
  const steps = intOpt(a, 'steps', 1);
  const maxSteps = intOpt(a, 'max-steps', 1);
  const settings: Partial<TraceSettings> = {};
  if (stop) settings.stop = stop;
  if (stop && stop !== 'fixed') {
    if (steps !== undefined) settings.maxLatentSteps = steps;
  } else if (steps !== undefined) {
    settings.latentSteps = steps;
  }
  if (maxSteps !== undefined) settings.maxLatentSteps = maxSteps;
  const threshold = numberOpt(a, 'threshold', (n) => n >= 0, 'a number >= 0');
  if (threshold !== undefined) settings.threshold = threshold;
  const lvrStop = choiceOpt(a, 'lvr-stop', ['fixed', 'end-token', 'end-distance', 'latent'] as const);
  if (lvrStop) settings.lvrStop = lvrStop;
  const maxAnswer = intOpt(a, 'max-answer-tokens', 1);
  if (maxAnswer !== undefined) settings.maxAnswerTokens = maxAnswer;
  const temperature = numberOpt(a, 'temperature', (n) => n >= 0, 'a number >= 0');
  if (temperature !== undefined) settings.temperature = temperature;
  const topP = numberOpt(a, 'top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]');
  if (topP !== undefined) settings.topP = topP;
  const seed = intOpt(a, 'seed', 0);
  if (seed !== undefined) settings.seed = seed;
  const model = stringOpt(a, 'model');
  return {
    modelDir: model ? resolve(io.cwd, model) : defaultModel ? defaultModel() : await defaultModelDir(io.env),
    settings,
    provider: choiceOpt(a, 'provider', ['cpu', 'cuda', 'webgpu'] as const),
    threads: intOpt(a, 'threads', 1, MAX_THREADS),
  };
}
