/**
 * Per-device streaming ECG analysis over @vigil/signal's live-path objects
 * (`createEcgAnalyzer`, `createArrhythmiaMonitor`, interfaces agreed in packages/signal). One
 * session per device carries the analysers' state across packets; sample indices are turned
 * into epoch ms with the session's start time, so a session must be restarted after a gap
 * (the caller knows about gaps, see packet-order.ts). Idle sessions are evicted to bound memory.
 */

import type { ArrhythmiaUpdate, EcgAnalysisUpdate } from '@vigil/signal';

/** The analysers' results are @vigil/signal's own types (one declaration, in signal). */
export type { ArrhythmiaUpdate, EcgAnalysisUpdate };

export interface EcgAnalyzerLike {
  push(chunkMv: Float64Array): EcgAnalysisUpdate;
}
export interface ArrhythmiaMonitorLike {
  push(chunkMv: Float64Array, newPeaks: Int32Array): ArrhythmiaUpdate;
}

/** The two factories of @vigil/signal, passed in by the composition root. */
export interface EcgAnalysisFactories {
  createEcgAnalyzer(options: {
    fs: number;
    quality?: { railsMv?: [number, number] };
  }): EcgAnalyzerLike;
  createArrhythmiaMonitor?: ((options: { fs: number }) => ArrhythmiaMonitorLike) | undefined;
}

export interface ArrhythmiaFindings {
  /** Epoch ms when the ongoing AF episode began, null if none is ongoing. */
  afSinceMs: number | null;
  /** Beats in the longest VT run that ended or is ongoing in this packet (0 if none). */
  vtRunBeats: number;
  /** Epoch ms of that VT run's start. */
  vtRunAtMs: number | null;
  vebPercent: number;
  svebPercent: number;
  /** Beats the monitor classified VEB and SVEB in this packet. */
  vebBeats: number;
  svebBeats: number;
  episodes: { rhythm: string; start: number; end: number | null; ongoing: boolean }[];
  withheld: string | null;
}

export interface PacketAnalysis {
  heartRateBpm: number | null;
  qrsDurationMs: number | null;
  hrv: EcgAnalysisUpdate['hrv'];
  quality: EcgAnalysisUpdate['quality'];
  beats: number;
  /** Longest RR interval among the beats confirmed in this packet, ms. */
  longestRrMs: number | null;
  arrhythmia: ArrhythmiaFindings | null;
}

export interface DeviceAnalysisSession {
  /** Analyses the next contiguous chunk, which starts at `startMs`. */
  push(chunkMv: Float64Array, startMs: number): PacketAnalysis;
}

/** One packet for analysis: the device's next contiguous chunk, starting at `startMs`. */
export interface AnalysisRequest {
  deviceId: string;
  fs: number;
  startMs: number;
  /** Open a new session first (after a gap or a sample-rate change). */
  restart: boolean;
  chunkMv: Float64Array;
  /**
   * The device ADC's rails in mV when known (samples sent as counts): samples at a rail are
   * saturation, and the signal is then not analysable (`signalQuality`'s `railsMv`).
   */
  railsMv?: [number, number] | null | undefined;
}

/**
 * What the ingest service analyses packets with: in this thread (createInProcessAnalysis) or in
 * worker threads (ecg-analysis-workers.ts). Packets of one device must be analysed one at a time,
 * in order (the ingest service's per-device chain does that).
 */
export interface EcgAnalysisPort {
  analyse(request: AnalysisRequest): Promise<PacketAnalysis>;
  /** Drops sessions not used since `olderThanMs` (epoch ms). */
  evictIdle(olderThanMs: number): void;
  close(): Promise<void>;
}

/**
 * Runs one request on an adapter. A failing analysis may leave the session half-updated, so the
 * device's next packet starts a new one.
 */
export function runAnalysis(adapter: EcgAnalysisAdapter, r: AnalysisRequest): PacketAnalysis {
  try {
    return adapter
      .session(r.deviceId, r.fs, r.startMs, r.restart, r.railsMv ?? null)
      .push(r.chunkMv, r.startMs);
  } catch (error) {
    adapter.evict(r.deviceId);
    throw error;
  }
}

