/** `latent-trace merge`: combine the shard results of dataset runs into unsharded results files. */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mergeResults } from '../../runtime/datasets/merge';
import { parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';

const SHARD_FILE = /^(.+)\.shard-(\d+)-of-(\d+)\.jsonl$/;

export const mergeCommand: CliCommand = {
  name: 'merge',
  summary: 'merge the --shard i/n results of attention/probe/steps runs',
  usage: `latent-trace merge <out-dir>
       latent-trace merge <results files...> --out <merged.jsonl>

  with a folder: merges every <out-dir>/results/<task>-<model>.shard-i-of-n.jsonl group into
  <task>-<model>.jsonl; then rerun the command without --shard and the same --out to get the report`,
  examples: ['latent-trace merge latent-trace-out/attention', 'latent-trace merge a.shard-0-of-2.jsonl a.shard-1-of-2.jsonl --out a.jsonl'],
  async run(argv, io) {
    const a = parseCommandArgs('merge', argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    const out = stringOpt(a, 'out');
    if (out) {
      if (a.positionals.length === 0) throw new UsageError('expected the results files to merge');
      const s = await mergeResults(a.positionals.map((p) => resolve(io.cwd, p)), resolve(io.cwd, out));
      io.stdout(`merged ${s.shards} shards, ${s.lines} items into ${resolve(io.cwd, out)}\n`);
      return 0;
    }
    if (a.positionals.length !== 1) throw new UsageError('expected one output folder, or files with --out (see latent-trace merge --help)');
    const dir = join(resolve(io.cwd, a.positionals[0]), 'results');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      throw new UsageError(`${dir} does not exist; pass the --out folder of the sharded runs`);
    }
    const groups = new Map<string, string[]>();
    for (const name of names.sort()) {
      const m = SHARD_FILE.exec(name);
      if (m) groups.set(m[1], [...(groups.get(m[1]) ?? []), join(dir, name)]);
    }
    if (groups.size === 0) throw new UsageError(`no shard results (*.shard-i-of-n.jsonl) in ${dir}`);
    for (const [stem, files] of groups) {
      const target = join(dir, `${stem}.jsonl`);
      const s = await mergeResults(files, target);
      io.stdout(`merged ${s.shards} shards, ${s.lines} items into ${target}\n`);
    }
    return 0;
  },
};
