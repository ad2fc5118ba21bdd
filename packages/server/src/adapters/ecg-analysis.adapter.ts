/**
 * Per-device streaming ECG analysis over @vigil/signal's live-path objects
 * (`createEcgAnalyzer`, `createArrhythmiaMonitor`, interfaces agreed in packages/signal). One
 * session per device carries the analysers' state across packets; sample indices are turned
 * into epoch ms with the session's start time, so a session must be restarted after a gap
 * (the caller knows about gaps, see packet-order.ts). Idle sessions are evicted to bound memory.
 */

import type {
  ArrhythmiaUpdate,
  Ecg12Result,
  EcgAnalysisUpdate,
  MeasureMultiLeadQrsOptions,
  MultiLeadQrs,
} from '@vigil/signal';

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
  /** QRS width of a multi-lead stream from all its leads (@vigil/signal measureMultiLeadQrs). */
  measureMultiLeadQrs?:
    | ((
        leadsMv: readonly Float64Array[],
        beatSamples: ArrayLike<number>,
        options: MeasureMultiLeadQrsOptions,
      ) => MultiLeadQrs)
    | undefined;
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
  /**
   * Median QRS duration of the recent beats, ms: of a multi-lead stream, from all its leads (one
   * global onset and offset, `measureMultiLeadQrs`); otherwise of the rhythm lead.
   */
  qrsDurationMs: number | null;
  hrv: EcgAnalysisUpdate['hrv'];
  quality: EcgAnalysisUpdate['quality'];
  beats: number;
  /** Longest RR interval among the beats confirmed in this packet, ms. */
  longestRrMs: number | null;
  /**
   * Epoch ms (the stream's, i.e. the device's clock) of the beat that begins that RR interval:
   * where a pause starts in the ECG.
   */
  longestRrAtMs: number | null;
  arrhythmia: ArrhythmiaFindings | null;
}

export interface DeviceAnalysisSession {
  /**
   * Analyses the next contiguous chunk, which starts at `startMs`; `leadsMv`: all the leads of a
   * multi-lead packet (the chunk is one of them), for the QRS width.
   */
  push(
    chunkMv: Float64Array,
    startMs: number,
    leadsMv?: readonly Float64Array[] | null,
  ): PacketAnalysis;
}

/** One packet for analysis: the device's next contiguous chunk, starting at `startMs`. */
export interface AnalysisRequest {
  deviceId: string;
  fs: number;
  startMs: number;
  /** Open a new session first (after a gap or a sample-rate change). */
  restart: boolean;
  chunkMv: Float64Array;
  /** All the leads of a multi-lead packet (chunkMv is its rhythm lead); absent for one lead. */
  leadsMv?: Float64Array[] | null | undefined;
  /**
   * The device ADC's rails in mV when known (samples sent as counts): samples at a rail are
   * saturation, and the signal is then not analysable (`signalQuality`'s `railsMv`).
   */
  railsMv?: [number, number] | null | undefined;
}

/** A live 12-lead window: leads I … V6 (mV) at `fsHz`, of the device `deviceId`. */
export interface Ecg12Request {
  deviceId: string;
  fsHz: number;
  leadsMv: Float64Array[];
}

/** The 12-lead interpretation (@vigil/signal's interpretEcg12 with the configured model). */
export type InterpretEcg12 = (leadsMv: readonly Float64Array[], fsHz: number) => Ecg12Result;

/**
 * What the ingest service analyses packets with: in this thread (createInProcessAnalysis) or in
 * worker threads (ecg-analysis-workers.ts). Packets of one device must be analysed one at a time,
 * in order (the ingest service's per-device chain does that).
 */
export interface EcgAnalysisPort {
  analyse(request: AnalysisRequest): Promise<PacketAnalysis>;
  /**
   * Interprets a live 12-lead window (in the device's worker when there are workers, so a
   * 12-lead stream's interpretation does not hold the event loop). Rejects with the
   * SignalInputError of a window that cannot be measured.
   */
  interpretEcg12(request: Ecg12Request): Promise<Ecg12Result>;
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
      .push(r.chunkMv, r.startMs, r.leadsMv);
  } catch (error) {
    adapter.evict(r.deviceId);
    throw error;
  }
}

