/**
 * The rank sum of the first sample in the pooled samples with average ranks for ties
 * (scipy.stats.rankdata, method='average'), and the tie term sum(t^3 - t) over tie groups.
 * Works on the two samples sorted separately: one merge pass, no per-value ranks needed.
 */
export interface RankSum {
  r1: number;
  tieTerm: number;
  hasTies: boolean;
}

export function rankSumSorted(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): RankSum {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let r1 = 0;
  let tieTerm = 0;
  let below = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && sortedA[i] <= sortedB[j]) ? sortedA[i] : sortedB[j];
    let countA = 0;
    let countB = 0;
    while (i < n1 && sortedA[i] === value) {
      i++;
      countA++;
    }
    while (j < n2 && sortedB[j] === value) {
      j++;
      countB++;
    }
    const t = countA + countB;
    // the group holds ranks below+1 .. below+t; each member gets their average
    r1 += countA * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  return { r1, tieTerm, hasTies: tieTerm > 0 };
}
