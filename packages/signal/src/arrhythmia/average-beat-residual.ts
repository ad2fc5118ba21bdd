import { SignalInputError } from '../errors.js';

export interface AverageBeatResidualOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /**
   * Which beats are conducted supraventricular beats (same QRST): only they make the template,
   * and only intervals between two of them are measured. Default: every beat.
   */
  beatEligible?: ArrayLike<boolean>;
  /** Start of each beat's QRST window in ms before its R peak (P wave and QRS onset), default 250. */
  templateStartMs?: number;
  /**
   * End of each beat's QRST window in ms after its R peak (QRS and T wave), default 400; cut short
   * `qrsOnsetMs` before the next R peak. The previous beat's T wave has priority over the next
   * beat's P region: it is what a pre-QRS residual read as atrial activity at short RR.
   */
  templateEndMs?: number;
  /** ms before an R peak where its QRS is taken to start: not measured nearer, default 60. */
  qrsOnsetMs?: number;
  /** ms after an R peak where its QRS is taken to end: not measured nearer, default 80. */
  qrsEndMs?: number;
  /**
   * Whether each beat's template is scaled to the beat (least squares over its QRS), default true
   * (amplitude-only QRST cancellation; respiration and electrode motion scale the QRST).
   */
  scalePerBeat?: boolean;
  /** Short moving average of the band-pass in ms, default 50 (first null at 20 Hz). */
  bandShortMs?: number;
  /** Long moving average subtracted in ms, default 170 (first null at 5.9 Hz; passes < 3 Hz). */
  bandLongMs?: number;
  /** Beats a template sample needs before it is subtracted (else 0), default 3. */
  minTemplateBeats?: number;
}

export interface AverageBeatResidual {
  /** `residualRmsMv` / `qrsAmplitudeMv` (unitless, 0 or more). */
  ratio: number;
  /** RMS in mV of the band-passed residual over the measured samples. */
  residualRmsMv: number;
  /** Median QRS peak-to-peak amplitude in mV (± `qrsEndMs` around each eligible R peak). */
  qrsAmplitudeMv: number;
  /** Samples measured (between two eligible beats, outside their QRS complexes). */
  measuredSamples: number;
  /**
   * The signal after QRST cancellation (baseline removed, each eligible beat's scaled template
   * subtracted; not band-passed), one value per sample of `ecgMv`, in mV.
   */
  residualMv: Float64Array;
  /**
   * The measured spans as pairs of sample indices [from, to) (between two eligible beats,
   * outside their QRS complexes: the TQ and PQ stretches `atrialSpectrum` reads).
   */
  spans: Int32Array;
}

/**
 * Atrial activity left after QRST cancellation by average beat subtraction (ABS: Slocum et al.
 * 1992, J Electrocardiol 25(1):1-8; Stridh & Sörnmo 2001, IEEE Trans Biomed Eng 48(1):105-111,
 * on one lead with amplitude scaling only): the average QRST complex of the eligible beats,
 * aligned on their R peaks, is subtracted from each beat (scaled to its QRS), and the residual
 * between the QRS complexes (T-wave interval included, which a pre-QRS-only residual cannot
 * separate from f waves at short RR) is band-passed to the band of fibrillatory waves (dominant
 * atrial frequency 4 to 9 Hz: Bollmann et al. 2006, Europace 8(11):911-926) and its RMS divided
 * by the QRS amplitude. The baseline is the line through each beat's PQ-junction mean (removed
 * before the template is made), so wander does not enter the template. Sinus beats with
 * identical P-QRS-T read near 0; an f wave of amplitude a (unrelated in phase to the QRS) under
 * QRS complexes of amplitude q reads about a / (√2 · q) times the band-pass gain (about 0.9 at
 * 6 Hz), less the share the template takes (about 1 / beats). Returns null when no sample is
 * measured or the QRS amplitude is 0. Peaks: increasing sample indices within `ecgMv`.
 */
