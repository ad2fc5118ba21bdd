import type { HeartRateObservation } from '@vigil/protocol';

/** One camera measurement (a session) as the patient page lists it. */
export interface CameraMeasurement {
  sessionId: string;
  startMs: number;
  endMs: number;
  /** Median of the session's stored readings, bpm (robust to a stray reading at the start). */
  medianBpm: number;
  readings: number;
  /** The best confidence any of its readings reached. */
  confidence: 'high' | 'medium' | 'low' | null;
}

const CONFIDENCE_RANK = { low: 0, medium: 1, high: 2 } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/**
 * Groups a patient's camera heart-rate observations (source `rppg`) by measurement session,
 * newest measurement first; device observations are left out (they have their own trend).
 */
export function cameraMeasurements(
  observations: readonly HeartRateObservation[],
): CameraMeasurement[] {
  const bySession = new Map<string, HeartRateObservation[]>();
  for (const o of observations) {
    if (o.source !== 'rppg') continue;
    const key = o.session_id ?? `at-${String(o.ts)}`;
    const list = bySession.get(key);
    if (list) list.push(o);
    else bySession.set(key, [o]);
  }
  const out: CameraMeasurement[] = [];
  for (const [sessionId, list] of bySession) {
    let confidence: CameraMeasurement['confidence'] = null;
    for (const o of list)
      if (
        o.confidence !== null &&
        (confidence === null || CONFIDENCE_RANK[o.confidence] > CONFIDENCE_RANK[confidence])
      )
        confidence = o.confidence;
    out.push({
      sessionId,
      startMs: Math.min(...list.map((o) => o.ts)),
      endMs: Math.max(...list.map((o) => o.ts)),
      medianBpm: median(list.map((o) => o.bpm)),
      readings: list.length,
      confidence,
    });
  }
  return out.sort((a, b) => b.startMs - a.startMs);
}
