/**
 * A copy of `labels` in which every beat whose R peak (`peaks`, samples) lies inside one of
 * `intervals` ([start, end) in samples) gets the label `as` (default 4, Q: unclassifiable).
 *
 * Why: the re-timed views and probes (retimeBeats) copy a record's N beats as sinus beats, with
 * their P waves. MIT-BIH labels the beats of atrial fibrillation and flutter N, and they have no
 * sinus P wave, so inside the reference AF intervals an N beat is not a sinus beat (DS1 records
 * 201 and 203): masked, it is neither copied as a sinus beat nor as an SVEB.
 */
export function maskBeatsInIntervals(
  peaks: Int32Array | readonly number[],
  labels: Int32Array | readonly number[],
  intervals: readonly (readonly [number, number])[],
  as = 4,
): Int32Array {
  if (peaks.length !== labels.length) throw new RangeError('peaks and labels differ in length');
  const out = Int32Array.from(labels);
  if (intervals.length === 0) return out;
  for (let i = 0; i < peaks.length; i++) {
    const p = peaks[i] ?? 0;
    if (intervals.some(([s, e]) => p >= s && p < e)) out[i] = as;
  }
  return out;
}
