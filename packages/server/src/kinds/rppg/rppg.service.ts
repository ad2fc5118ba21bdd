import { performance } from 'node:perf_hooks';
import {
  decodeRppgFrame,
  RPPG_FRAME_LIMITS,
  RPPG_VIDEO_LIMITS,
  validateRppgMeanRgbMessage,
  type HeartRateHistory,
  type HeartRateHistoryQuery,
  type RppgBpm,
  type RppgEstimateMessage,
  type RppgFrame,
  type RppgMeanRgbMessage,
  type RppgSeedBpm,
  type RppgSession,
  type RppgSessionCreate,
  type RppgStatus,
  type RppgStreamError,
  type RppgVideoResult,
} from '@vigil/protocol';
import { createRppgEstimator, SignalInputError, type RppgEstimate } from '@vigil/signal';
import { decodeJpeg, decodeVideoFrames, encodeJpeg, MediaDecodeError } from '@vigil/signal/io';
import type { Logger } from 'pino';
import type { FaceFinder, FoundFace } from '../../adapters/face-finder.adapter.js';
import type { Clock } from '../../adapters/clock.js';
import { DomainError, validationFailed, type ErrorCode } from '../../errors/catalogue.js';
import { MAX_FUTURE_MS, MIN_TIMESTAMP_MS } from '../../ingest/timestamps.js';
import type { Viewer } from '../../repositories/access.repository.js';
import type { AlertObservation } from '../../services/alert-rule-engine.js';
import { annotateFrame, type FrameOverlay } from './rppg-overlay.js';
import type { RppgMetrics } from './rppg-metrics.js';
import type { HeartRateKey, HeartRateObservationRow, RppgRepository } from './rppg.repository.js';
import { cameraObservation } from './rppg.assessor.js';

/** The seed-001 API version whose answers `/status` follows. */
const SEED_API_VERSION = '2.0.0';
/** Seconds of session time between two stored heart-rate observations. */
const OBSERVATION_INTERVAL_MS = 5000;
/** Session time between two observations given to the alert rules. */
const ALERT_INTERVAL_MS = 1000;
/**
 * Messages not yet analysed, per stream, above which new ones are dropped (counted as 'dropped'):
 * a client sending faster than the server analyses loses frames instead of growing a queue.
 * Mean colours cost almost nothing; a JPEG frame costs a decode and a face detection.
 */
const MAX_PENDING = { jpeg: 16, mean_rgb: 512 } as const;
/** A client or upload session without activity this long is ended (memory released). */
const IDLE_SESSION_MS = 10 * 60_000;
/** Frames no older than this count as a camera that is active, ms (seed: 5 s). */
const ACTIVE_WINDOW_MS = 5000;
/** Analysis window, samples at the estimator's 20 Hz (seed 001: 200, about 10 s). */
const BUFFER_SIZE = 200;
/** Upper frame rate analysed from an uploaded video. */
const VIDEO_MAX_FPS = 30;

type Source = RppgSession['source'];
type FrameSource = 'jpeg' | 'mean_rgb' | 'video' | 'bedside';

interface LatestFrame {
  pixels: Uint8Array;
  width: number;
  height: number;
  box: FoundFace | null;
}

