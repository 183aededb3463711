/**
 * `npm run bench`: runs every suite of bench/index.ts on one model and prints the figures (ratios are
 * measured in the same run). Options: --model <dir>, --only <suite name substring>, --repeats N,
 * --markdown <file> (also write the table there), --strict (exit 1 when a target is not met; without it the exit
 * status is 1 only when a measurement could not be made). Opt-in suites (the scale ladder) run only when --only names them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { writeFileAtomic } from '../src/runtime/atomic';
import { defaultModelDir, samplesDir } from '../src/runtime/default-model';
import { itemImage } from '../src/runtime/datasets/image-source';
import { readEvalDataset } from '../src/runtime/evaluate';
import { suites } from './index';
import type { BenchContext, BenchFigure } from './types';

async function sampleInput(): Promise<{ image: string | Uint8Array; question: string }> {
  const file = join(samplesDir(), 'samples.jsonl');
  if (existsSync(file)) {
    const [first] = await readEvalDataset(file);
    return { image: await itemImage(first), question: first.question };
  }
  const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#d02828' } }).png().toBuffer();
  return { image, question: 'what color is the square?' };
}

function format(f: BenchFigure): string {
  const digits = (x: number) => (x !== 0 && Math.abs(x) < 0.1 ? x.toPrecision(3) : x.toFixed(1));
  const v = Number.isNaN(f.value) ? 'n/a' : f.unit === 'x' ? `${f.value.toFixed(2)}x` : `${digits(f.value)} ${f.unit}`.trim();
  const target = f.target ? ` | ${f.target} | ${f.ok ? 'met' : 'NOT met'}` : ' | | ';
  return `| ${f.name} | ${v}${target} | ${f.detail ?? ''} |`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, only: { type: 'string' }, repeats: { type: 'string' }, markdown: { type: 'string' }, strict: { type: 'boolean' } } });
  const repeats = Number(values.repeats ?? 5);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${values.repeats}`);
  const ctx: BenchContext = {
    modelDir: values.model ?? await defaultModelDir(),
    ...(await sampleInput()),
    repeats,
    log: (m) => process.stderr.write(`${m}\n`),
  };
  const lines = [`model: ${ctx.modelDir}, ${repeats} timed repeats (median), question "${ctx.question}"`, '',
    '| measurement | value | target | | note |', '|---|---|---|---|---|'];
  let met = 0;
  let notMet = 0;
  let missing = 0;
  for (const suite of suites.filter((s) => (values.only ? s.name.includes(values.only) : !s.optIn))) {
    ctx.log(`bench: ${suite.name}`);
    for (const f of await suite.run(ctx)) {
      lines.push(format(f));
      if (Number.isNaN(f.value)) missing++;
      if (f.ok === true) met++;
      if (f.ok === false) notMet++;
    }
  }
  lines.push('', `targets: ${met} met, ${notMet} NOT met; ${missing} measurement(s) could not be made`);
  const table = `${lines.join('\n')}\n`;
  process.stdout.write(table);
  if (values.markdown) await writeFileAtomic(values.markdown, table);
  // The exit status says whether everything was measured; --strict also fails on a target not met.
  return missing > 0 || (values.strict && notMet > 0) ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
}, (err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 1;
});
