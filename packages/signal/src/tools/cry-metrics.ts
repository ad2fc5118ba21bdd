/** Clip-level scores of the cry detector on a set of labelled clips (`eval:cry`, `train:cry`). */
export interface CryMetrics {
  nCry: number;
  nNotCry: number;
  /** Recall (sensitivity) for crying. */
  recall: number;
  /** Precision for crying. */
  precision: number;
  /** Share of non-cry clips called not crying. */
  specificity: number;
  /** (recall + specificity) / 2. */
  balancedAccuracy: number;
  /** (recall + mean over negative types of their specificity) / 2: each type counts the same. */
  typeBalancedAccuracy: number;
  /** False-positive rate and clip count of each negative type. */
  fprByType: Record<string, { n: number; fpr: number }>;
}

export function cryMetrics(
  clips: readonly { label: 0 | 1; type: string; probability: number }[],
  threshold = 0.5,
): CryMetrics {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  const byType = new Map<string, { n: number; fp: number }>();
  for (const c of clips) {
    const called = c.probability >= threshold;
    if (c.label === 1) {
      if (called) tp++;
      else fn++;
    } else {
      if (called) fp++;
      else tn++;
      const t = byType.get(c.type) ?? { n: 0, fp: 0 };
      t.n++;
      if (called) t.fp++;
      byType.set(c.type, t);
    }
  }
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const specificity = fp + tn === 0 ? 0 : tn / (fp + tn);
  const fprByType: Record<string, { n: number; fpr: number }> = {};
  let specSum = 0;
  for (const [type, t] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    fprByType[type] = { n: t.n, fpr: t.fp / t.n };
    specSum += 1 - t.fp / t.n;
  }
  return {
    nCry: tp + fn,
    nNotCry: fp + tn,
    recall,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    specificity,
    balancedAccuracy: (recall + specificity) / 2,
    typeBalancedAccuracy: byType.size === 0 ? recall : (recall + specSum / byType.size) / 2,
    fprByType,
  };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;

/** The metrics as the table printed by the tools and pasted in the model card. */
export function formatCryMetrics(m: CryMetrics): string {
  const lines = [
    `clips: ${m.nCry} crying, ${m.nNotCry} not crying`,
    `balanced accuracy ${pct(m.balancedAccuracy)} (type-balanced ${pct(m.typeBalancedAccuracy)})`,
    `crying: recall ${pct(m.recall)}, precision ${pct(m.precision)}; specificity ${pct(m.specificity)}`,
    'false-positive rate by negative type:',
    ...Object.entries(m.fprByType).map(
      ([t, v]) => `  ${t.padEnd(14)} ${pct(v.fpr).padStart(7)}  (n=${v.n})`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
