import { SignalInputError } from '../errors.js';
import { assertRgbSeries, type RgbSeries } from './rgb-series.js';

export interface PosPulseOptions {
  /**
   * Length of the sliding window in seconds. Default 1.6 s: Wang et al. 2017 choose a window
   * that spans at least one cardiac cycle at the lowest rate (about 1.6 s at 20 fps, 32 frames).
   */
  windowSeconds?: number;
}

/**
 * The plane-orthogonal-to-skin pulse (POS; Wang, den Brinker, Stuijk & de Haan, "Algorithmic
 * principles of remote PPG", IEEE TBME 64(7), 2017, algorithm 1). In each sliding window the
 * colour is divided by its temporal mean, projected onto the plane orthogonal to the skin tone
 * (S1 = G − B, S2 = G + B − 2R), and the two projections are combined by alpha tuning
 * (h = S1 + σ(S1)/σ(S2)·S2), which cancels intensity changes that are the same in every
 * channel (illumination, specular flicker). The zero-mean windows are overlap-added. The output
 * is not band-passed.
 *
 * @param rgb mean skin colour per sample (any positive scale), uniform at `fs` Hz.
 * @param fs sampling rate in Hz.
 */
export function posPulse(rgb: RgbSeries, fs: number, options: PosPulseOptions = {}): Float64Array {
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'fs', 'fs must be a positive number of Hz');
  }
  const windowSeconds = options.windowSeconds ?? 1.6;
  const l = Math.max(2, Math.ceil(windowSeconds * fs));
  const n = assertRgbSeries(rgb, l);
  const { r, g, b } = rgb;
  const out = new Float64Array(n);
  const s1 = new Float64Array(l);
  const s2 = new Float64Array(l);
  for (let start = 0; start + l <= n; start++) {
    let mr = 0;
    let mg = 0;
    let mb = 0;
    for (let i = start; i < start + l; i++) {
      mr += r[i] ?? 0;
      mg += g[i] ?? 0;
      mb += b[i] ?? 0;
    }
    mr /= l;
    mg /= l;
    mb /= l;
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < l; j++) {
      const rn = (r[start + j] ?? 0) / mr;
      const gn = (g[start + j] ?? 0) / mg;
      const bn = (b[start + j] ?? 0) / mb;
      const a = gn - bn;
      const c = gn + bn - 2 * rn;
      s1[j] = a;
      s2[j] = c;
      m1 += a;
      m2 += c;
    }
    m1 /= l;
    m2 /= l;
    let v1 = 0;
    let v2 = 0;
    for (let j = 0; j < l; j++) {
      v1 += ((s1[j] ?? 0) - m1) ** 2;
      v2 += ((s2[j] ?? 0) - m2) ** 2;
    }
    const alpha = v2 > 0 ? Math.sqrt(v1 / v2) : 0;
    let mh = 0;
    for (let j = 0; j < l; j++) {
      const h = (s1[j] ?? 0) + alpha * (s2[j] ?? 0);
      s1[j] = h;
      mh += h;
    }
    mh /= l;
    for (let j = 0; j < l; j++) out[start + j] = (out[start + j] ?? 0) + (s1[j] ?? 0) - mh;
  }
  return out;
}