/** A session held in memory: its estimator, the latest estimate and frame, its timers. */
class Session {
  readonly estimator = createRppgEstimator({ bufferSize: BUFFER_SIZE });
  latest: RppgEstimate | null = null;
  frame: LatestFrame | null = null;
  frameSeq = 0;
  lastFrameAtMs: number | null = null;
  lastActivityMs: number;
  busy = false;
  ended = false;
  /** Bedside: the camera process is running. */
  sourceRunning = false;
  nextObservationTs = -Infinity;
  nextAlertTs = -Infinity;
  waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly patientId: string,
    readonly source: Source,
    readonly createdAtMs: number,
  ) {
    this.lastActivityMs = createdAtMs;
  }

  notify(): void {
    this.frameSeq++;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** Resolves on the next frame, or at once when the session ends or `signal` aborts. */
  nextFrame(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.ended || signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export interface RppgServiceDeps {
  repo: RppgRepository;
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;
  /** Access-token check of the WebSocket stream (browsers send it as `?token=`). */
  authenticate(token: string): Promise<Viewer>;
  faces: FaceFinder;
  alerts: {
    observe(patientId: string, deviceId: string | null, o: AlertObservation): Promise<void>;
  };
  metrics: RppgMetrics;
  clock: Clock;
  newId: () => string;
  log: Logger;
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
}

/** One client's WebSocket on a session: feed it messages, close it when the socket closes. */
export interface RppgStream {
  readonly sessionId: string;
  /** Handles one message and gives its answer: an estimate, or an error (one per message). */
  receive(
    data: Uint8Array,
    isBinary: boolean,
  ): Promise<RppgEstimateMessage | RppgStreamError | null>;
  close(): void;
}

/** A bedside camera's standing session, as the camera source feeds it. */
export interface BedsideFeed {
  readonly sessionId: string;
  pushFrame(pixels: Uint8Array, width: number, height: number, timestampMs: number): Promise<void>;
  setRunning(running: boolean): void;
}

const VIDEO_ERRORS: Record<MediaDecodeError['code'], ErrorCode> = {
  NOT_A_VIDEO: 'RPPG_NOT_A_VIDEO',
  VIDEO_TOO_LONG: 'RPPG_VIDEO_TOO_LONG',
  DECODER_UNAVAILABLE: 'RPPG_VIDEO_DECODER_UNAVAILABLE',
  DECODE_FAILED: 'RPPG_NOT_A_VIDEO',
  CORRUPT_IMAGE: 'RPPG_NOT_A_VIDEO',
  IMAGE_TOO_LARGE: 'RPPG_NOT_A_VIDEO',
};

/**
 * Camera heart rate (seed 001) on the server: measurement sessions for a patient, fed by a
 * client's WebSocket (JPEG frames, or mean skin colours in privacy mode), an uploaded video
 * (ffmpeg, streamed frame by frame) or the bedside camera; BlazeFace finds the face and
 * `@vigil/signal`'s estimator (POS, band-pass, SNR confidence) gives the rate. Every 5 s of a
 * reading becomes a heart-rate observation of the patient (source `rppg`); live sessions feed the
 * camera alert rules. Answers follow seed 001's shapes.
 */
export class RppgService {
  private readonly sessions = new Map<string, Session>();
  private bedside: Session | null = null;

  constructor(private readonly deps: RppgServiceDeps) {}

  async create(viewer: Viewer, body: RppgSessionCreate): Promise<RppgSession> {
    this.sweepIdle();
    const patientId = body.patient_id ?? (viewer.role === 'patient' ? viewer.id : undefined);
    if (patientId === undefined) throw validationFailed('patient_id', 'patient_id is required');
    if (!(await this.visible(viewer, patientId)))
      throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
    const s = await this.open(patientId, viewer.id, 'client');
    return this.view(s);
  }

  /** The bedside camera's standing session for a patient (composition, at start-up). */
  async startBedside(patientId: string): Promise<BedsideFeed> {
    const s = await this.open(patientId, null, 'bedside');
    this.bedside = s;
    return {
      sessionId: s.id,
      pushFrame: async (pixels, width, height, timestampMs) => {
        await this.analyseFrame(s, pixels, width, height, timestampMs, 'bedside', true);
        const bpm = s.latest?.bpm ?? null;
        if (bpm === null) this.deps.metrics.lastBpm.remove(s.id);
        else this.deps.metrics.lastBpm.set({ session: s.id }, bpm);
      },
      setRunning: (running) => {
        s.sourceRunning = running;
      },
    };
  }

  /**
   * Opens a client's stream on a session (one at a time). `onViewer` hears who the token names
   * as soon as it is checked, so a refusal after that can be put on record with its caller.
   */
  async openStream(
    token: string | undefined,
    sessionId: string,
    onViewer?: (viewer: Viewer) => void,
  ): Promise<RppgStream> {
    if (token === undefined || token === '') throw new DomainError('UNAUTHENTICATED');
    const viewer = await this.deps.authenticate(token);
    onViewer?.(viewer);
    const s = await this.visibleSession(viewer, sessionId);
    if (s.busy || s.source === 'bedside') throw new DomainError('RPPG_SESSION_BUSY');
    s.busy = true;
    let pending = 0;
    let chain: Promise<unknown> = Promise.resolve();
    return {
      sessionId: s.id,
      receive: (data, isBinary) => {
        if (pending >= MAX_PENDING[isBinary ? 'jpeg' : 'mean_rgb']) {
          this.deps.metrics.frames.inc({
            source: isBinary ? 'jpeg' : 'mean_rgb',
            result: 'dropped',
          });
          return Promise.resolve({
            type: 'error',
            code: 'RATE_LIMITED',
            message:
              'Frame dropped: the server is still analysing earlier frames; send fewer per second',
          });
        }
        pending++;
        const run = chain.then(() => this.receive(s, data, isBinary));
        chain = run.catch(() => undefined);
        return run.finally(() => {
          pending--;
        });
      },
      close: () => {
        s.busy = false;
        s.lastActivityMs = this.deps.clock.now();
      },
    };
  }

  /** Analyses an uploaded video (already on disk, at most RPPG_VIDEO_LIMITS.maxBytes). */
  async uploadVideo(viewer: Viewer, sessionId: string, path: string): Promise<RppgVideoResult> {
    const s = await this.visibleSession(viewer, sessionId);
    if (s.busy || s.source === 'bedside') throw new DomainError('RPPG_SESSION_BUSY');
    s.busy = true;
    try {
      return await this.analyseVideo(s, path);
    } catch (error) {
      const code =
        error instanceof MediaDecodeError
          ? VIDEO_ERRORS[error.code]
          : error instanceof DomainError
            ? error.code
            : 'INTERNAL_ERROR';
      this.deps.metrics.videos.inc({ outcome: code });
      if (error instanceof MediaDecodeError)
        throw new DomainError(code, { field: 'video', cause: error });
      throw error;
    } finally {
      s.busy = false;
      s.lastActivityMs = this.deps.clock.now();
    }
  }

  async bpm(viewer: Viewer, sessionId: string): Promise<RppgBpm> {
    return this.bpmOf(await this.visibleSession(viewer, sessionId));
  }

  async status(viewer: Viewer, sessionId: string): Promise<RppgStatus> {
    return this.statusOf(await this.visibleSession(viewer, sessionId));
  }

  async currentFrame(viewer: Viewer, sessionId: string): Promise<RppgFrame> {
    return this.frameOf(await this.visibleSession(viewer, sessionId));
  }

  async videoFeed(
    viewer: Viewer,
    sessionId: string,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<Uint8Array>> {
    return this.feedOf(await this.visibleSession(viewer, sessionId), signal);
  }

  /** Bedside root `/bpm`: seed 001's shape with `bpm` 0 when there is no reading. */
  bedsideBpm(): RppgSeedBpm {
    const s = this.bedsideSession();
    if (s.frame === null && !s.sourceRunning) throw new DomainError('RPPG_NO_FRAME');
    const answer = this.bpmOf(s);
    return { ...answer, bpm: answer.bpm ?? 0 };
  }

  bedsideStatus(): RppgStatus {
    return this.statusOf(this.bedsideSession());
  }

  bedsideFrame(): RppgFrame {
    return this.frameOf(this.bedsideSession());
  }

  bedsideFeed(signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const s = this.bedsideSession();
    if (s.frame === null) throw new DomainError('RPPG_NO_FRAME');
    return this.feedOf(s, signal);
  }

  /** Whether a bedside camera is configured (the root paths answer only then). */
  get bedsideEnabled(): boolean {
    return this.bedside !== null;
  }

  /** A patient's heart rate from devices and camera measurements, oldest first. */
  async heartRateHistory(
    viewer: Viewer,
    patientId: string,
    q: HeartRateHistoryQuery,
  ): Promise<HeartRateHistory> {
    if (!(await this.visible(viewer, patientId)))
      throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
    const toMs = q.to ?? this.deps.clock.now();
    const fromMs = q.from ?? toMs - 86_400_000;
    if (fromMs > toMs) throw validationFailed('from', 'from is after to');
    const after = q.cursor === undefined ? undefined : decodeHeartRateCursor(q.cursor);
    // One row more than asked: whether the range holds more than this page.
    const rows = await this.deps.repo.heartRateHistory(patientId, fromMs, toMs, q.limit + 1, after);
    const page = rows.slice(0, q.limit);
    const oldest = page[page.length - 1];
    return {
      patient_id: patientId,
      next_cursor:
        rows.length > q.limit && oldest !== undefined ? encodeHeartRateCursor(oldest) : null,
      observations: page.reverse().map((r) => ({
        ts: r.ts,
        bpm: r.bpm,
        source: r.source,
        device_id: r.device_id,
        session_id: r.session_id,
        confidence:
          r.confidence === 'high' || r.confidence === 'medium' || r.confidence === 'low'
            ? r.confidence
            : null,
      })),
    };
  }

  /** Ends every session (server shutdown). */
  async close(): Promise<void> {
    const now = this.deps.clock.now();
    for (const s of this.sessions.values()) {
      s.ended = true;
      s.notify();
      await this.deps.repo.endSession(s.id, now).catch(() => undefined);
    }
    this.sessions.clear();
    this.deps.metrics.sessions.set(0);
  }

  // ---------------------------------------------------------------------------------------

  private async open(
    patientId: string,
    createdBy: string | null,
    source: Source,
  ): Promise<Session> {
    const now = this.deps.clock.now();
    const s = new Session(this.deps.newId(), patientId, source, now);
    await this.deps.repo.insertSession({
      id: s.id,
      patient_id: patientId,
      created_by: createdBy,
      source,
      created_at: now,
      ended_at: null,
    });
    this.sessions.set(s.id, s);
    this.deps.metrics.sessions.set(this.sessions.size);
    return s;
  }

  private view(s: Session): RppgSession {
    return {
      session_id: s.id,
      patient_id: s.patientId,
      source: s.source,
      created_at: s.createdAtMs,
      stream_path: `/api/v1/rppg/sessions/${s.id}/stream`,
    };
  }

  private sweepIdle(): void {
    const now = this.deps.clock.now();
    for (const s of this.sessions.values()) {
      if (s.source === 'bedside' || s.busy || now - s.lastActivityMs < IDLE_SESSION_MS) continue;
      s.ended = true;
      s.notify();
      this.sessions.delete(s.id);
      void this.deps.repo.endSession(s.id, now).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'could not mark an rPPG session ended');
      });
    }
    this.deps.metrics.sessions.set(this.sessions.size);
  }

  private async visible(viewer: Viewer, patientId: string): Promise<boolean> {
    return viewer.role === 'admin' || (await this.deps.canSeePatient(viewer, patientId));
  }

  private async visibleSession(viewer: Viewer, id: string): Promise<Session> {
    const s = this.sessions.get(id);
    if (s === undefined || s.ended || !(await this.visible(viewer, s.patientId)))
      throw new DomainError('RPPG_SESSION_NOT_FOUND', { field: 'id' });
    return s;
  }

  private bedsideSession(): Session {
    if (this.bedside === null) throw new DomainError('CAMERA_NOT_CONFIGURED');
    return this.bedside;
  }

  private async receive(
    s: Session,
    data: Uint8Array,
    isBinary: boolean,
  ): Promise<RppgEstimateMessage | RppgStreamError | null> {
    try {
      let estimate: RppgEstimate;
      if (isBinary) {
        const frame = decodeRppgFrame(data);
        if (frame === null)
          throw new DomainError('RPPG_CORRUPT_FRAME', {
            field: 'header',
            message: 'A binary message is [type 1][float64 LE timestamp ms][JPEG]',
          });
        this.checkCaptureTime(frame.timestampMs);
        if (frame.jpeg.length > RPPG_FRAME_LIMITS.maxBytes)
          throw new DomainError('RPPG_CORRUPT_FRAME', {
            field: 'jpeg',
            message: `A frame is at most ${RPPG_FRAME_LIMITS.maxBytes} bytes`,
          });
        let image: ReturnType<typeof decodeJpeg>;
        try {
          image = decodeJpeg(frame.jpeg, { maxPixels: RPPG_FRAME_LIMITS.maxPixels });
        } catch (error) {
          this.deps.metrics.frames.inc({ source: 'jpeg', result: 'corrupt' });
          throw new DomainError('RPPG_CORRUPT_FRAME', {
            field: 'jpeg',
            message: error instanceof Error ? error.message : 'not a JPEG',
            cause: error,
          });
        }
        estimate = await this.analyseFrame(
          s,
          image.pixels,
          image.width,
          image.height,
          frame.timestampMs,
          'jpeg',
          true,
        );
      } else {
        const message = parseMeanRgb(data);
        this.checkCaptureTime(message.timestamp_ms);
        estimate = await this.analyseMeanRgb(s, message);
      }
      return {
        type: 'estimate',
        ...this.bpmOf(s),
        snr_db: estimate.snrDb === null ? null : Math.round(estimate.snrDb * 100) / 100,
        frame_rate_hz:
          estimate.frameRateHz === null ? null : Math.round(estimate.frameRateHz * 100) / 100,
        waveform: estimate.waveform,
        waveform_rate_hz: estimate.waveformRateHz,
      };
    } catch (error) {
      if (error instanceof DomainError)
        return {
          type: 'error',
          code: error.code,
          message: error.message,
          ...(error.field === undefined ? {} : { field: error.field }),
        };
      throw error;
    }
  }

  /**
   * A client's capture time becomes the time of the stored observations: epoch ms of a set
   * clock. A stream at 1e16 ms (beyond 2^53) stored observations PostgreSQL then could not read
   * back (every read of them a 500), one at -1e15 stored them 30,000 years ago.
   */
  private checkCaptureTime(timestampMs: number): void {
    const nowMs = this.deps.clock.now();
    if (!(timestampMs >= MIN_TIMESTAMP_MS && timestampMs <= nowMs + MAX_FUTURE_MS))
      throw validationFailed(
        'timestamp_ms',
        'timestamp_ms must be the capture time in epoch ms, from 2000-01-01 to a day ahead of the server',
      );
  }

  private async analyseMeanRgb(s: Session, m: RppgMeanRgbMessage): Promise<RppgEstimate> {
    const estimate = guardTimestamp(() =>
      s.estimator.pushMeanRgb({
        r: m.r,
        g: m.g,
        b: m.b,
        timestampMs: m.timestamp_ms,
        faceDetected: m.face_detected ?? true,
        ...(m.box === undefined ? {} : { box: m.box }),
      }),
    );
    this.deps.metrics.frames.inc({
      source: 'mean_rgb',
      result: estimate.faceDetected ? 'face' : 'no_face',
    });
    await this.afterEstimate(s, estimate, true, undefined);
    return estimate;
  }

  private async analyseFrame(
    s: Session,
    pixels: Uint8Array,
    width: number,
    height: number,
    timestampMs: number,
    source: FrameSource,
    live: boolean,
    pending?: HeartRateObservationRow[],
  ): Promise<RppgEstimate> {
    const started = performance.now();
    const box = await this.deps.faces.find(pixels, width, height);
    const estimate = guardTimestamp(() =>
      s.estimator.pushFrame({ frame: { pixels, width, height, channels: 3 }, box, timestampMs }),
    );
    s.frame = { pixels, width, height, box: estimate.faceDetected ? box : null };
    this.deps.metrics.frames.inc({ source, result: estimate.faceDetected ? 'face' : 'no_face' });
    this.deps.metrics.frameSeconds.observe((performance.now() - started) / 1000);
    await this.afterEstimate(s, estimate, live, pending);
    return estimate;
  }

  /**
   * Keeps the estimate, wakes the video feeds, stores an observation every 5 s of a reading
   * (into `pending` for uploads, written at the end so a failed upload stores nothing) and, for
   * live sessions, gives the camera alert rules an observation each second.
   */
  private async afterEstimate(
    s: Session,
    e: RppgEstimate,
    live: boolean,
    pending: HeartRateObservationRow[] | undefined,
  ): Promise<void> {
    s.latest = e;
    s.lastFrameAtMs = this.deps.clock.now();
    s.lastActivityMs = s.lastFrameAtMs;
    s.notify();
    if (e.bpm !== null && e.timestampMs >= s.nextObservationTs) {
      s.nextObservationTs = e.timestampMs + OBSERVATION_INTERVAL_MS;
      this.deps.metrics.estimates.inc({ confidence: e.confidence });
      const row: HeartRateObservationRow = {
        id: this.deps.newId(),
        patient_id: s.patientId,
        ts: Math.round(e.timestampMs),
        bpm: e.bpm,
        source: 'rppg',
        session_id: s.id,
        confidence: e.confidence,
        signal_quality: e.signalQuality,
        snr_db: e.snrDb,
      };
      if (pending !== undefined) pending.push(row);
      else {
        await this.deps.repo.insertObservations([row]);
        this.deps.metrics.observations.inc();
      }
    }
    if (live && e.timestampMs >= s.nextAlertTs) {
      s.nextAlertTs = e.timestampMs + ALERT_INTERVAL_MS;
      this.deps.alerts
        .observe(s.patientId, null, cameraObservation(e, Math.round(e.timestampMs)))
        .catch((err: unknown) => {
          this.deps.log.warn({ err }, 'camera alert rules failed');
        });
    }
  }

  private async analyseVideo(s: Session, path: string): Promise<RppgVideoResult> {
    s.estimator.reset();
    s.nextObservationTs = -Infinity;
    const pending: HeartRateObservationRow[] = [];
    let base = this.deps.clock.now();
    let fps = 0;
    let frames = 0;
    let faceFrames = 0;
    let lastTs = 0;
    const started = performance.now();
    for await (const frame of decodeVideoFrames(path, {
      maxFps: VIDEO_MAX_FPS,
      maxDurationSeconds: RPPG_VIDEO_LIMITS.maxSeconds,
      ...(this.deps.ffmpegPath === undefined ? {} : { ffmpegPath: this.deps.ffmpegPath }),
      ...(this.deps.ffprobePath === undefined ? {} : { ffprobePath: this.deps.ffprobePath }),
      onInfo: (info) => {
        fps = info.outputFps;
        // The recording ends now: its frames are placed on the clock before this moment.
        base -= Math.round((info.durationSeconds ?? 0) * 1000);
      },
    })) {
      lastTs = base + frame.timestampMs;
      const e = await this.analyseFrame(
        s,
        frame.pixels,
        frame.width,
        frame.height,
        lastTs,
        'video',
        false,
        pending,
      );
      frames++;
      if (e.faceDetected) faceFrames++;
    }
    const seconds = (performance.now() - started) / 1000;
    await this.deps.repo.insertObservations(pending);
    this.deps.metrics.observations.inc(pending.length);
    this.deps.metrics.videos.inc({ outcome: 'analysed' });
    return {
      session_id: s.id,
      frames,
      face_frames: faceFrames,
      duration_s: fps > 0 ? Math.round((frames / fps) * 100) / 100 : 0,
      fps: Math.round(fps * 100) / 100,
      processing_fps: seconds > 0 ? Math.round((frames / seconds) * 10) / 10 : 0,
      observations_stored: pending.length,
      result: this.bpmOf(s),
    };
  }

  private bpmOf(s: Session): RppgBpm {
    const e = s.latest;
    const timestamp = this.deps.clock.now() / 1000;
    if (e === null)
      return {
        bpm: null,
        confidence: 'low',
        message: 'Waiting for camera frames',
        face_detected: false,
        buffer_fill: `0/${BUFFER_SIZE}`,
        timestamp,
        signal_quality: 'poor',
      };
    return {
      bpm: e.bpm,
      confidence: e.confidence,
      message: e.message,
      face_detected: e.faceDetected,
      buffer_fill: e.bufferFill,
      timestamp,
      signal_quality: e.signalQuality,
    };
  }

  private statusOf(s: Session): RppgStatus {
    const now = this.deps.clock.now();
    const since = s.lastFrameAtMs === null ? null : now - s.lastFrameAtMs;
    const recent = since !== null && since <= ACTIVE_WINDOW_MS;
    // A camera is active while something feeds the session: the bedside process, or a connected
    // stream or a video being analysed (busy). A finished upload or a closed stream is not a
    // camera, however recent its last frame.
    const active = (s.source === 'bedside' ? s.sourceRunning : s.busy) && recent;
    const e = s.latest;
    return {
      camera_active: active,
      face_detected: e?.faceDetected ?? false,
      buffer_size: e?.bufferCount ?? 0,
      max_buffer_size: e?.bufferSize ?? BUFFER_SIZE,
      // Seed 001 gives float('inf') before the first frame, which JSON cannot carry: null.
      time_since_last_update: since === null ? null : Math.round(since) / 1000,
      signal_quality: e?.signalQuality ?? 'poor',
      api_version: SEED_API_VERSION,
      system_health: active ? 'healthy' : s.lastFrameAtMs === null ? 'unhealthy' : 'degraded',
    };
  }

  private annotated(s: Session): { jpeg: Uint8Array; face: boolean; bpm: number | null } {
    const f = s.frame;
    if (f === null) throw new DomainError('RPPG_NO_FRAME');
    const bpm = s.latest?.bpm ?? null;
    const green = [0, 255, 0] as const;
    const lines: FrameOverlay['lines'] =
      f.box === null
        ? [{ text: 'No Face', color: [255, 0, 0] as const }]
        : [
            { text: 'Face Detected', color: green },
            { text: `BPM: ${bpm === null ? '--' : Math.round(bpm)}`, color: green },
          ];
    lines.push({
      text: `Buffer: ${s.latest?.bufferFill ?? `0/${BUFFER_SIZE}`}`,
      color: [255, 255, 255] as const,
    });
    const pixels = annotateFrame(f.pixels, f.width, f.height, { box: f.box, lines });
    return {
      jpeg: encodeJpeg(pixels, f.width, f.height, { quality: 80 }),
      face: f.box !== null,
      bpm,
    };
  }

  private frameOf(s: Session): RppgFrame {
    const a = this.annotated(s);
    return {
      frame: Buffer.from(a.jpeg).toString('base64'),
      face_detected: a.face,
      bpm: a.bpm,
      timestamp: this.deps.clock.now() / 1000,
    };
  }

  /** Annotated JPEGs of the session's frames as they arrive, at most 10 per second. */
  private async *feedOf(s: Session, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    let seen = -1;
    let lastAt = 0;
    while (!signal.aborted && !s.ended) {
      if (s.frame !== null && s.frameSeq !== seen) {
        const wait = lastAt + 100 - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        seen = s.frameSeq;
        lastAt = performance.now();
        yield this.annotated(s).jpeg;
        continue;
      }
      await s.nextFrame(signal);
    }
  }
}

