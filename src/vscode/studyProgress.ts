/**
 * Reading the dataset commands' progress lines, and where a study keeps its files. No vscode import:
 * unit-tested in plain Node.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';

export type Study = 'probe' | 'attention' | 'steps';

/**
 * Turns the runner's stderr lines into progress: "[<model> <task>] done/total" per model pass (a
 * study makes `passes` of them, 90 % of the bar), then "[probe k/n] …" per probe cell (the last 8 %).
 */
export function progressParser(report: (message: string, fraction: number) => void, passes: number): (line: string) => void {
  let pass = -1;
  let current = '';
  return (line) => {
    const run = /^\[(.+) (attention|probe|steps)\] (\d+)\/(\d+)$/.exec(line);
    if (run) {
      if (run[1] + run[2] !== current) {
        current = run[1] + run[2];
        pass++;
      }
      const share = 0.9 / passes;
      report(`${run[1]}: item ${run[3]} of ${run[4]}`, 0.02 + share * pass + (share * Number(run[3])) / Number(run[4]));
      return;
    }
    const cell = /^\[probe (\d+)\/(\d+)\] (.*)$/.exec(line);
    if (cell) report(`probe ${cell[1]} of ${cell[2]}: ${cell[3]}`, 0.92 + (0.08 * Number(cell[1])) / Number(cell[2]));
  };
}

/** A folder per study, dataset and configuration: rerunning the same study resumes it after a cancel or crash. */
export function studyFolder(results: string, study: Study, dataset: string, argv: readonly string[]): string {
  const stem = path.basename(dataset).replace(/\.(jsonl|parquet)$/i, '').replace(/[^\w.-]+/g, '-');
  const config = createHash('sha256').update(JSON.stringify(argv)).digest('hex').slice(0, 10);
  return path.join(results, 'reports', `${study}-${stem}-${config}`);
}
