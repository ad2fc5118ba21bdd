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
  /** Median signed error (measured − reference) of onset and offset, ms (negative = early). */
  onsetBiasMs: number;
  offsetBiasMs: number;
}

/** The global QRS limits (one onset / offset for all leads) against the per-lead marks. */
export interface LudbGlobalComparison {
  /** Annotated beats with marks in all 12 leads that were measured. */
  beats: number;
  /** Median over beats of the reference global onset / offset / duration, ms from the beat fiducial. */
  referenceOnsetMs: number;
  referenceOffsetMs: number;
  referenceQrsMs: number;
  /** The same with the strict AHA reading (earliest onset, latest offset of the 12 marks). */
  extremeOnsetMs: number;
  extremeOffsetMs: number;
  /** measureEcg12's global onset / offset (relative to the fiducial) and QRS duration, ms. */
  measuredOnsetMs: number;
  measuredOffsetMs: number;
  measuredQrsMs: number;
}

export interface LudbDelineationComparison {
  leads: LudbLeadComparison[];
  global: LudbGlobalComparison;
}

function medianAbs(v: number[]): number {
  return median(v.map(Math.abs));
}

function median(v: number[]): number {
  const a = [...v].sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 === 1 ? (a[m] ?? NaN) : ((a[m - 1] ?? 0) + (a[m] ?? 0)) / 2;
}

/**
 * Compares the per-lead QRS onsets and offsets of `measureEcg12` (measured on each lead's median
 * beat, placed at every averaged beat) with the cardiologists' per-lead annotations of a LUDB
 * record (Kalyakulina et al., IEEE Access 2020;8:186181: `(` `N` `)` triplets in `<record>.i`,
 * `.ii`, … `.v6`). A reference complex is matched to the measured beat within 100 ms of its peak.
 * The global reference of a beat is the second earliest onset and second latest offset of its 12
 * per-lead marks (one stray mark cannot move it); the strict earliest / latest is reported too.
 */
export async function compareLudbDelineation(
  recordPath: string,
): Promise<LudbDelineationComparison> {
  const record = await readEcg12Record(recordPath);
  const fs = record.samplingRateHz;
  const m = measureEcg12(record.leadsMv, { samplingRateHz: fs });
  const out: LudbLeadComparison[] = [];
  // Per measured beat, the reference marks of each lead (ms relative to the beat fiducial).
  const perBeat = new Map<number, { on: number[]; off: number[] }>();
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
      const marksOfBeat = perBeat.get(beat) ?? { on: [], off: [] };
      marksOfBeat.on.push((prev.sample * 1000) / fs - beatMs);
      marksOfBeat.off.push((next.sample * 1000) / fs - beatMs);
      perBeat.set(beat, marksOfBeat);
    }
    out.push({
      lead: ECG12_LEADS[l] ?? '?',
      beats: onsetErrors.length,
      onsetErrorMs: medianAbs(onsetErrors),
      offsetErrorMs: medianAbs(offsetErrors),
      onsetBiasMs: median(onsetErrors),
      offsetBiasMs: median(offsetErrors),
    });
  }
  const complete = [...perBeat.values()].filter((b) => b.on.length === 12);
  const asc = (v: number[]): number[] => [...v].sort((a, b) => a - b);
  const refOn = complete.map((b) => asc(b.on)[1] ?? NaN);
  const refOff = complete.map((b) => asc(b.off)[10] ?? NaN);
  return {
    leads: out,
    global: {
      beats: complete.length,
      referenceOnsetMs: median(refOn),
      referenceOffsetMs: median(refOff),
      referenceQrsMs: median(refOff.map((v, i) => v - (refOn[i] ?? NaN))),
      extremeOnsetMs: median(complete.map((b) => Math.min(...b.on))),
      extremeOffsetMs: median(complete.map((b) => Math.max(...b.off))),
      measuredOnsetMs: m.fiducialsMs.qrsOnset,
      measuredOffsetMs: m.fiducialsMs.qrsOffset,
      measuredQrsMs: m.qrsMs,
    },
  };
}
