import { SignalInputError } from '../errors.js';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { assertRgbSeries, type RgbSeries } from './rgb-series.js';

export interface ChromPulseOptions {
  /** Length of the Hann windows of the overlap-add, seconds. Default 1.6 s. */
  windowSeconds?: number;
  /** Pass band of the chrominance signals before alpha tuning, Hz. Default 0.7. */
  minHz?: number;
  /** Default 4 Hz (240 bpm). */
  maxHz?: number;
}

/**
 * The chrominance pulse (CHROM; de Haan & Jeanne, "Robust pulse rate from chrominance-based
 * rPPG", IEEE TBME 60(10), 2013). The colour is divided by its moving mean (one window long),
 * two chrominance signals X = 3R − 2G and Y = 1.5R + G − 1.5B are band-passed, and in each
 * half-overlapping Hann window S = X − (σX/σY)·Y is overlap-added. The output is band-limited.
 *
 * @param rgb mean skin colour per sample (any positive scale), uniform at `fs` Hz.
 * @param fs sampling rate in Hz.
 */
export function chromPulse(
  rgb: RgbSeries,
  fs: number,
  options: ChromPulseOptions = {},
): Float64Array {
  if (!Number.isFinite(fs) || fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'fs', 'fs must be a positive number of Hz');
  }
  const windowSeconds = options.windowSeconds ?? 1.6;
  let l = Math.max(4, Math.ceil(windowSeconds * fs));
  if (l % 2 === 1) l += 1;
  const n = assertRgbSeries(rgb, l);
  const minHz = options.minHz ?? 0.7;
  const maxHz = Math.min(options.maxHz ?? 4, 0.45 * fs);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const halfL = l >> 1;
  // Moving means by prefix sums, a centred window of l samples (shortened at the edges).
  const prefix = [rgb.r, rgb.g, rgb.b].map((c) => {
    const p = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) p[i + 1] = (p[i] ?? 0) + (c[i] ?? 0);
    return p;
  });
  const [pr, pg, pb] = prefix as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - halfL);
    const e = Math.min(n, i + halfL);
    const count = e - a;
    const rn = (rgb.r[i] ?? 0) / (((pr[e] ?? 0) - (pr[a] ?? 0)) / count);
    const gn = (rgb.g[i] ?? 0) / (((pg[e] ?? 0) - (pg[a] ?? 0)) / count);
    const bn = (rgb.b[i] ?? 0) / (((pb[e] ?? 0) - (pb[a] ?? 0)) / count);
    x[i] = 3 * rn - 2 * gn;
    y[i] = 1.5 * rn + gn - 1.5 * bn;
  }
  const sections = designBandpass({ lowHz: minHz, highHz: maxHz, fs });
  const xf = filtfilt(x, sections);
  const yf = filtfilt(y, sections);
  const out = new Float64Array(n);
  for (let start = 0; start + l <= n; start += halfL) {
    let mx = 0;
    let my = 0;
    for (let j = 0; j < l; j++) {
      mx += xf[start + j] ?? 0;
      my += yf[start + j] ?? 0;
    }
    mx /= l;
    my /= l;
    let vx = 0;
    let vy = 0;
    for (let j = 0; j < l; j++) {
      vx += ((xf[start + j] ?? 0) - mx) ** 2;
      vy += ((yf[start + j] ?? 0) - my) ** 2;
    }
    const alpha = vy > 0 ? Math.sqrt(vx / vy) : 0;
    for (let j = 0; j < l; j++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / l);
      const s = (xf[start + j] ?? 0) - mx - alpha * ((yf[start + j] ?? 0) - my);
      out[start + j] = (out[start + j] ?? 0) + w * s;
    }
  }
  return out;
}