export function averageBeatResidual(
  ecgMv: Float64Array,
  peaks: ArrayLike<number>,
  options: AverageBeatResidualOptions,
): AverageBeatResidual | null {
  if (typeof options !== 'object' || !Number.isFinite(options.fs) || options.fs <= 0) {
    throw new SignalInputError('INVALID_SAMPLE_RATE', 'options.fs', 'fs must be a positive number');
  }
  const fs = options.fs;
  const ms = (v: number): number => Math.max(1, Math.round((v * fs) / 1000));
  const pre = ms(options.templateStartMs ?? 250);
  const post = ms(options.templateEndMs ?? 400);
  const qOn = ms(options.qrsOnsetMs ?? 60);
  const qOff = ms(options.qrsEndMs ?? 80);
  const shortW = ms(options.bandShortMs ?? 50);
  const longW = ms(options.bandLongMs ?? 170);
  const minBeats = options.minTemplateBeats ?? 3;
  const scale = options.scalePerBeat ?? true;
  if (!(pre > qOn && post > qOff && longW > shortW) || !(minBeats >= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.templateStartMs',
      'template window must exceed the QRS span, bandLongMs must exceed bandShortMs',
    );
  }
  const n = peaks.length;
  const eligible = options.beatEligible;
  if (eligible !== undefined && eligible.length !== n) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'options.beatEligible',
      'beatEligible must have one entry per peak',
    );
  }
  for (let i = 0; i < n; i++) {
    const p = peaks[i] ?? -1;
    if (!Number.isInteger(p) || p < 0 || p >= ecgMv.length || (i > 0 && p <= (peaks[i - 1] ?? 0))) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'peaks',
        'peaks must be increasing sample indices within the signal',
      );
    }
  }
  const ok = (i: number): boolean => eligible === undefined || eligible[i] === true;
  const len = ecgMv.length;
  const at = (i: number): number => peaks[i] ?? 0;

  // Baseline: the mean over each beat's PQ junction (the 30 ms before its QRS onset, nearly
  // isoelectric), joined by lines between R peaks. Any other level leaves a step where a
  // template window ends, which the band-pass reads as activity.
  const level = new Float64Array(n);
  const pq = ms(30);
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, at(i) - qOn - pq);
    const to = Math.max(from, at(i) - qOn);
    let s = 0;
    for (let t = from; t <= to; t++) s += ecgMv[t] ?? 0;
    level[i] = s / (to - from + 1);
  }
  const y = new Float64Array(len);
  let j = 0;
  for (let t = 0; t < len; t++) {
    while (j < n && at(j) <= t) j++;
    // t lies between peak j - 1 and peak j.
    const b =
      n === 0
        ? 0
        : j === 0
          ? (level[0] ?? 0)
          : j === n
            ? (level[n - 1] ?? 0)
            : (level[j - 1] ?? 0) +
              (((level[j] ?? 0) - (level[j - 1] ?? 0)) * (t - at(j - 1))) / (at(j) - at(j - 1));
    y[t] = (ecgMv[t] ?? 0) - b;
  }

  // Each beat's window [R - pre, R + post], cut to the samples it owns in the template: its post
  // part ends qOn before the next R peak, its pre part starts after the previous beat's post
  // part (the T wave first: it is what a pre-QRS residual read as atrial activity at short RR).
  const winFrom = new Int32Array(n);
  const winTo = new Int32Array(n); // exclusive
  for (let i = 0; i < n; i++) {
    const postEnd = i + 1 < n ? Math.min(at(i) + post + 1, at(i + 1) - qOn) : at(i) + post + 1;
    winTo[i] = Math.min(len, Math.max(at(i) + 1, postEnd));
  }
  for (let i = 0; i < n; i++) {
    const prevEnd = i > 0 ? (winTo[i - 1] ?? 0) : 0;
    winFrom[i] = Math.max(0, at(i) - pre, Math.min(prevEnd, at(i)));
  }
  const width = pre + post + 1;
  const sum = new Float64Array(width);
  const count = new Int32Array(width);
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    for (let t = winFrom[i] ?? 0; t < (winTo[i] ?? 0); t++) {
      const k = t - at(i) + pre;
      sum[k] = (sum[k] ?? 0) + (y[t] ?? 0);
      count[k] = (count[k] ?? 0) + 1;
    }
  }
  const template = new Float64Array(width);
  for (let k = 0; k < width; k++)
    template[k] = (count[k] ?? 0) >= minBeats ? (sum[k] ?? 0) / (count[k] ?? 1) : 0;

  // Subtract each eligible beat's scaled template; QRS amplitudes on the way.
  const resid = Float64Array.from(y);
  const qrs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    const from = Math.max(0, at(i) - qOff);
    const to = Math.min(len - 1, at(i) + qOff);
    let lo = Infinity;
    let hi = -Infinity;
    let sxt = 0;
    let stt = 0;
    for (let t = from; t <= to; t++) {
      const v = ecgMv[t] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const tv = template[t - at(i) + pre] ?? 0;
      sxt += (y[t] ?? 0) * tv;
      stt += tv * tv;
    }
    qrs.push(hi - lo);
    // Amplitude scaling clipped to 0.5..2: a noisy QRS must not scale a T wave out of shape.
    const a = scale && stt > 0 ? Math.min(2, Math.max(0.5, sxt / stt)) : 1;
    // Subtracted over the whole window, also where it overlaps the previous beat's T wave (at
    // short RR the P wave of this beat and the T wave of the last add up; the template owns
    // each sample once, the subtraction takes both).
    const subFrom = Math.max(0, at(i) - pre, i > 0 ? at(i - 1) + qOff + 1 : 0);
    for (let t = subFrom; t < (winTo[i] ?? 0); t++)
      resid[t] = (resid[t] ?? 0) - a * (template[t - at(i) + pre] ?? 0);
  }
  if (qrs.length === 0) return null;
  qrs.sort((a, b) => a - b);
  const m = qrs.length;
  const qrsAmp =
    m % 2 === 1 ? (qrs[m >> 1] ?? 0) : ((qrs[(m >> 1) - 1] ?? 0) + (qrs[m >> 1] ?? 0)) / 2;
  if (!(qrsAmp > 0)) return null;

  // Band-pass each measured span (between two eligible beats, outside their QRS): a centred
  // short moving average less a centred long one, both shortened at the span's ends.
  let sum2 = 0;
  let measured = 0;
  const spans: number[] = [];
  for (let i = 1; i < n; i++) {
    if (!ok(i) || !ok(i - 1)) continue;
    const from = at(i - 1) + qOff + 1;
    const to = at(i) - qOn; // exclusive
    const spanLen = to - from;
    if (spanLen < 2) continue;
    spans.push(from, to);
    const cum = new Float64Array(spanLen + 1);
    for (let j = 0; j < spanLen; j++) cum[j + 1] = (cum[j] ?? 0) + (resid[from + j] ?? 0);
    const avg = (j: number, half: number): number => {
      const a = Math.max(0, j - half);
      const b = Math.min(spanLen - 1, j + half);
      return ((cum[b + 1] ?? 0) - (cum[a] ?? 0)) / (b - a + 1);
    };
    const hs = shortW >> 1;
    const hl = longW >> 1;
    for (let j = 0; j < spanLen; j++) {
      sum2 += (avg(j, hs) - avg(j, hl)) ** 2;
      measured++;
    }
  }
  if (measured === 0) return null;
  const rms = Math.sqrt(sum2 / measured);
  return {
    ratio: rms / qrsAmp,
    residualRmsMv: rms,
    qrsAmplitudeMv: qrsAmp,
    measuredSamples: measured,
    residualMv: resid,
    spans: Int32Array.from(spans),
  };
}