/** The analysis on the calling thread (tests; machines with one core). */
export function createInProcessAnalysis(
  factories: EcgAnalysisFactories,
  onError?: (error: unknown) => void,
): EcgAnalysisPort {
  const adapter = createEcgAnalysisAdapter(factories, onError);
  return {
    analyse(request) {
      try {
        return Promise.resolve(runAnalysis(adapter, request));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    evictIdle(olderThanMs) {
      adapter.evictIdle(olderThanMs);
    },
    close() {
      adapter.close();
      return Promise.resolve();
    },
  };
}

export interface EcgAnalysisAdapter {
  /**
   * The device's session; `restart` (after a gap), another sample rate or other ADC rails start
   * a new one.
   */
  session(
    deviceId: string,
    fs: number,
    startMs: number,
    restart: boolean,
    railsMv?: [number, number] | null,
  ): DeviceAnalysisSession;
  evict(deviceId: string): void;
  /** Drops sessions not used since `olderThanMs` (epoch ms); returns how many. */
  evictIdle(olderThanMs: number): number;
  readonly size: number;
  close(): void;
}

interface Session {
  fs: number;
  /** `railsMv` as a comparable key ('' when unknown). */
  rails: string;
  startMs: number;
  lastUsedMs: number;
  analyzer: EcgAnalyzerLike;
  monitor: ArrhythmiaMonitorLike | null;
  afStartSample: number | null;
  api: DeviceAnalysisSession;
}

export function createEcgAnalysisAdapter(
  factories: EcgAnalysisFactories,
  onError?: (error: unknown) => void,
): EcgAnalysisAdapter {
  const sessions = new Map<string, Session>();

  const railsKey = (railsMv: [number, number] | null): string =>
    railsMv === null ? '' : `${String(railsMv[0])}:${String(railsMv[1])}`;

  const open = (fs: number, startMs: number, railsMv: [number, number] | null): Session => {
    const s: Omit<Session, 'api'> & { api?: DeviceAnalysisSession } = {
      fs,
      rails: railsKey(railsMv),
      startMs,
      lastUsedMs: startMs,
      analyzer: factories.createEcgAnalyzer(
        railsMv === null ? { fs } : { fs, quality: { railsMv } },
      ),
      monitor: createMonitor(fs),
      afStartSample: null,
    };
    const session: Session = {
      ...s,
      api: {
        push: (chunk, at) => {
          session.lastUsedMs = at;
          return analyse(session, chunk);
        },
      },
    };
    return session;
  };

  // A failing arrhythmia model must not stop vitals from being stored and scored: findings are
  // then withheld with the reason, and the failure is reported once through `onError`.
  const createMonitor = (fs: number): ArrhythmiaMonitorLike | null => {
    if (factories.createArrhythmiaMonitor === undefined) return null;
    try {
      return factories.createArrhythmiaMonitor({ fs });
    } catch (error) {
      onError?.(error);
      return null;
    }
  };

  const toMs = (s: { startMs: number; fs: number }, sample: number): number =>
    Math.round(s.startMs + (sample * 1000) / s.fs);

  const analyse = (s: Session, chunk: Float64Array): PacketAnalysis => {
    const u = s.analyzer.push(chunk);
    let longestRrMs: number | null = null;
    for (const b of u.beats) {
      if (b.rrMs !== null && (longestRrMs === null || b.rrMs > longestRrMs)) longestRrMs = b.rrMs;
    }
    let arrhythmia: ArrhythmiaFindings | null = null;
    let a: ArrhythmiaUpdate | null = null;
    if (s.monitor !== null) {
      try {
        a = s.monitor.push(chunk, Int32Array.from(u.beats.map((b) => b.sample)));
      } catch (error) {
        onError?.(error);
        s.monitor = null;
      }
    }
    if (factories.createArrhythmiaMonitor !== undefined && a === null) {
      arrhythmia = {
        afSinceMs: null,
        vtRunBeats: 0,
        vtRunAtMs: null,
        vebPercent: 0,
        svebPercent: 0,
        vebBeats: 0,
        svebBeats: 0,
        episodes: [],
        withheld: 'arrhythmia analysis unavailable',
      };
    }
    if (a !== null) {
      let vtRunBeats = 0;
      let vtRunAtMs: number | null = null;
      for (const e of a.episodes) {
        if (e.rhythm === 'AF') s.afStartSample = e.ongoing ? e.start : null;
        // VT: >= 3 consecutive ventricular beats above 100 bpm; slower runs (TRIPLET, IVR) are not.
        if (e.rhythm === 'VT') {
          const beats = Math.max(3, e.beats);
          if (beats > vtRunBeats) {
            vtRunBeats = beats;
            vtRunAtMs = toMs(s, e.start);
          }
        }
      }
      arrhythmia = {
        afSinceMs: s.afStartSample === null ? null : toMs(s, s.afStartSample),
        vtRunBeats,
        vtRunAtMs,
        vebPercent: a.burden.vebPercent,
        svebPercent: a.burden.svebPercent,
        vebBeats: a.beats.filter((b) => b.class === 'VEB').length,
        svebBeats: a.beats.filter((b) => b.class === 'SVEB').length,
        episodes: a.episodes.map((e) => ({
          rhythm: e.rhythm,
          start: toMs(s, e.start),
          end: e.end === null ? null : toMs(s, e.end),
          ongoing: e.ongoing,
        })),
        withheld: a.withheld,
      };
    }
    return {
      heartRateBpm: u.heartRateBpm,
      qrsDurationMs: u.qrsDurationMs,
      hrv: u.hrv,
      quality: u.quality,
      beats: u.beats.length,
      longestRrMs,
      arrhythmia,
    };
  };

  return {
    session(deviceId, fs, startMs, restart, railsMv = null) {
      let s = sessions.get(deviceId);
      if (s === undefined || restart || s.fs !== fs || s.rails !== railsKey(railsMv)) {
        s = open(fs, startMs, railsMv);
        sessions.set(deviceId, s);
      }
      return s.api;
    },
    evict(deviceId) {
      sessions.delete(deviceId);
    },
    evictIdle(olderThanMs) {
      let n = 0;
      for (const [id, s] of sessions) {
        if (s.lastUsedMs < olderThanMs) {
          sessions.delete(id);
          n++;
        }
      }
      return n;
    },
    get size() {
      return sessions.size;
    },
    close() {
      sessions.clear();
    },
  };
}
