import { SignalInputError } from '../errors.js';
import { assertIntervalSeries } from './assert-interval-series.js';
import type { HrvFrequencyDomain } from './hrv-types.js';

export interface HrvFrequencyDomainOptions {
  /**
   * Frequency bands in Hz, [low, high). Defaults: the Task Force 1996 short-term bands
   * VLF 0.0033–0.04, LF 0.04–0.15, HF 0.15–0.4.
   */
  bands?: { vlf: [number, number]; lf: [number, number]; hf: [number, number] };
  /** Grid oversampling relative to the natural resolution 1/T (default 4). */
  oversampling?: number;
  /** Upper bound on the number of evaluated frequencies; the grid is coarsened beyond it (default 4096). */
  maxFrequencies?: number;
  /** Shortest series accepted, ms (default 60 000: the Task Force minimum for HF; LF wants 2 min). */
  minDurationMs?: number;
}

const TASK_FORCE_BANDS = {
  vlf: [0.0033, 0.04] as [number, number],
  lf: [0.04, 0.15] as [number, number],
  hf: [0.15, 0.4] as [number, number],
};

/**
 * Frequency-domain HRV with the Lomb–Scargle periodogram (Lomb 1976; Scargle 1982), which handles
 * the uneven sampling of an NN series and the gaps left by excluded ectopic beats without
 * resampling or interpolation (Laguna, Moody & Mark, IEEE TBME 1998;45:698–715; Clifford &
 * Tarassenko, IEEE TBME 2005;52:630–8).
 *
 * The NN series is linearly detrended; the classical periodogram P(f) (the time-offset form of
 * Scargle) is scaled to a one-sided PSD S(f) = 2·P(f)·T/N in ms²/Hz, where T = N·mean spacing, so
 * that for even sampling ∫S df equals the variance (Parseval) and a sinusoidal RR modulation of
 * amplitude A ms puts A²/2 ms² in its band. Band powers are ∑S·Δf over [low, high).
 * The periodogram sums are accumulated with trigonometric recurrences over a uniform grid
 * (Press & Rybicki, ApJ 1989;338:277 use the same idea), O(N·F) multiply-adds.
 *
 * @param nnMs NN intervals in ms
 * @param beatTimesMs time of the beat that ends each interval, ms, strictly increasing
 */
