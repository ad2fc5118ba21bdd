import { isBeatSymbol } from '../ecg/beat-symbols.js';

/** The part of an annotation the EC57 reference needs (structurally an io `Annotation`). */
export interface Ec57Annotation {
  sample: number;
  symbol: string;
}

export interface Ec57Reference {
  /** Sample indices of beat annotations (EC57 beat list). */
  beats: Int32Array;
  /** Ventricular flutter/fibrillation episodes `[` … `]`, where bxb ignores extra detections. */
  vfIntervals: [number, number][];
}

/** Extracts the scored beats and VF episodes from reference annotations (e.g. `.atr`). */
export function ec57Reference(annotations: readonly Ec57Annotation[]): Ec57Reference {
  const beats: number[] = [];
  const vfIntervals: [number, number][] = [];
  let vfOn: number | null = null;
  for (const a of annotations) {
    if (isBeatSymbol(a.symbol)) beats.push(a.sample);
    else if (a.symbol === '[') vfOn = a.sample;
    else if (a.symbol === ']' && vfOn !== null) {
      vfIntervals.push([vfOn, a.sample]);
      vfOn = null;
    }
  }
  if (vfOn !== null) vfIntervals.push([vfOn, Number.MAX_SAFE_INTEGER]);
  return { beats: Int32Array.from(beats), vfIntervals };
}
