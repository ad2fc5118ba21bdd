/**
 * Sorts v[0, n) ascending in place by insertion. For the short runs the streaming analysis sorts
 * at every beat or packet (medians of ≤ 32 RR intervals or QRS widths) this is cheaper than
 * `Array.prototype.sort` on a copy with a comparator, and for finite numbers it gives the same
 * order. Internal: not exported from the package.
 *
 * @param v values; only the first `n` are touched
 * @param n how many to sort (0 ≤ n ≤ v.length)
 */
export function sortSmallInPlace(v: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > v.length)
    throw new RangeError(`sortSmallInPlace: n must be an integer in [0, ${v.length}], got ${n}`);
  for (let i = 1; i < n; i++) {
    const x = v[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (v[j] ?? 0) > x) {
      v[j + 1] = v[j] ?? 0;
      j--;
    }
    v[j + 1] = x;
  }
}