export function hrvFrequencyDomain(
  nnMs: ArrayLike<number>,
  beatTimesMs: ArrayLike<number>,
  options: HrvFrequencyDomainOptions = {},
): HrvFrequencyDomain {
  assertIntervalSeries(nnMs, 'nnMs', 8);
  const {
    bands = TASK_FORCE_BANDS,
    oversampling = 4,
    maxFrequencies = 4096,
    minDurationMs = 60_000,
  } = options;
  // Callers from plain JavaScript can pass anything: check the runtime shape, not the type.
  const times: unknown = beatTimesMs;
  if (
    times === null ||
    typeof times !== 'object' ||
    (times as { length?: unknown }).length !== nnMs.length
  ) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'beatTimesMs',
      `beatTimesMs must have one time per interval (${nnMs.length})`,
    );
  }
  for (let i = 0; i < beatTimesMs.length; i++) {
    const t = beatTimesMs[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        `beatTimesMs[${i}]`,
        `beatTimesMs[${i}] is not a finite number`,
      );
    }
    if (i > 0 && t <= (beatTimesMs[i - 1] ?? 0)) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `beatTimesMs[${i}]`,
        'beatTimesMs must be strictly increasing',
      );
    }
  }
  if (!(oversampling >= 1) || !Number.isFinite(oversampling)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.oversampling',
      'oversampling must be ≥ 1',
    );
  }
  if (!Number.isInteger(maxFrequencies) || maxFrequencies < 16) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxFrequencies',
      'maxFrequencies must be an integer ≥ 16',
    );
  }
  for (const [name, band] of Object.entries(bands)) {
    if (!(band[0] >= 0 && band[1] > band[0] && Number.isFinite(band[1]))) {
      throw new SignalInputError(
        'INVALID_OPTION',
        `options.bands.${name}`,
        `band ${name} must be [low, high) with 0 ≤ low < high`,
      );
    }
  }
  const n = nnMs.length;
  const t0 = beatTimesMs[0] ?? 0;
  const spanS = ((beatTimesMs[n - 1] ?? 0) - t0) / 1000;
  if (spanS * 1000 < minDurationMs) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'beatTimesMs',
      `series spans ${Math.round(spanS * 1000)} ms, less than minDurationMs ${minDurationMs}`,
    );
  }
  // Times in s relative to the centre of the record keep the recurrences well conditioned.
  const tMid = spanS / 2;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = ((beatTimesMs[i] ?? 0) - t0) / 1000 - tMid;

  // Least-squares linear detrend.
  let sy = 0;
  let st = 0;
  for (let i = 0; i < n; i++) {
    sy += nnMs[i] ?? 0;
    st += t[i] ?? 0;
  }
  const my = sy / n;
  const mt = st / n;
  let stt = 0;
  let sty = 0;
  for (let i = 0; i < n; i++) {
    const dt = (t[i] ?? 0) - mt;
    stt += dt * dt;
    sty += dt * ((nnMs[i] ?? 0) - my);
  }
  const slope = stt > 0 ? sty / stt : 0;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = (nnMs[i] ?? 0) - my - slope * ((t[i] ?? 0) - mt);

  const periodS = (spanS * n) / (n - 1);
  const fMax = Math.max(bands.vlf[1], bands.lf[1], bands.hf[1]);
  let df = 1 / (oversampling * periodS);
  if (fMax / df > maxFrequencies) df = fMax / maxFrequencies;
  const nf = Math.floor(fMax / df);
  const frequenciesHz = new Float64Array(nf);
  for (let k = 0; k < nf; k++) frequenciesHz[k] = (k + 1) * df;

  const yc = new Float64Array(nf);
  const ys = new Float64Array(nf);
  const c2 = new Float64Array(nf);
  const s2 = new Float64Array(nf);
  for (let j = 0; j < n; j++) {
    const tj = t[j] ?? 0;
    const yj = y[j] ?? 0;
    const stepC = Math.cos(2 * Math.PI * df * tj);
    const stepS = Math.sin(2 * Math.PI * df * tj);
    let c = stepC;
    let s = stepS;
    for (let k = 0; k < nf; k++) {
      yc[k] = (yc[k] ?? 0) + yj * c;
      ys[k] = (ys[k] ?? 0) + yj * s;
      c2[k] = (c2[k] ?? 0) + c * c - s * s;
      s2[k] = (s2[k] ?? 0) + 2 * c * s;
      const nc = c * stepC - s * stepS;
      s = s * stepC + c * stepS;
      c = nc;
    }
  }

  const psdMs2PerHz = new Float64Array(nf);
  const scale = (2 * periodS) / n;
  for (let k = 0; k < nf; k++) {
    const C2 = c2[k] ?? 0;
    const S2 = s2[k] ?? 0;
    const hyp = Math.hypot(C2, S2);
    const cos2 = hyp > 0 ? C2 / hyp : 1;
    const cosTau = Math.sqrt(Math.max(0, (1 + cos2) / 2));
    const sinTau = (S2 >= 0 ? 1 : -1) * Math.sqrt(Math.max(0, (1 - cos2) / 2));
    const YC = yc[k] ?? 0;
    const YS = ys[k] ?? 0;
    const ycTau = YC * cosTau + YS * sinTau;
    const ysTau = YS * cosTau - YC * sinTau;
    const cc = n / 2 + hyp / 2;
    const ss = n / 2 - hyp / 2;
    const p =
      0.5 * ((cc > 1e-9 ? (ycTau * ycTau) / cc : 0) + (ss > 1e-9 ? (ysTau * ysTau) / ss : 0));
    psdMs2PerHz[k] = scale * p;
  }

  const bandPower = (band: [number, number]): { power: number; peakHz: number } => {
    let power = 0;
    let peak = -1;
    let peakHz = NaN;
    for (let k = 0; k < nf; k++) {
      const f = frequenciesHz[k] ?? 0;
      if (f < band[0] || f >= band[1]) continue;
      const v = psdMs2PerHz[k] ?? 0;
      power += v * df;
      if (v > peak) {
        peak = v;
        peakHz = f;
      }
    }
    return { power, peakHz };
  };
  const vlf = bandPower(bands.vlf);
  const lf = bandPower(bands.lf);
  const hf = bandPower(bands.hf);
  const total = bandPower([bands.vlf[0], fMax]);
  const lfHf = lf.power + hf.power;
  return {
    vlfMs2: vlf.power,
    lfMs2: lf.power,
    hfMs2: hf.power,
    totalMs2: total.power,
    lfHfRatio: hf.power > 0 ? lf.power / hf.power : NaN,
    lfNu: lfHf > 0 ? (100 * lf.power) / lfHf : NaN,
    hfNu: lfHf > 0 ? (100 * hf.power) / lfHf : NaN,
    lfPeakHz: lf.peakHz,
    hfPeakHz: hf.peakHz,
    frequenciesHz,
    psdMs2PerHz,
  };
}
