import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeBeatFeatures } from '../arrhythmia/compute-beat-features.js';
import type { BeatFeatureExtractorOptions } from '../arrhythmia/create-beat-feature-extractor.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import { afIntervals } from './af-intervals.js';
import type { RecordBeats } from './beat-dataset.js';
import { CPSC2021_HELD_OUT } from './held-out-records.js';
import { labelDetectedBeats } from './label-detected-beats.js';
import { liveRateLead } from './live-rate-lead.js';
import { selectAfBeats } from './select-af-beats.js';
import type { SelectAfBeatsOptions } from './select-af-beats.js';

export interface LoadAfBeatRecordsOptions {
  /** Every lead of a multi-lead record (CPSC 2021 has two), default false: the MLII / II lead, else the first. */
  allLeads?: boolean;
  /** Extractor options other than `fs` (train:beats `--sinus-p-features`). */
  features?: Omit<BeatFeatureExtractorOptions, 'fs'>;
  /** selectAfBeats options other than `fs` and `length`. */
  select?: Omit<SelectAfBeatsOptions, 'fs' | 'length'>;
}

/**
 * Training-only records of irregular non-SVEB beats (train:beats `--af-beats`): beats inside
 * reference AF, labelled N by selectAfBeats, every other beat Q (4, not a training row). From the
 * first folder of each name under the roots:
 * - `cpsc2021/`: the CPSC 2021 development records (patients 8, 35 and 92 skipped unread), their
 *   `(AFIB` / `(AFL` rhythm intervals; beats found by `detectQrs` that match a reference R peak.
 * - `cinc2017/`: the CinC 2017 strips labelled A whose record number is 1 mod 4 only (the AF
 *   model's training part; 3 mod 4 is its selection part, even numbers are held out), the whole
 *   strip AF; beats found by `detectQrs`.
 *
 * Whole recordings are read, so the features see the running RR and template context the live
 * path sees. Signals at rates other than 250 and 360 Hz are resampled to 250 Hz (as in
 * `eval:cross-db`), reference positions scaled alike.
 *
 * @param roots data folders holding `cpsc2021/` and / or `cinc2017/`
 */
export async function loadAfBeatRecords(
  roots: readonly string[],
  options: LoadAfBeatRecordsOptions = {},
): Promise<RecordBeats[]> {
  const { allLeads = false, features = {}, select = {} } = options;
  const find = (folder: string): string | undefined =>
    roots.map((r) => join(r, folder)).find((d) => existsSync(d));
  const out: RecordBeats[] = [];

  async function load(
    path: string,
    name: string,
    af: (n: number, scale: number) => [number, number][],
    reference: boolean,
  ): Promise<void> {
    const rec = await readWfdbRecord(path);
    const first = liveRateLead(rec);
    const leads = allLeads
      ? [
          first,
          ...rec.signals.flatMap((_, i) =>
            i === first.lead ? [] : [liveRateLead(rec, { lead: i })],
          ),
        ]
      : [first];
    const { fs, scale } = first;
    const anns = reference && existsSync(`${path}.atr`) ? await readAnnotations(path) : [];
    const refPeaks = Int32Array.from(
      anns.filter((a) => isBeatSymbol(a.symbol)),
      (a) => Math.round(a.sample * scale),
    );
    for (const { ecg: ecgMv, lead: index } of leads) {
      const sig = rec.signals[index];
      if (sig === undefined) continue;
      const intervals = af(ecgMv.length, scale);
      if (intervals.length === 0) continue;
      const peaks = detectQrs(ecgMv, { fs });
      const m = computeBeatFeatures(ecgMv, fs, peaks, features);
      const labels = selectAfBeats(peaks, m.values, m.nFeatures, intervals, {
        ...select,
        fs,
        length: ecgMv.length,
      });
      if (reference) {
        // A detection matching no reference R peak (noise, a T wave) is not a beat to teach.
        const matched = labelDetectedBeats(refPeaks, new Int32Array(refPeaks.length), peaks, fs);
        matched.forEach((l, i) => {
          if (l === 4) labels[i] = 4;
        });
      }
      out.push({
        record: name,
        fs,
        lead: `${sig.description}+af`,
        leadIndex: index,
        nLeads: rec.signals.length,
        ecgMv,
        peaks,
        labels,
        features: m.values,
        nFeatures: m.nFeatures,
        af: intervals,
      });
    }
  }

  const cpsc = find('cpsc2021');
  if (cpsc !== undefined) {
    const names = (await readdir(cpsc))
      .filter((f) => f.endsWith('.hea'))
      .map((f) => f.slice(0, -4))
      .filter((n) => !CPSC2021_HELD_OUT.test(n))
      .sort();
    for (const n of names) {
      const path = join(cpsc, n);
      const anns = existsSync(`${path}.atr`) ? await readAnnotations(path) : [];
      await load(path, n, (len, scale) => afIntervals(anns, len, scale), true);
    }
  }
  const cinc = find('cinc2017');
  if (cinc !== undefined) {
    const ref = await readFile(join(cinc, 'REFERENCE.csv'), 'utf8');
    for (const line of ref.split(/\r?\n/)) {
      const [name, label] = line.split(',');
      // Label A with record number 1 mod 4 only: the AF model's training part.
      if (name === undefined || label !== 'A' || !/^A\d+$/.test(name)) continue;
      if (Number(name.slice(1)) % 4 !== 1) continue;
      await load(join(cinc, name), name, (len) => [[0, len]], false);
    }
  }
  return out;
}
