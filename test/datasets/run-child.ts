/** Child process for the SIGKILL test: runs the fake processor over a dataset into a results file. */
import { join } from 'node:path';
import { readDataset } from '../../src/runtime/datasets/read';
import { runDataset } from '../../src/studies/runner';

async function main(): Promise<void> {
  const [dataset, resultsPath, workers, spinMs] = process.argv.slice(2);
  const { items } = await readDataset(dataset);
  await runDataset({
    items,
    resultsPath,
    header: { format: 'latent-trace/results', version: 1, task: 'fake', dataset, shard: '0/1', datasetItems: items.length, config: { spinMs: Number(spinMs) } },
    processor: { module: join(__dirname, 'fake-processor.ts'), options: { spinMs: Number(spinMs) } },
    workers: Number(workers),
  });
}

void main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
