/**
 * A lead on which ventricular beats look like the normal ones (tests only): each beat of class
 * `V` that follows an `N` beat has its waveform from 250 ms before to 400 ms after its R peak
 * replaced by that N beat's, the ends joined by a linear ramp so that the baseline stays
 * continuous. Timing is untouched: the beats stay premature, with their compensatory pauses, as a
 * ventricular beat looks on a lead along which its QRS projects like the normal one.
 */
export function normalLookingVebs(
  ecgMv: Float64Array,
  fs: number,
  beats: readonly { sample: number; symbol: string }[],
): Float64Array {
  const out = Float64Array.from(ecgMv);
  const pre = Math.round(0.25 * fs);
  const post = Math.round(0.4 * fs);
  for (let i = 1; i < beats.length; i++) {
    const v = beats[i];
    const n = beats[i - 1];
    if (v?.symbol !== 'V' || n?.symbol !== 'N') continue;
    if (v.sample - pre < 0 || v.sample + post >= ecgMv.length || n.sample - pre < 0) continue;
    const d0 = (ecgMv[v.sample - pre] ?? 0) - (ecgMv[n.sample - pre] ?? 0);
    const d1 = (ecgMv[v.sample + post] ?? 0) - (ecgMv[n.sample + post] ?? 0);
    for (let k = -pre; k <= post; k++) {
      const t = (k + pre) / (pre + post);
      out[v.sample + k] = (ecgMv[n.sample + k] ?? 0) + d0 + (d1 - d0) * t;
    }
  }
  return out;
}
