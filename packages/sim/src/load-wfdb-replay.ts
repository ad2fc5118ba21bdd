import * as signal from '@vigil/signal';
import { readAnnotations, readWfdbRecord } from '@vigil/signal/io';
import type { ReplaySource } from './create-simulated-device.js';

type Resample = (x: Float64Array, fsIn: number, fsOut: number) => Float64Array;

/**
 * Band-limited resampling with the library's windowed-sinc `resample` when its build exports it;
 * otherwise linear interpolation after a 3-tap moving average when decimating (adequate for
 * replaying ECG, whose diagnostic band ends near 40 Hz, at 250 Hz).
 */
function resampleTo(x: Float64Array, fsIn: number, fsOut: number): Float64Array {
  const library = (signal as unknown as { resample?: Resample }).resample;
  if (library) return library(x, fsIn, fsOut);
  const source = fsOut < fsIn ? smooth3(x) : x;
  const n = Math.round((x.length * fsOut) / fsIn);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const position = (j * fsIn) / fsOut;
    const i = Math.floor(position);
    const w = position - i;
    out[j] = (source[i] ?? 0) * (1 - w) + (source[Math.min(i + 1, source.length - 1)] ?? 0) * w;
  }
  return out;
}

function smooth3(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = ((x[i - 1] ?? x[i] ?? 0) + (x[i] ?? 0) + (x[i + 1] ?? x[i] ?? 0)) / 3;
  }
  return out;
}

export interface WfdbReplayOptions {
  /** Device rate in Hz to resample to. Default 250. */
  fs?: number;
  /** Signal index (lead) to replay. Default 0 (MLII in MIT-BIH). */
  lead?: number;
  /** Annotation file extension for reference beats; null to skip. Default `atr`. */
  annotator?: string | null;
}

/**
 * Loads a WFDB record (path without extension, as WFDB tools take it) for replay by simulated
 * devices: one lead in mV, band-limited resampled to the device rate, and the reference beat
 * times from its annotations when present (used for the packet's `heart_rate_bpm`).
 */
export async function loadWfdbReplay(
  recordPath: string,
  options: WfdbReplayOptions = {},
): Promise<ReplaySource> {
  const { fs = 250, lead: leadIndex = 0, annotator = 'atr' } = options;
  const record = await readWfdbRecord(recordPath);
  const lead = record.signals[leadIndex];
  if (!lead) {
    throw new Error(
      `record ${record.name} has ${record.signals.length} signals, no lead ${leadIndex}`,
    );
  }
  const ecgMv =
    record.fs === fs ? Float64Array.from(lead.physical) : resampleTo(lead.physical, record.fs, fs);
  // Lead-off samples in WFDB are NaN after decoding; a device sends 0 mV while railing instead.
  for (let i = 0; i < ecgMv.length; i++) if (!Number.isFinite(ecgMv[i])) ecgMv[i] = 0;
  let beatTimesS: Float64Array | undefined;
  if (annotator !== null) {
    try {
      const annotations = await readAnnotations(recordPath, annotator);
      beatTimesS = Float64Array.from(
        annotations.filter((a) => signal.isBeatSymbol(a.symbol)).map((a) => a.sample / record.fs),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { name: record.name, fs, ecgMv, ...(beatTimesS ? { beatTimesS } : {}) };
}
