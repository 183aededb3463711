/**
 * `latent-trace intervene`: re-run a trace with one latent step zeroed, replaced or pushed along a
 * direction; report the answer change.
 */
import { resolve } from 'node:path';
import { openEngine } from '../../runtime/engine';
import { directionBetween, replaceFromTrace, runIntervention, tokenFromOtherImage } from '../../runtime/interventions';
import { readTraceFile } from '../../runtime/trace-file';
import { encodeTrace } from '../../shared/trace-codec';
import type { Intervention } from '../../shared/trace';
import { intOpt, numberOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { writeTraceOutputs } from '../outputs';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';

export const interveneCommand: CliCommand = {
  name: 'intervene',
  summary: 'zero or replace one latent step and report how the answer and its probability change',
  usage: `latent-trace intervene <image> --question "<text>" --step <t> (--zero | --from-step <s> | --from-image <file> | --from-trace <file> | --direction-plus <a> --direction-minus <b>) [options]

  --step <t>                the latent step to change (1-based)
  --zero                    feed a zero vector instead of l_t
  --from-step <s>           feed step s's token of the unmodified run instead
  --from-image <file>       feed the latent token of another image (same question) instead
  --from-image-step <s>     which step of the other image's run (default: --step)
  --from-trace <file>       feed the same step (or --source-step) of a saved trace (.ltrace.json) instead
  --direction-plus <file>   with --direction-minus: add alpha * (plus's step - minus's step) to l_t,
  --direction-minus <file>  both saved traces, at --source-step (default: --step)
  --alpha <x>               the direction's scale (default 1)
  --source-step <s>         the step read from --from-trace or the direction traces (default: --step)
  --out <dir>               write both traces (<image>.ltrace.json, <image>-intervened/...)
  --json                    print {spec, answer, baseline, logProbChange, trace, effect} as JSON (trace as on disk)
${traceOptionsUsage}`,
  examples: [
    'latent-trace intervene media/samples/images/0000.png -q "what color is the circle?" --step 2 --zero',
    'latent-trace intervene a.png -q "what color is the square?" --step 1 --from-image b.png --json',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('intervene', argv, {
      ...traceOptionSpec,
      question: { type: 'string', short: 'q' },
      step: { type: 'string' },
      zero: { type: 'boolean' },
      'from-step': { type: 'string' },
      'from-image': { type: 'string' },
      'from-image-step': { type: 'string' },
      'from-trace': { type: 'string' },
      'direction-plus': { type: 'string' },
      'direction-minus': { type: 'string' },
      alpha: { type: 'string' },
      'source-step': { type: 'string' },
      out: { type: 'string' },
    });
    if (a.positionals.length !== 1) throw new UsageError(`expected one image path, got ${a.positionals.length} (see latent-trace intervene --help)`);
    const question = stringOpt(a, 'question');
    if (question === undefined) throw new UsageError('--question is required');
    const step = intOpt(a, 'step', 1);
    if (step === undefined) throw new UsageError('--step is required');
    const fromStep = intOpt(a, 'from-step', 1);
    const fromImage = stringOpt(a, 'from-image');
    const fromTrace = stringOpt(a, 'from-trace');
    const plus = stringOpt(a, 'direction-plus');
    const minus = stringOpt(a, 'direction-minus');
    if ((plus === undefined) !== (minus === undefined)) throw new UsageError('--direction-plus and --direction-minus go together');
    const kinds = [a.values.zero === true, fromStep !== undefined, fromImage !== undefined, fromTrace !== undefined, plus !== undefined].filter(Boolean).length;
    if (kinds !== 1) throw new UsageError('give exactly one of --zero, --from-step, --from-image, --from-trace, --direction-plus/--direction-minus');
    const alpha = numberOpt(a, 'alpha', Number.isFinite, 'a finite number') ?? 1;
    const sourceStep = intOpt(a, 'source-step', 1) ?? step;
    const opts = await readTraceOptions(a, io);
    const image = resolve(io.cwd, a.positionals[0]);
    const engine = await openEngine(opts.modelDir, { executionProvider: opts.provider, threads: opts.threads, log: (l, m) => io.stderr(`${l}: ${m}\n`) });
    try {
      const request = { image, question, settings: opts.settings, signal: io.signal };
      let intervention: Intervention;
      if (a.values.zero) intervention = { kind: 'zero', step };
      else if (fromStep !== undefined) intervention = { kind: 'replace-with-step', step, source: fromStep };
      else if (fromTrace !== undefined) intervention = replaceFromTrace(await readTraceFile(resolve(io.cwd, fromTrace)), step, sourceStep, fromTrace);
      else if (plus !== undefined) {
        const [tp, tm] = [await readTraceFile(resolve(io.cwd, plus)), await readTraceFile(resolve(io.cwd, minus!))];
        intervention = directionBetween({ trace: tp, step: sourceStep, label: plus }, { trace: tm, step: sourceStep, label: minus! }, step, alpha);
      } else {
        const other = await tokenFromOtherImage(engine, { ...request, image: resolve(io.cwd, fromImage!) }, intOpt(a, 'from-image-step', 1) ?? step);
        intervention = { kind: 'replace-with-token', step, token: other.token, sourceLabel: other.label };
      }
      io.stderr(`running the unmodified trace and the intervention (${intervention.kind}, step ${step})\n`);
      const r = await runIntervention(engine, request, intervention);
      const out = stringOpt(a, 'out');
      if (out) {
        await writeTraceOutputs(resolve(io.cwd, out), r.base);
        await writeTraceOutputs(resolve(io.cwd, out, 'intervened'), r.intervened);
      }
      const effect = { ...r.effect, intervention: withoutVectors(r.effect.intervention) };
      if (a.values.json) {
        const { spec, answer, baseline, logProbChange } = r.result;
        const trace = JSON.parse(encodeTrace(r.result.trace)) as unknown;
        io.stdout(`${JSON.stringify({ spec: withoutVectors(spec as Intervention), answer, baseline, logProbChange, trace, effect, baseStoppedAt: r.base.stoppedAt })}\n`);
      }
      else {
        io.stdout(`unmodified answer: ${r.effect.baseAnswer} (p = ${r.effect.baseAnswerProb.toFixed(4)})\n`);
        io.stdout(`with ${describe(intervention)}: ${r.effect.answer} (p = ${r.effect.answerProb.toFixed(4)})${r.effect.answerChanged ? '  <- changed' : ''}\n`);
        io.stdout(`probability of the unmodified answer: ${r.effect.baseAnswerProb.toFixed(4)} -> ${r.effect.baseAnswerProbAfter.toFixed(4)} (${r.effect.probChange >= 0 ? '+' : ''}${r.effect.probChange.toFixed(4)})\n`);
        io.stdout(`log-probability change of its first token: ${r.result.logProbChange >= 0 ? '+' : ''}${r.result.logProbChange.toFixed(4)}\n`);
      }
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};

function describe(i: Intervention): string {
  switch (i.kind) {
    case 'zero': return `step ${i.step} zeroed`;
    case 'replace-with-step': return `step ${i.step} replaced by step ${i.source}`;
    case 'replace-with-token': return `step ${i.step} replaced by ${i.sourceLabel}`;
    case 'add-direction': return `step ${i.step} plus ${i.sourceLabel}`;
  }
}

/** the spec without its vectors: the printed JSON names the source instead of repeating D numbers */
function withoutVectors(i: Intervention): Record<string, unknown> {
  if (i.kind === 'replace-with-token') return { kind: i.kind, step: i.step, sourceLabel: i.sourceLabel };
  if (i.kind === 'add-direction') return { kind: i.kind, step: i.step, alpha: i.alpha, sourceLabel: i.sourceLabel };
  return { ...i };
}
