import { SignalInputError } from '../errors.js';

/** A contact reference pulse recorded alongside a face video. */
export interface RppgReference {
  /** Sample times, ms, never decreasing (one sample per video frame in UBFC). */
  timesMs: Float64Array;
  /** The contact PPG (pulse oximeter), arbitrary units. */
  ppg: Float64Array;
  /** The oximeter's own heart-rate display, bpm (delayed and averaged by the device). */
  hrBpm: Float64Array;
}

/**
 * Reads the ground truth of a UBFC-rPPG face video (Bobbia et al., Pattern Recognit. Lett.
 * 2019;124:82-90), either layout:
 * - DATASET_2 `ground_truth.txt`: three whitespace-separated rows — PPG, HR (bpm), time (s);
 * - DATASET_1 `gtdump.xmp`: comma-separated rows `time (ms), HR (bpm), SpO2, PPG`.
 * The layout is told by the text, not the file name. Both give one sample per video frame.
 */
export function readRppgReference(text: string): RppgReference {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new SignalInputError('INVALID_ARGUMENT', 'text', 'the reference file is empty');
  }
  const lines = text.trim().split(/\r?\n/);
  const numbers = (line: string, separator: RegExp): number[] =>
    line.trim().split(separator).map(Number);
  let timesMs: number[];
  let ppg: number[];
  let hr: number[];
  if (lines.length === 3 && !lines[0]?.includes(',')) {
    ppg = numbers(lines[0] ?? '', /\s+/);
    hr = numbers(lines[1] ?? '', /\s+/);
    timesMs = numbers(lines[2] ?? '', /\s+/).map((s) => s * 1000);
  } else {
    const rows = lines.filter((l) => l.trim() !== '').map((l) => numbers(l, /\s*,\s*/));
    if (rows.some((r) => r.length < 4)) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'text',
        'expected the DATASET_2 three-row layout or DATASET_1 rows "time ms, HR, SpO2, PPG"',
      );
    }
    timesMs = rows.map((r) => r[0] ?? NaN);
    hr = rows.map((r) => r[1] ?? NaN);
    ppg = rows.map((r) => r[3] ?? NaN);
  }
  const n = ppg.length;
  if (n < 2 || hr.length !== n || timesMs.length !== n) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'text',
      `PPG, HR and time rows differ in length (${n}, ${hr.length}, ${timesMs.length})`,
    );
  }
  for (let i = 0; i < n; i++) {
    const t = timesMs[i] ?? NaN;
    // A repeated time is kept (UBFC DATASET_2 has a few, one per affected video): the samples
    // stay one per frame, and referenceWindowBpm drops the repeat before resampling.
    if (!Number.isFinite(t) || !Number.isFinite(ppg[i]) || (i > 0 && t < (timesMs[i - 1] ?? 0))) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        'text',
        `sample ${i}: times must be finite and never decrease, PPG finite`,
      );
    }
  }
  return {
    timesMs: Float64Array.from(timesMs),
    ppg: Float64Array.from(ppg),
    hrBpm: Float64Array.from(hr),
  };
}
