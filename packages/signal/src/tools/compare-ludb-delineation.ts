import { measureEcg12 } from '../ecg12/measure-ecg12.js';
import { ECG12_LEADS } from '../ecg12/ecg12-types.js';
import { readAnnotations, readEcg12Record } from '../io/index.js';

const LUDB_EXTENSIONS = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'];

export interface LudbLeadComparison {
  lead: string;
  /** Annotated QRS complexes matched to a measured beat. */
  beats: number;
  /** Median |measured − reference| of QRS onset and offset over those beats, ms. */
  onsetErrorMs: number;
  offsetErrorMs: number;
}

function medianAbs(v: number[]): number {
  const a = v.map(Math.abs).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 === 1 ? (a[m] ?? NaN) : ((a[m - 1] ?? 0) + (a[m] ?? 0)) / 2;
}

/**
 * Compares the per-lead QRS onsets and offsets of `measureEcg12` (measured on each lead's median
 * beat, placed at every averaged beat) with the cardiologists' per-lead annotations of a LUDB
 * record (Kalyakulina et al., IEEE Access 2020;8:186181: `(` `N` `)` triplets in `<record>.i`,
 * `.ii`, … `.v6`). A reference complex is matched to the measured beat within 100 ms of its peak.
 */
export async function compareLudbDelineation(recordPath: string): Promise<LudbLeadComparison[]> {
  const record = await readEcg12Record(recordPath);
  const fs = record.samplingRateHz;
  const m = measureEcg12(record.leadsMv, { samplingRateHz: fs });
  const out: LudbLeadComparison[] = [];
  for (let l = 0; l < 12; l++) {
    const marks = await readAnnotations(recordPath, LUDB_EXTENSIONS[l]);
    const onsetErrors: number[] = [];
    const offsetErrors: number[] = [];
    for (let i = 1; i + 1 < marks.length; i++) {
      const [prev, cur, next] = [marks[i - 1], marks[i], marks[i + 1]];
      if (cur?.symbol !== 'N' || prev?.symbol !== '(' || next?.symbol !== ')') continue;
      const beat = m.beatSamples.find((b) => Math.abs(b - cur.sample) <= (100 * fs) / 1000);
      if (beat === undefined) continue;
      const beatMs = (beat * 1000) / fs;
      onsetErrors.push(beatMs + (m.leadQrsOnsetMs[l] ?? NaN) - (prev.sample * 1000) / fs);
      offsetErrors.push(beatMs + (m.leadQrsOffsetMs[l] ?? NaN) - (next.sample * 1000) / fs);
    }
    out.push({
      lead: ECG12_LEADS[l] ?? '?',
      beats: onsetErrors.length,
      onsetErrorMs: medianAbs(onsetErrors),
      offsetErrorMs: medianAbs(offsetErrors),
    });
  }
  return out;
}
