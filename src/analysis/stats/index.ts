export { describe, mean, std, variance, sum, percentileSorted } from './descriptive';
export { tTest, studentTTest, welchTTest, type VarianceAssumption } from './tTest';
export { mannWhitneyU, exactSf, type Alternative, type MannWhitneyMethod, type MannWhitneyOptions } from './mannWhitney';
export { cohensD, rankBiserial } from './effectSize';
export { bootstrapMeanDifferenceCI, bootstrapIndicesCI, meanDifferenceCI, BOOTSTRAP_MAX_VALUES, DEFAULT_BOOTSTRAP, type BootstrapOptions } from './bootstrap';
export { bootstrapMeanCI, mcnemarExact, mcnemarP, pairedTTest, type McNemarResult } from './paired';
export { compareSamples, type CompareOptions } from './compare';
export { normalCdf, normalSf, normalQuantile } from './normal';
export type { Sample } from './sample';
