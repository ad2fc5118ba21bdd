/** AAMI-style scoring of beat classification (tools only). */

export const SCORED_CLASSES = ['N', 'SVEB', 'VEB', 'F'] as const;

/** Confusion matrix: rows = reference class (N, SVEB, VEB, F, Q), columns = predicted (N, SVEB, VEB, F, Q). */
export type Confusion = number[][];

export function emptyConfusion(): Confusion {
  return Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
}

export function addConfusion(into: Confusion, from: Confusion): void {
  for (let r = 0; r < 5; r++) {
    const a = into[r];
    const b = from[r];
    if (!a || !b) continue;
    for (let c = 0; c < 5; c++) a[c] = (a[c] ?? 0) + (b[c] ?? 0);
  }
}

const cell = (m: Confusion, r: number, c: number): number => m[r]?.[c] ?? 0;

export interface ClassScore {
  cls: string;
  se: number;
  ppv: number;
  fpr: number;
  tp: number;
  fn: number;
  fp: number;
}

/**
 * Per-class sensitivity, positive predictivity and false-positive rate following de Chazal et al.
 * 2004 / EC57: reference Q beats are not scored; predicted Q counts as a miss for the true class.
 */
export function classScores(m: Confusion): ClassScore[] {
  const out: ClassScore[] = [];
  for (let k = 0; k < 4; k++) {
    const tp = cell(m, k, k);
    let fn = 0;
    let fp = 0;
    let tn = 0;
    for (let c = 0; c < 5; c++) if (c !== k) fn += cell(m, k, c);
    for (let r = 0; r < 4; r++) {
      if (r === k) continue;
      fp += cell(m, r, k);
      for (let c = 0; c < 5; c++) if (c !== k) tn += cell(m, r, c);
    }
    out.push({
      cls: SCORED_CLASSES[k] ?? '',
      se: tp + fn > 0 ? tp / (tp + fn) : NaN,
      ppv: tp + fp > 0 ? tp / (tp + fp) : NaN,
      fpr: fp + tn > 0 ? fp / (fp + tn) : NaN,
      tp,
      fn,
      fp,
    });
  }
  return out;
}

const pct = (v: number): string =>
  Number.isFinite(v) ? (100 * v).toFixed(1).padStart(6) : '     -';

export function formatConfusion(m: Confusion, title: string): string {
  const names = ['N', 'SVEB', 'VEB', 'F', 'Q'];
  const lines = [title, `${'ref\\pred'.padEnd(9)}${names.map((n) => n.padStart(8)).join('')}`];
  for (let r = 0; r < 5; r++) {
    lines.push(
      `${(names[r] ?? '').padEnd(9)}${names.map((_, c) => String(cell(m, r, c)).padStart(8)).join('')}`,
    );
  }
  let total = 0;
  let correct = 0;
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 5; c++) total += cell(m, r, c);
    correct += cell(m, r, r);
  }
  lines.push('class      Se%    +P%   FPR%      TP      FN      FP');
  for (const s of classScores(m)) {
    lines.push(
      `${s.cls.padEnd(6)} ${pct(s.se)} ${pct(s.ppv)} ${pct(s.fpr)} ${String(s.tp).padStart(7)} ${String(s.fn).padStart(7)} ${String(s.fp).padStart(7)}`,
    );
  }
  lines.push(
    `accuracy (N, SVEB, VEB, F reference beats): ${pct(total > 0 ? correct / total : NaN)}% of ${total}`,
  );
  return lines.join('\n');
}
