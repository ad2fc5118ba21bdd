/**
 * Reference label of each detected beat: the label of the reference beat it matches within
 * `toleranceS` (EC57: 150 ms; greedy in time order, nearest unused detection, as `scoreMatched`
 * pairs them), 4 (Q, not used for training) for a detection matching no reference beat.
 *
 * The trainer uses it to learn from the features the live path computes: at the detector's beat
 * positions and RR intervals, not the annotators' (a detector may place a ventricular beat tens
 * of milliseconds from its annotation, which shifts its RR features).
 *
 * @param refPeaks reference beat positions (samples, increasing)
 * @param refLabels AAMI class index of each reference beat
 * @param detPeaks detected beat positions (samples, increasing)
 * @param fs sampling rate in Hz
 * @param toleranceS match window in s, default 0.15
 */
export function labelDetectedBeats(
  refPeaks: Int32Array,
  refLabels: Int32Array,
  detPeaks: Int32Array,
  fs: number,
  toleranceS = 0.15,
): Int32Array {
  if (refPeaks.length !== refLabels.length) {
    throw new RangeError('refPeaks and refLabels must have the same length');
  }
  if (!(fs > 0)) throw new RangeError('fs must be > 0');
  const tol = Math.round(toleranceS * fs);
  const labels = new Int32Array(detPeaks.length).fill(4);
  const used = new Uint8Array(detPeaks.length);
  let j = 0;
  for (let i = 0; i < refPeaks.length; i++) {
    const r = refPeaks[i] ?? 0;
    while (j < detPeaks.length && (detPeaks[j] ?? 0) < r - tol) j++;
    let best = -1;
    for (let k = j; k < detPeaks.length && (detPeaks[k] ?? 0) <= r + tol; k++) {
      if (used[k]) continue;
      if (best < 0 || Math.abs((detPeaks[k] ?? 0) - r) < Math.abs((detPeaks[best] ?? 0) - r)) {
        best = k;
      }
    }
    if (best < 0) continue;
    used[best] = 1;
    labels[best] = refLabels[i] ?? 4;
  }
  return labels;
}
