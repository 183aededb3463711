/**
 * Every benchmark suite `npm run bench` runs. To add one, export a BenchSuite (bench/types.ts) from a
 * module under bench/ and list it here.
 */
import { datasetScaling, probingVsSklearn, statsLarge } from './analysis-benches';
import { scaleLadder } from './scale-benches';
import { batchedReconstruction, fullTraceVsPytorch, perStepScaling } from './trace-benches';
import { panelFirstPaint } from './panel-benches';
import type { BenchSuite } from './types';

export const suites: BenchSuite[] = [fullTraceVsPytorch, perStepScaling, batchedReconstruction, probingVsSklearn, statsLarge, datasetScaling, panelFirstPaint, scaleLadder];
