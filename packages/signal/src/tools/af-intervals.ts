import type { Annotation } from '../io/wfdb-types.js';

/**
 * The reference AF intervals of a record, [start, end) in samples, from its rhythm annotations:
 * an interval opens at a `(AFIB` or `(AFL` rhythm change and closes at the next other rhythm
 * change, or at `endSample` (PhysioNet's convention: a rhythm holds until the next change).
 * `scale` maps annotation samples to the caller's sampling (e.g. after resampling; default 1).
 */
export function afIntervals(
  annotations: readonly Annotation[],
  endSample: number,
  scale = 1,
): [number, number][] {
  if (!(endSample >= 0)) throw new RangeError('endSample must be ≥ 0');
  const out: [number, number][] = [];
  let start: number | null = null;
  for (const a of annotations) {
    const aux = a.aux.replace(/\0/g, '').trim();
    if (!aux.startsWith('(')) continue;
    const isAf = aux === '(AFIB' || aux === '(AFL';
    const s = Math.round(a.sample * scale);
    if (isAf && start === null) start = s;
    else if (!isAf && start !== null) {
      out.push([start, s]);
      start = null;
    }
  }
  if (start !== null) out.push([start, endSample]);
  return out;
}