/** The analysis on the calling thread (tests; machines with one core). */
export function createInProcessAnalysis(
  factories: EcgAnalysisFactories,
  onError?: (error: unknown) => void,
  interpretEcg12?: InterpretEcg12,
): EcgAnalysisPort {
  const adapter = createEcgAnalysisAdapter(factories, onError);
  const settle = <T>(run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    analyse(request) {
      return settle(() => runAnalysis(adapter, request));
    },
    interpretEcg12(request) {
      return settle(() => {
        if (interpretEcg12 === undefined) throw new Error('no 12-lead interpretation configured');
        return interpretEcg12(request.leadsMv, request.fsHz);
      });
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
  /** A multi-lead stream's recent leads and beats, for the QRS width from all leads. */
  multi: MultiLeadWindow | null;
  api: DeviceAnalysisSession;
}

/** The last MULTI_LEAD_WINDOW_MS of a multi-lead stream, as the packets' chunks, and its beats. */
interface MultiLeadWindow {
  leadCount: number;
  chunks: { start: number; leads: readonly Float64Array[] }[];
  /** Beat samples (since the session's first sample) inside the window. */
  beats: number[];
}

/**
 * Span of a multi-lead stream kept for its QRS width, ms: the analyzer's HR window (10 s) and the
 * 2 s it waits for beats to be confirmed, so the same beats as its single-lead QRS median.
 */
const MULTI_LEAD_WINDOW_MS = 12_000;

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
      multi: null,
    };
    const session: Session = {
      ...s,
      api: {
        push: (chunk, at, leads) => {
          session.lastUsedMs = at;
          return analyse(session, chunk, leads ?? null);
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

  /**
   * The QRS width of a multi-lead stream from all its leads, over the beats of the last
   * MULTI_LEAD_WINDOW_MS; the rhythm lead's when the stream has one lead, the measure is not
   * available, or it finds no usable beat.
   */
  const multiLeadQrs = (
    s: Session,
    leads: readonly Float64Array[] | null,
    u: EcgAnalysisUpdate,
  ): number | null => {
    const measure = factories.measureMultiLeadQrs;
    if (measure === undefined || leads === null || leads.length < 2) {
      s.multi = null;
      return u.qrsDurationMs;
    }
    const len = leads[0]?.length ?? 0;
    if (s.multi?.leadCount !== leads.length)
      s.multi = { leadCount: leads.length, chunks: [], beats: [] };
    const w = s.multi;
    w.chunks.push({ start: u.samplesSeen - len, leads });
    for (const b of u.beats) w.beats.push(b.sample);
    const from = u.samplesSeen - Math.round((MULTI_LEAD_WINDOW_MS * s.fs) / 1000);
    while (w.chunks.length > 1 && (w.chunks[0]?.start ?? 0) + len <= from) w.chunks.shift();
    const start = w.chunks[0]?.start ?? 0;
    w.beats = w.beats.filter((b) => b >= start);
    if (u.qrsDurationMs === null || w.beats.length === 0) return u.qrsDurationMs;
    const total = u.samplesSeen - start;
    const window = Array.from({ length: leads.length }, (_, l) => {
      const out = new Float64Array(total);
      for (const c of w.chunks) out.set(c.leads[l] as Float64Array, c.start - start);
      return out;
    });
    try {
      const { qrsMs } = measure(
        window,
        w.beats.map((b) => b - start),
        { samplingRateHz: s.fs },
      );
      return Number.isFinite(qrsMs) ? qrsMs : u.qrsDurationMs;
    } catch (error) {
      onError?.(error);
      return u.qrsDurationMs;
    }
  };

  const analyse = (
    s: Session,
    chunk: Float64Array,
    leads: readonly Float64Array[] | null,
  ): PacketAnalysis => {
    const u = s.analyzer.push(chunk);
    const qrsDurationMs = multiLeadQrs(s, leads, u);
    let longestRrMs: number | null = null;
    let longestRrAtMs: number | null = null;
    for (const b of u.beats) {
      if (b.rrMs !== null && (longestRrMs === null || b.rrMs > longestRrMs)) {
        longestRrMs = b.rrMs;
        longestRrAtMs = toMs(s, b.sample) - Math.round(b.rrMs);
      }
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
      qrsDurationMs,
      hrv: u.hrv,
      quality: u.quality,
      beats: u.beats.length,
      longestRrMs,
      longestRrAtMs,
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
