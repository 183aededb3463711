/**
 * The probing pairs (LaRe appendix B, made leak-free): positives pair an item's latent vector with its
 * own target; negatives pair it with another item's target, balanced over three types:
 * - different-question/same-image: another question asked about the same image,
 * - different-image/same-question: the same question text on another image,
 * - random: any item on another image (the paper's in-batch negatives).
 * A negative whose target equals the item's own (same targetKey, e.g. identical rationale text) is
 * never drawn: it would be a positive in disguise.
 * Images are split first (testFraction of them to test), then each split's pairs are drawn only from
 * its own images, so no image is in both train and test; each stratum (positive and the three
 * negative types) gets round(count * testFraction) test pairs. A negative type that a split cannot
 * supply (e.g. one question per image) is filled with random negatives and counted as random.
 */
import type { NegativeType } from '../../shared/reports';
import { createRandom, shuffleInPlace, type Random } from '../random';

export const NEGATIVE_TYPES: NegativeType[] = ['different-question-same-image', 'different-image-same-question', 'random'];

export interface ProbeItemKey {
  image: string;
  question: string;
  /** items with equal targetKey have the same target (same rationale text, same image region) */
  targetKey: string;
}

export type PairType = 'positive' | NegativeType;

export interface ProbePair {
  latent: number;
  target: number;
  label: 0 | 1;
  type: PairType;
  split: 'train' | 'test';
}

export interface PairOptions {
  total?: number;
  testFraction?: number;
  seed?: number;
}

export interface PairSet {
  pairs: ProbePair[];
  counts: { total: number; positive: number; negative: Record<NegativeType, number> };
}

export function buildPairs(items: ProbeItemKey[], options: PairOptions = {}): PairSet {
  const total = options.total ?? 1000;
  const testFraction = options.testFraction ?? 0.3;
  if (!Number.isInteger(total) || total < 4) throw new RangeError(`pairs: total must be an integer >= 4, got ${total}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`pairs: testFraction must be in (0, 1), got ${testFraction}`);
  const random = createRandom(options.seed ?? 0);
  const images = [...new Set(items.map((it) => it.image))].sort();
  if (images.length < 4) throw new RangeError(`pairs: need at least 4 distinct images, got ${images.length}`);
  shuffleInPlace(images, random);
  const testImageCount = Math.min(images.length - 2, Math.max(2, Math.round(images.length * testFraction)));
  const testImages = new Set(images.slice(0, testImageCount));
  const splitItems = { train: [] as number[], test: [] as number[] };
  items.forEach((it, i) => splitItems[testImages.has(it.image) ? 'test' : 'train'].push(i));

  const positive = Math.floor(total / 2);
  const negativeTotal = total - positive;
  const strata: Array<[PairType, number]> = [['positive', positive]];
  NEGATIVE_TYPES.forEach((type, k) => strata.push([type, Math.floor(negativeTotal / 3) + (k < negativeTotal % 3 ? 1 : 0)]));

  const pairs: ProbePair[] = [];
  for (const split of ['train', 'test'] as const) {
    const sampler = new SplitSampler(items, splitItems[split], random);
    for (const [type, count] of strata) {
      const testCount = Math.round(count * testFraction);
      const n = split === 'test' ? testCount : count - testCount;
      for (let k = 0; k < n; k++) pairs.push({ ...sampler.draw(type), split });
    }
  }
  const negative = Object.fromEntries(NEGATIVE_TYPES.map((t) => [t, pairs.filter((p) => p.type === t).length])) as Record<NegativeType, number>;
  return { pairs, counts: { total: pairs.length, positive: pairs.filter((p) => p.label === 1).length, negative } };
}

/** draws pairs of one split, avoiding repeats until the split runs out of distinct pairs */
class SplitSampler {
  private readonly seen = new Set<string>();
  private readonly byImage = new Map<string, number[]>();
  private readonly byQuestion = new Map<string, number[]>();
  private readonly partners: Record<Exclude<NegativeType, 'random'>, Map<number, number[]>>;
  private readonly anchors: Record<Exclude<NegativeType, 'random'>, number[]>;
  private positiveOrder: number[] = [];

  constructor(
    private readonly items: ProbeItemKey[],
    private readonly members: number[],
    private readonly random: Random,
  ) {
    if (members.length < 2) throw new RangeError('pairs: a split has fewer than two items');
    for (const i of members) {
      push(this.byImage, items[i].image, i);
      push(this.byQuestion, items[i].question, i);
    }
    const sameImage = new Map<number, number[]>();
    const sameQuestion = new Map<number, number[]>();
    for (const i of members) {
      const a = items[i];
      const si = (this.byImage.get(a.image) ?? []).filter((j) => items[j].question !== a.question && items[j].targetKey !== a.targetKey);
      const sq = (this.byQuestion.get(a.question) ?? []).filter((j) => items[j].image !== a.image && items[j].targetKey !== a.targetKey);
      if (si.length) sameImage.set(i, si);
      if (sq.length) sameQuestion.set(i, sq);
    }
    this.partners = { 'different-question-same-image': sameImage, 'different-image-same-question': sameQuestion };
    this.anchors = { 'different-question-same-image': [...sameImage.keys()], 'different-image-same-question': [...sameQuestion.keys()] };
  }

  draw(type: PairType): Omit<ProbePair, 'split'> {
    // positives cycle through the split's items, so they repeat only when the split has too few
    if (type === 'positive') return this.positive();
    if (type !== 'random' && this.anchors[type].length > 0) {
      const anchors = this.anchors[type];
      const partners = this.partners[type];
      return this.unique(() => {
        const a = anchors[this.random.int(anchors.length)];
        const candidates = partners.get(a) as number[];
        return { latent: a, target: candidates[this.random.int(candidates.length)], label: 0, type };
      });
    }
    return this.unique(() => this.randomNegative());
  }

  private positive(): Omit<ProbePair, 'split'> {
    if (this.positiveOrder.length === 0) {
      this.positiveOrder = [...this.members];
      shuffleInPlace(this.positiveOrder, this.random);
    }
    const i = this.positiveOrder.pop() as number;
    return { latent: i, target: i, label: 1, type: 'positive' };
  }

  private randomNegative(): Omit<ProbePair, 'split'> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const a = this.members[this.random.int(this.members.length)];
      const b = this.members[this.random.int(this.members.length)];
      if (this.items[a].image !== this.items[b].image && this.items[a].targetKey !== this.items[b].targetKey) {
        return { latent: a, target: b, label: 0, type: 'random' };
      }
    }
    throw new RangeError('pairs: a split has no two items on different images with different targets');
  }

  private unique(draw: () => Omit<ProbePair, 'split'>): Omit<ProbePair, 'split'> {
    let pair = draw();
    for (let attempt = 0; attempt < 50 && this.seen.has(`${pair.latent}:${pair.target}`); attempt++) pair = draw();
    this.seen.add(`${pair.latent}:${pair.target}`);
    return pair;
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