/** A text message of privacy mode, checked (errors name the field). */
function parseMeanRgb(data: Uint8Array): RppgMeanRgbMessage {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new DomainError('MALFORMED_REQUEST', { message: 'A text message must be JSON' });
  }
  if (!validateRppgMeanRgbMessage.Check(value)) {
    const [first] = validateRppgMeanRgbMessage.Errors(value);
    const field = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
    throw validationFailed(
      field === '' ? 'type' : field,
      `A text message is {"type":"mean_rgb","timestamp_ms","r","g","b"}: ${first?.message ?? 'invalid'}`,
    );
  }
  return value;
}

/** A heart-rate history page's `next_cursor`: its oldest row's key, opaque to clients. */
function encodeHeartRateCursor(k: HeartRateKey): string {
  return Buffer.from(`${String(k.ts)}:${k.source}:${k.id}`).toString('base64url');
}

/** The key a `?cursor=` names; a cursor this API did not return is a 400 naming `cursor`. */
function decodeHeartRateCursor(cursor: string): HeartRateKey {
  const [ts, source, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const tsMs = Number(ts);
  if (
    !Number.isSafeInteger(tsMs) ||
    (source !== 'device' && source !== 'rppg') ||
    id === undefined ||
    id === ''
  )
    throw validationFailed('cursor', 'cursor is not a cursor this API returned');
  return { ts: tsMs, source, id };
}

/** The estimator's timestamp rule as a refused frame (the session goes on). */
function guardTimestamp(push: () => RppgEstimate): RppgEstimate {
  try {
    return push();
  } catch (error) {
    if (error instanceof SignalInputError)
      throw new DomainError('RPPG_CORRUPT_FRAME', {
        field: error.field === 'timestampMs' ? 'timestamp_ms' : error.field,
        message: error.message,
        cause: error,
      });
    throw error;
  }
}
