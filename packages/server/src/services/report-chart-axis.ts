export interface TrendAxisOptions {
  /**
   * Smallest span of the value axis, in the values' unit (default 1). A chart scaled to its data
   * alone draws a 1-bpm wobble over the chart's full height, which reads as a large change.
   */
  minSpan?: number;
  /** Lowest value the axis may show (default: none), e.g. 0 bpm. */
  floor?: number;
  /** Highest value the axis may show (default: none), e.g. 100 % SpO2. */
  ceiling?: number;
}

/**
 * The value range a trend chart's y-axis spans: the data's, widened around its middle to at
 * least `minSpan` and moved inside [floor, ceiling] when the widening crosses one of them.
 */
export function trendAxisRange(
  values: readonly number[],
  options: TrendAxisOptions = {},
): { lo: number; hi: number } {
  if (values.length === 0 || !values.every(Number.isFinite))
    throw new RangeError('trendAxisRange needs at least one value, all finite');
  const minSpan = options.minSpan ?? 1;
  if (!(minSpan > 0)) throw new RangeError('minSpan must be > 0');
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo >= minSpan) return { lo, hi };
  const mid = (lo + hi) / 2;
  lo = mid - minSpan / 2;
  hi = mid + minSpan / 2;
  if (options.ceiling !== undefined && hi > options.ceiling) {
    lo -= hi - options.ceiling;
    hi = options.ceiling;
  }
  if (options.floor !== undefined && lo < options.floor) {
    hi += options.floor - lo;
    lo = options.floor;
    if (options.ceiling !== undefined) hi = Math.min(hi, options.ceiling);
  }
  return { lo, hi };
}
