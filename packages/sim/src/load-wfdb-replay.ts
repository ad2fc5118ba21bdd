import { isBeatSymbol, resample } from '@vigil/signal';
import { readAnnotations, readWfdbRecord } from '@vigil/signal/io';
import type { ReplaySource } from './create-simulated-device.js';

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
    record.fs === fs ? Float64Array.from(lead.physical) : resample(lead.physical, record.fs, fs);
  // Lead-off samples in WFDB are NaN after decoding; a device sends 0 mV while railing instead.
  for (let i = 0; i < ecgMv.length; i++) if (!Number.isFinite(ecgMv[i])) ecgMv[i] = 0;
  let beatTimesS: Float64Array | undefined;
  if (annotator !== null) {
    try {
      const annotations = await readAnnotations(recordPath, annotator);
      beatTimesS = Float64Array.from(
        annotations.filter((a) => isBeatSymbol(a.symbol)).map((a) => a.sample / record.fs),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { name: record.name, fs, ecgMv, ...(beatTimesS ? { beatTimesS } : {}) };
}
