/** A study's report on disk: <stem>.report.json, <stem>.csv and <stem>.md, each written atomically. */
import { join } from 'node:path';
import type { Tables } from '../present/reportTables';
import { writeFileAtomic } from '../runtime/atomic';

export async function writeReportFiles(out: string, stem: string, report: unknown, tables: Tables): Promise<string[]> {
  const files = [join(out, `${stem}.report.json`), join(out, `${stem}.csv`), join(out, `${stem}.md`)];
  await writeFileAtomic(files[0], `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files[1], tables.csv);
  await writeFileAtomic(files[2], tables.markdown);
  return files;
}
