/**
 * The studies' public API: `runStudy(kind, options)` runs one study, locally (worker processes) or
 * as one shard of it; the types say what each study takes, reports and emits as it runs.
 */
import { attentionStudy, causalStudy, probingStudy, stepsStudy } from './studies';
import type { StudyKind, StudyOptionsOf, StudyOutcome, StudyReportOf } from './types';

export * from './types';
export { ATTENTION_MEASURE } from './studies';
export { MAX_WORKERS } from './task';

const STUDIES: { [K in StudyKind]: (o: StudyOptionsOf[K]) => Promise<StudyOutcome<StudyReportOf[K]>> } = {
  probe: probingStudy,
  attention: attentionStudy,
  steps: stepsStudy,
  causal: causalStudy,
};

export function runStudy<K extends StudyKind>(kind: K, options: StudyOptionsOf[K]): Promise<StudyOutcome<StudyReportOf[K]>> {
  const study: (o: StudyOptionsOf[K]) => Promise<StudyOutcome<StudyReportOf[K]>> = STUDIES[kind];
  return study(options);
}
