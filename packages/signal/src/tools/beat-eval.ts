/** Scoring of classified beats against reference annotations, at reference or detected positions. */
import type { BeatClass } from '../arrhythmia/types.js';
import { CLASS_INDEX } from './beat-dataset.js';

/** Rows = reference class (N, SVEB, VEB, F, Q), columns = predicted class (same order). */
export type Confusion = number[][];

export function emptyConfusion(): Confusion {
  return Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
}

export interface MatchedScore {
  confusion: Confusion;
  /** Reference beats (by class index) with no detection within the tolerance. */
  missed: number[];
  /** Detections with no reference beat, by predicted class index. */
  extra: number[];
}

/**
 * Matches detected beats to reference beats within `toleranceS` (EC57: 150 ms), greedily in time
 * order, and scores the classes of matched pairs. Reference Q beats are kept in row 4.
 */
export function scoreMatched(
  refPeaks: Int32Array,
  refLabels: Int32Array,
  detPeaks: Int32Array | readonly number[],
  detClasses: readonly BeatClass[],
  fs: number,
  toleranceS = 0.15,
  skipBeforeSample = 0,
): MatchedScore {
  const tol = Math.round(toleranceS * fs);
  const confusion = emptyConfusion();
  const missed = [0, 0, 0, 0, 0];
  const extra = [0, 0, 0, 0, 0];
  let j = 0;
  const used = new Uint8Array(detPeaks.length);
  for (let i = 0; i < refPeaks.length; i++) {
    const r = refPeaks[i] ?? 0;
    while (j < detPeaks.length && (detPeaks[j] ?? 0) < r - tol) j++;
    let best = -1;
    for (let k = j; k < detPeaks.length && (detPeaks[k] ?? 0) <= r + tol; k++) {
      if (used[k]) continue;
      if (best < 0 || Math.abs((detPeaks[k] ?? 0) - r) < Math.abs((detPeaks[best] ?? 0) - r))
        best = k;
    }
    if (r < skipBeforeSample) {
      if (best >= 0) used[best] = 1;
      continue;
    }
    const y = refLabels[i] ?? 4;
    if (best < 0) {
      missed[y] = (missed[y] ?? 0) + 1;
      continue;
    }
    used[best] = 1;
    const p = CLASS_INDEX[detClasses[best] ?? 'Q'];
    const row = confusion[y];
    if (row) row[p] = (row[p] ?? 0) + 1;
  }
  for (let k = 0; k < detPeaks.length; k++) {
    if (used[k] || (detPeaks[k] ?? 0) < skipBeforeSample) continue;
    const p = CLASS_INDEX[detClasses[k] ?? 'Q'];
    extra[p] = (extra[p] ?? 0) + 1;
  }
  return { confusion, missed, extra };
}

export function addScore(into: MatchedScore, from: MatchedScore): void {
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 5; c++) {
      const row = into.confusion[r];
      if (row) row[c] = (row[c] ?? 0) + (from.confusion[r]?.[c] ?? 0);
    }
    into.missed[r] = (into.missed[r] ?? 0) + (from.missed[r] ?? 0);
    into.extra[r] = (into.extra[r] ?? 0) + (from.extra[r] ?? 0);
  }
}

export function emptyScore(): MatchedScore {
  return { confusion: emptyConfusion(), missed: [0, 0, 0, 0, 0], extra: [0, 0, 0, 0, 0] };
}

const pct = (v: number): string =>
  Number.isFinite(v) ? (100 * v).toFixed(1).padStart(6) : '     -';

/**
 * Confusion matrix plus per-class Se/+P/FPR. Missed reference beats count as false negatives of
 * their class; unmatched detections count as false positives of the class they were given.
 */
export function formatScore(s: MatchedScore, title: string): string {
  const names = ['N', 'SVEB', 'VEB', 'F', 'Q'];
  const m = s.confusion;
  const cell = (r: number, c: number): number => m[r]?.[c] ?? 0;
  const lines = [
    title,
    `${'ref\\pred'.padEnd(9)}${names.map((n) => n.padStart(8)).join('')}  missed`,
  ];
  for (let r = 0; r < 5; r++) {
    lines.push(
      `${(names[r] ?? '').padEnd(9)}${names.map((_, c) => String(cell(r, c)).padStart(8)).join('')}${String(s.missed[r] ?? 0).padStart(8)}`,
    );
  }
  lines.push(
    `${'extra'.padEnd(9)}${names.map((_, c) => String(s.extra[c] ?? 0).padStart(8)).join('')}`,
  );
  lines.push('class      Se%    +P%   FPR%      TP      FN      FP');
  let total = 0;
  let correct = 0;
  for (let k = 0; k < 4; k++) {
    const tp = cell(k, k);
    let fn = s.missed[k] ?? 0;
    let fp = s.extra[k] ?? 0;
    let tn = 0;
    for (let c = 0; c < 5; c++) {
      if (c !== k) fn += cell(k, c);
    }
    for (let r = 0; r < 4; r++) {
      if (r === k) continue;
      fp += cell(r, k);
      for (let c = 0; c < 5; c++) if (c !== k) tn += cell(r, c);
    }
    total += tp + fn;
    correct += tp;
    lines.push(
      `${(names[k] ?? '').padEnd(6)} ${pct(tp / (tp + fn))} ${pct(tp / (tp + fp))} ${pct(fp / (fp + tn))} ${String(tp).padStart(7)} ${String(fn).padStart(7)} ${String(fp).padStart(7)}`,
    );
  }
  lines.push(
    `accuracy over scored reference beats (N, SVEB, VEB, F): ${pct(correct / total)}% of ${total}`,
  );
  return lines.join('\n');
}
