/** `latent-trace intervene`: re-run a trace with one latent step zeroed or replaced; report the answer change. */
import { resolve } from 'node:path';
import { openEngine } from '../../runtime/engine';
import { runIntervention, tokenFromOtherImage } from '../../runtime/interventions';
import type { Intervention } from '../../shared/trace';
import { intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { writeTraceOutputs } from '../outputs';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';

export const interveneCommand: CliCommand = {
  name: 'intervene',
  summary: 'zero or replace one latent step and report how the answer and its probability change',
  usage: `latent-trace intervene <image> --question "<text>" --step <t> (--zero | --from-step <s> | --from-image <file>) [options]

  --step <t>                the latent step to change (1-based)
  --zero                    feed a zero vector instead of l_t
  --from-step <s>           feed step s's token of the unmodified run instead
  --from-image <file>       feed the latent token of another image (same question) instead
  --from-image-step <s>     which step of the other image's run (default: --step)
  --out <dir>               write both traces (<image>.ltrace.json, <image>-intervened/...)
  --json                    print {effect, base, intervened} summaries as JSON
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
      out: { type: 'string' },
    });
    if (a.positionals.length !== 1) throw new UsageError(`expected one image path, got ${a.positionals.length} (see latent-trace intervene --help)`);
    const question = stringOpt(a, 'question');
    if (question === undefined) throw new UsageError('--question is required');
    const step = intOpt(a, 'step', 1);
    if (step === undefined) throw new UsageError('--step is required');
    const fromStep = intOpt(a, 'from-step', 1);
    const fromImage = stringOpt(a, 'from-image');
    const kinds = [a.values.zero === true, fromStep !== undefined, fromImage !== undefined].filter(Boolean).length;
    if (kinds !== 1) throw new UsageError('give exactly one of --zero, --from-step, --from-image');
    const opts = await readTraceOptions(a, io);
    const image = resolve(io.cwd, a.positionals[0]);
    const engine = await openEngine(opts.modelDir, { executionProvider: opts.provider, threads: opts.threads, log: (l, m) => io.stderr(`${l}: ${m}\n`) });
    try {
      const request = { image, question, settings: opts.settings, signal: io.signal };
      let intervention: Intervention;
      if (a.values.zero) intervention = { kind: 'zero', step };
      else if (fromStep !== undefined) intervention = { kind: 'replace-with-step', step, source: fromStep };
      else {
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
      const effect = { ...r.effect, intervention: { ...r.effect.intervention, token: undefined } };
      if (a.values.json) io.stdout(`${JSON.stringify({ effect, baseStoppedAt: r.base.stoppedAt })}\n`);
      else {
        io.stdout(`unmodified answer: ${r.effect.baseAnswer} (p = ${r.effect.baseAnswerProb.toFixed(4)})\n`);
        io.stdout(`with ${describe(intervention)}: ${r.effect.answer} (p = ${r.effect.answerProb.toFixed(4)})${r.effect.answerChanged ? '  <- changed' : ''}\n`);
        io.stdout(`probability of the unmodified answer: ${r.effect.baseAnswerProb.toFixed(4)} -> ${r.effect.baseAnswerProbAfter.toFixed(4)} (${r.effect.probChange >= 0 ? '+' : ''}${r.effect.probChange.toFixed(4)})\n`);
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
  }
}
