export interface FitLogisticOptions {
  /** L2 penalty on the weights (not the bias), per sample. Default 0.01. */
  l2?: number;
  /** Full-batch gradient steps. Default 2000. */
  iterations?: number;
  /** Step size. Default 0.5 (features standardised, so the loss is well conditioned). */
  learningRate?: number;
}

/**
 * Binary logistic regression by full-batch gradient descent on the L2-penalised mean log-loss
 * (Hastie, Tibshirani & Friedman, "The Elements of Statistical Learning", 2nd ed., §4.4).
 * `x` rows are standardised features with no NaN; returns bias and weights.
 */
export function fitLogistic(
  x: readonly Float64Array[],
  y: readonly boolean[],
  options: FitLogisticOptions = {},
): { bias: number; weights: number[]; loss: number } {
  const { l2 = 0.01, iterations = 2000, learningRate = 0.5 } = options;
  const n = x.length;
  const d = x[0]?.length ?? 0;
  if (n === 0 || y.length !== n)
    throw new RangeError('fitLogistic needs as many labels as rows, at least one');
  const w = new Float64Array(d);
  const positives = y.filter(Boolean).length;
  // Start at the prior log-odds (smoothed), so a class absent from training stays improbable.
  let b = Math.log((positives + 0.5) / (n - positives + 0.5));
  const grad = new Float64Array(d);
  let loss = 0;
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    let gb = 0;
    loss = 0;
    for (let i = 0; i < n; i++) {
      const row = x[i] ?? new Float64Array(d);
      let s = b;
      for (let j = 0; j < d; j++) s += (w[j] ?? 0) * (row[j] ?? 0);
      const p = 1 / (1 + Math.exp(-s));
      const target = y[i] === true ? 1 : 0;
      loss -= target === 1 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
      const e = p - target;
      gb += e;
      for (let j = 0; j < d; j++) grad[j] = (grad[j] ?? 0) + e * (row[j] ?? 0);
    }
    b -= (learningRate * gb) / n;
    for (let j = 0; j < d; j++)
      w[j] = (w[j] ?? 0) - learningRate * ((grad[j] ?? 0) / n + l2 * (w[j] ?? 0));
  }
  let penalty = 0;
  for (const v of w) penalty += v * v;
  return { bias: b, weights: Array.from(w), loss: loss / n + (l2 / 2) * penalty };
}
