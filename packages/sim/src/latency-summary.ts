export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Percentiles (nearest-rank, as load tools such as wrk and autocannon report them) of latencies in
 * ms, rounded to 0.01 ms; all zero for an empty sample.
 */
export function latencySummary(valuesMs: ArrayLike<number>): LatencySummary {
  const n = valuesMs.length;
  if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(valuesMs).sort();
  const rank = (p: number): number =>
    sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] ?? 0;
  const r = (v: number): number => Math.round(v * 100) / 100;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    p50: r(rank(0.5)),
    p90: r(rank(0.9)),
    p99: r(rank(0.99)),
    max: r(sorted[n - 1] ?? 0),
    mean: r(sum / n),
  };
}
