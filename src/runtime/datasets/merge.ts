/**
 * `merge`: combines the results files of the shards i/n of one run into the file an unsharded run
 * would have written (header with shard 0/1, lines in item order), atomically.
 */
import { writeFileAtomic } from '../atomic';
import { readResults, ResultsError, stableStringify, type ResultLine, type ResultsHeader } from './results';
import { parseShard } from './shard';

export interface MergeSummary {
  header: ResultsHeader;
  lines: number;
  shards: number;
}

export async function mergeResults(files: string[], outPath: string): Promise<MergeSummary> {
  if (files.length === 0) throw new ResultsError('merge needs at least one results file');
  const read = files.map((f) => ({ file: f, ...readResults(f) }));
  const first = read[0];
  const count = parseShard(first.header.shard).count;
  const seenShards = new Map<number, string>();
  for (const r of read) {
    for (const key of ['task', 'dataset', 'datasetItems'] as const) {
      if (r.header[key] !== first.header[key]) throw new ResultsError(`${r.file}: ${key} ${JSON.stringify(r.header[key])} differs from ${first.file}'s ${JSON.stringify(first.header[key])}`);
    }
    if (stableStringify(r.header.config) !== stableStringify(first.header.config)) throw new ResultsError(`${r.file}: its settings differ from ${first.file}'s`);
    const shard = parseShard(r.header.shard);
    if (shard.count !== count) throw new ResultsError(`${r.file} is shard ${r.header.shard}, not one of ${count}`);
    const other = seenShards.get(shard.index);
    if (other) throw new ResultsError(`${r.file} and ${other} are both shard ${r.header.shard}`);
    seenShards.set(shard.index, r.file);
  }
  const missingShards = Array.from({ length: count }, (_, i) => i).filter((i) => !seenShards.has(i));
  if (missingShards.length) throw new ResultsError(`shards ${missingShards.map((i) => `${i}/${count}`).join(', ')} are missing`);
  const byIndex = new Map<number, ResultLine>();
  for (const r of read) {
    const shard = parseShard(r.header.shard);
    for (const line of r.lines) {
      if (line.index % count !== shard.index) throw new ResultsError(`${r.file}: item ${line.index} does not belong to shard ${r.header.shard}`);
      if (byIndex.has(line.index)) throw new ResultsError(`${r.file}: item ${line.index} appears twice`);
      byIndex.set(line.index, line);
    }
  }
  if (byIndex.size !== first.header.datasetItems) {
    throw new ResultsError(`the shards hold ${byIndex.size} of ${first.header.datasetItems} items; finish every shard before merging`);
  }
  const header: ResultsHeader = { ...first.header, shard: '0/1' };
  const lines = [...byIndex.values()].sort((a, b) => a.index - b.index);
  await writeFileAtomic(outPath, `${JSON.stringify(header)}\n${lines.map((l) => `${JSON.stringify(l)}\n`).join('')}`);
  return { header, lines: lines.length, shards: count };
}
