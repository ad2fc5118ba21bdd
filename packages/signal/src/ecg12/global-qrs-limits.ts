/** Fraction of the peak spatial velocity under which the QRS has begun / ended. */
const SV_FRACTION = 0.03;
/** How long the spatial velocity must stay under the threshold, ms. */
const SV_QUIET_MS = 8;

/**
 * Global QRS onset and offset from the spatial velocity of the median beats of all leads (12 in
 * `measureEcg12`; any number in `measureMultiLeadQrs`) (the method of the
 * Glasgow and Mortara programs, which delineate all leads at once; Macfarlane et al., Comput
 * Cardiol 2005): SV(t) = √Σ_l (Δx_l(t) / σ_l)², Δ the central difference over ±2 ms and σ_l the
 * lead's standard deviation over the record, so the result does not change when the leads are
 * rescaled one by one (per-lead normalised input measures like millivolts). Walking out from the
 * SV peak (within ±60 ms of the beat fiducial), the onset / offset is the first sample from which
 * SV stays below its threshold for 8 ms; the threshold is 3 % of the peak, or three times the
 * SV of the quietest 20 ms of the beat when noise is higher.
 *
 * Why not the earliest onset / latest offset of twelve per-lead delineations: a lead with a
 * small QRS has a small peak slope, so a threshold relative to it is crossed by its ST slope or
 * noise, and the second-latest of 12 such offsets read normal QRS complexes as 110-125 ms (CinC
 * 2021 PTB-XL records annotated normal). The spatial velocity is dominated by the leads where the
 * QRS is large, and a lead still moving when the others have stopped holds it above 3 %.
 * On LUDB record 1 (3 %): offset 42 ms after the fiducial, as the second latest of the cardiologists'
 * per-lead marks, onset 10 ms later than their second earliest (QRS 96 vs 108 ms; 4 %: 92 ms).
 */
export function globalQrsLimits(
  beats: readonly Float64Array[],
  sigma: readonly number[],
  fiducial: number,
  fs: number,
): { onset: number; offset: number } {
  const ms = (v: number): number => Math.max(1, Math.round((v * fs) / 1000));
  const len = beats[0]?.length ?? 0;
  const d = ms(2);
  // A disconnected (flat) lead has σ ≈ 0: it would weigh its rounding noise without limit.
  // Typical σ: the median over the leads (of 12: the mean of the 6th and 7th).
  const sorted = [...sigma].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const typical =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const weight = sigma.map((s) => (s > 0.01 * typical ? 1 / s : 0));
  const sv = new Float64Array(len);
  for (let t = d; t < len - d; t++) {
    let s = 0;
    for (let l = 0; l < beats.length; l++) {
      const b = beats[l] ?? new Float64Array(0);
      const v = ((b[t + d] ?? 0) - (b[t - d] ?? 0)) * (weight[l] ?? 0);
      s += v * v;
    }
    sv[t] = Math.sqrt(s);
  }
  let peakAt = fiducial;
  for (let t = Math.max(d, fiducial - ms(60)); t <= Math.min(len - 1 - d, fiducial + ms(60)); t++)
    if ((sv[t] ?? 0) > (sv[peakAt] ?? 0)) peakAt = t;
  const w = ms(20);
  let quietest = Infinity;
  let run = 0;
  for (let t = d; t < len - d; t++) {
    run += sv[t] ?? 0;
    if (t - d >= w) run -= sv[t - w] ?? 0;
    if (t - d >= w - 1) quietest = Math.min(quietest, run / w);
  }
  const threshold = Math.max(SV_FRACTION * (sv[peakAt] ?? 0), 3 * quietest);
  const quiet = ms(SV_QUIET_MS);
  const settle = (step: 1 | -1, limit: number): number => {
    for (let t = peakAt; step < 0 ? t - quiet >= limit : t + quiet <= limit; t += step) {
      let settled = true;
      for (let j = 0; j < quiet; j++) {
        if ((sv[t + step * j] ?? 0) >= threshold) {
          settled = false;
          break;
        }
      }
      if (settled) return t;
    }
    return NaN;
  };
  const onset = settle(-1, Math.max(d, peakAt - ms(150)));
  const offset = settle(1, Math.min(len - 1 - d, peakAt + ms(200)));
  return {
    onset: Number.isFinite(onset) ? onset : fiducial - ms(40),
    offset: Number.isFinite(offset) ? offset : fiducial + ms(50),
  };
}
