/** Loads MIT-BIH records into beat feature matrices for training and evaluation (tools only). */
import { join } from 'node:path';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import type { WfdbRecord } from '../io/index.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { afIntervals } from './af-intervals.js';
import { aamiClass } from '../arrhythmia/aami-class.js';
import { computeBeatFeatures } from '../arrhythmia/compute-beat-features.js';
import type { BeatFeatureExtractorOptions } from '../arrhythmia/create-beat-feature-extractor.js';
import type { BeatClass } from '../arrhythmia/types.js';

/** The 22 DS1 records of de Chazal et al. 2004 (the inter-patient training set). */
export const DS1_RECORDS = [
  '101',
  '106',
  '108',
  '109',
  '112',
  '114',
  '115',
  '116',
  '118',
  '119',
  '122',
  '124',
  '201',
  '203',
  '205',
  '207',
  '208',
  '209',
  '215',
  '220',
  '223',
  '230',
] as const;

export const CLASS_INDEX: Readonly<Record<BeatClass, number>> = {
  N: 0,
  SVEB: 1,
  VEB: 2,
  F: 3,
  Q: 4,
};

export interface RecordBeats {
  record: string;
  fs: number;
  /** Lead used (MLII where present). */
  lead: string;
  /** Its signal index, and the record's number of signals. */
  leadIndex: number;
  nLeads: number;
  ecgMv: Float64Array;
  /** Reference beat positions (all EC57 beat annotations). */
  peaks: Int32Array;
  /** AAMI class index of each reference beat (4 = Q / unclassifiable). */
  labels: Int32Array;
  /** Features at the reference positions. */
  features: Float64Array;
  nFeatures: number;
  /**
   * Reference AF and flutter intervals, [start, end) in samples (afIntervals): the re-timed views
   * and probes do not copy their N beats as sinus beats (maskBeatsInIntervals).
   */
  af: [number, number][];
}

/** Index of the MLII lead, else the first signal. */
export function pickLead(rec: WfdbRecord): number {
  const i = rec.signals.findIndex((s) => s.description.toUpperCase().includes('MLII'));
  return i >= 0 ? i : 0;
}

/**
 * Beats of one record with their reference labels and features.
 *
 * @param lead signal index; default the MLII lead, else the first signal (as the CLI and the
 *   evaluations pick it). Other leads serve the trainer's lead augmentation.
 * @param features extractor options other than `fs` (train:beats `--sinus-p-features`)
 */
export async function loadRecordBeats(
  dir: string,
  record: string,
  lead?: number,
  features: Omit<BeatFeatureExtractorOptions, 'fs'> = {},
): Promise<RecordBeats> {
  const path = join(dir, record);
  const rec = await readWfdbRecord(path);
  const anns = await readAnnotations(path);
  const index = lead ?? pickLead(rec);
  const sig = rec.signals[index];
  if (!sig) throw new Error(`${record}: no signal ${String(lead)}`);
  const beats = anns.filter((a) => isBeatSymbol(a.symbol));
  const peaks = Int32Array.from(beats, (a) => a.sample);
  const labels = Int32Array.from(beats, (a) => CLASS_INDEX[aamiClass(a.symbol) ?? 'Q']);
  const m = computeBeatFeatures(sig.physical, rec.fs, peaks, features);
  return {
    record,
    fs: rec.fs,
    lead: sig.description,
    leadIndex: index,
    nLeads: rec.signals.length,
    ecgMv: sig.physical,
    peaks,
    labels,
    features: m.values,
    nFeatures: m.nFeatures,
    af: afIntervals(anns, sig.physical.length),
  };
}
