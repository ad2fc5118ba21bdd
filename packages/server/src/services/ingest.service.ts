import type { Clock } from '../adapters/clock.js';
import type { EcgAnalysisPort, PacketAnalysis } from '../adapters/ecg-analysis.adapter.js';
import type { PredictionsTable, VitalsTable } from '../db/pipeline-schema.js';
import { DomainError, validationFailed } from '../errors/catalogue.js';
import { encodeEcgInt16 } from '../repositories/ecg-codec.js';
import type { PacketWriteUnit, VitalsRepository } from '../repositories/vitals.repository.js';
import type { AlertObservation } from './alert-rule-engine.js';
import type { DeviceAuth, DeviceIdentity } from './devices.service.js';
import { createPacketOrderer, type PacketOrderer } from './packet-order.js';
import { toPredictionView } from './prediction-view.js';
import type {
  PredictionView,
  RealtimeEvent,
  RealtimePublisher,
  VitalsEventData,
} from './realtime-port.js';
import { bandPoints, NEWS2_PULSE_BANDS, type RiskModel } from './risk-model.js';
import { createWriteBatcher, type WriteBatcher } from './write-batcher.js';

/** One packet as devices send it (seed 000); validated structurally by the transport's schema. */
export interface IngestPacket {
  device_id: string;
  timestamp: number;
  ecg_samples: number[];
  ecg_sample_rate_hz?: number | undefined;
  /** Alias of ecg_sample_rate_hz sent by the seed-000 ESP32 firmware. */
  sample_rate_hz?: number | undefined;
  heart_rate_bpm?: number | undefined;
  spo2_percent?: number | undefined;
  sequence?: number | undefined;
  battery_percent?: number | undefined;
  temperature_c?: number | undefined;
  respiratory_rate?: number | undefined;
  lead_off?: boolean | undefined;
}

export interface IngestResultView {
  id: string;
  device_id: string;
  timestamp: number;
  sequence: number | null;
}

/** Timestamps below this are epoch seconds, above it epoch ms (see vitals.schemas.ts). */
export const SECONDS_MS_BOUNDARY = 1e11;
/** A device clock more than a day ahead of the server is wrong, not early. */
export const MAX_FUTURE_MS = 86_400_000;
/** Before 2000-01-01 means an unset device clock (ESP32 without NTP counts from 1970). */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
export const DEFAULT_ECG_FS_HZ = 250;
/**
 * Largest ECG sample magnitude accepted, mV. Body-surface ECG is a few mV (QRS rarely above 5 mV)
 * and an electrode offset that large saturates any ECG front end long before; a value beyond it
 * is a unit mistake (raw ADC counts, µV) or garbage. It also bounds the stored chunk's int16
 * scale (ecg-codec: max |sample| / 32767, so 1.5 µV at worst): one absurd sample (−1e308) used to
 * set the scale so that every other sample of its packet was stored as 0.
 */
export const MAX_ECG_MV = 50;

/** Converts a device timestamp (s or ms) to epoch ms. */
export function toEpochMs(timestamp: number): number {
  return Math.round(timestamp < SECONDS_MS_BOUNDARY ? timestamp * 1000 : timestamp);
}

interface NormalizedPacket {
  index: number;
  deviceId: string;
  tsMs: number;
  sequence: number | null;
  fs: number;
  samples: Float64Array;
  hr: number | null;
  spo2: number | null;
  temp: number | null;
  resp: number | null;
  battery: number | null;
  leadOff: boolean | null;
}

/**
 * Checks what a JSON schema cannot: finiteness (JSON allows 1e999 = Infinity), the time window,
 * and the ECG's plausibility. Throws VALIDATION_FAILED naming the field (`[i].field` in a batch).
 */
export function normalizePacket(
  p: IngestPacket,
  index: number,
  batch: boolean,
  nowMs: number,
): NormalizedPacket {
  const f = (name: string): string => (batch ? `[${index}].${name}` : name);
  const finite = (name: string, v: number | undefined): number | null => {
    if (v === undefined) return null;
    if (!Number.isFinite(v)) throw validationFailed(f(name), `${f(name)} must be a finite number`);
    return v;
  };
  if (!Number.isFinite(p.timestamp))
    throw validationFailed(f('timestamp'), `${f('timestamp')} must be a finite number`);
  const tsMs = toEpochMs(p.timestamp);
  if (tsMs > nowMs + MAX_FUTURE_MS)
    throw validationFailed(f('timestamp'), `${f('timestamp')} is more than a day in the future`);
  if (tsMs < MIN_TIMESTAMP_MS)
    throw validationFailed(
      f('timestamp'),
      `${f('timestamp')} is before 2000-01-01: is the device clock set?`,
    );
  const samples = new Float64Array(p.ecg_samples.length);
  for (let i = 0; i < p.ecg_samples.length; i++) {
    const v = p.ecg_samples[i];
    if (v === undefined || !Number.isFinite(v))
      throw validationFailed(
        f(`ecg_samples[${i}]`),
        `${f(`ecg_samples[${i}]`)} must be a finite number`,
      );
    if (Math.abs(v) > MAX_ECG_MV)
      throw validationFailed(
        f(`ecg_samples[${i}]`),
        `${f(`ecg_samples[${i}]`)} must be within ±${String(MAX_ECG_MV)} mV`,
      );
    samples[i] = v;
  }
  // The seed-000 firmware sends 0 for a pulse oximeter that has no reading (finger out, sensor
  // off): no reading, stored as absent, never a measured 0 (nor a refused packet).
  const reading = (v: number | null): number | null => (v === 0 ? null : v);
  const hr = reading(finite('heart_rate_bpm', p.heart_rate_bpm));
  if (hr !== null && (hr < 0 || hr > 300))
    throw validationFailed(f('heart_rate_bpm'), `${f('heart_rate_bpm')} must be ≥ 0 and ≤ 300`);
  const spo2 = reading(finite('spo2_percent', p.spo2_percent));
  if (spo2 !== null && (spo2 < 0 || spo2 > 100))
    throw validationFailed(f('spo2_percent'), `${f('spo2_percent')} must be between 0 and 100`);
  // `sample_rate_hz` is the seed-000 firmware's name for the ECG rate. Ignoring it analysed a
  // 100 Hz stream as 250 Hz (60 bpm read as 150 bpm), so it is read, and must agree with
  // `ecg_sample_rate_hz` when both are sent.
  const fsNamed = finite('ecg_sample_rate_hz', p.ecg_sample_rate_hz);
  const fsAlias = finite('sample_rate_hz', p.sample_rate_hz);
  if (fsNamed !== null && fsAlias !== null && fsNamed !== fsAlias)
    throw validationFailed(
      f('sample_rate_hz'),
      `${f('sample_rate_hz')} (${String(fsAlias)} Hz) contradicts ${f('ecg_sample_rate_hz')} (${String(fsNamed)} Hz)`,
    );
  return {
    index,
    deviceId: p.device_id,
    tsMs,
    sequence: p.sequence ?? null,
    fs: fsNamed ?? fsAlias ?? DEFAULT_ECG_FS_HZ,
    samples,
    hr,
    spo2,
    temp: finite('temperature_c', p.temperature_c),
    resp: finite('respiratory_rate', p.respiratory_rate),
    battery: finite('battery_percent', p.battery_percent),
    leadOff: p.lead_off ?? null,
  };
}

interface HeldPacket {
  timestampMs: number;
  sequence: number | null;
  durationMs: number;
  packet: NormalizedPacket;
  vitalsId: string;
  patientId: string | null;
}

interface DeviceState {
  orderer: PacketOrderer<HeldPacket>;
  /** Newest packet timestamp known to be stored (undefined until read from the database). */
  newestTs: number | undefined;
  hrBand: { points: number; since: number } | null;
  lastSeenWriteMs: number;
  /** A write failed after its packets were analysed: the next analysed packet restarts the stream. */
  restartAnalysis: boolean;
}

/** What the alert engine gets after a batch is durable. */
export interface AlertSink {
  observe(patientId: string, deviceId: string, observation: AlertObservation): Promise<void>;
  /** Marks the device as heard from now (for the device-silent rule). */
  heard(patientId: string, deviceId: string, atMs: number): void;
}

export interface IngestServiceDeps {
  vitals: Pick<VitalsRepository, 'writeUnits' | 'findByDeviceTs' | 'latest'>;
  devices: {
    resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity>;
    markSeen(id: string): Promise<void>;
  };
  analysis: EcgAnalysisPort;
  risk: RiskModel;
  alerts: AlertSink;
  realtime: RealtimePublisher;
  clock: Clock;
  newId: () => string;
  /** Most units per group commit (default 512). */
  maxUnitsPerBatch?: number;
  /** Group commits in flight at once (default 1: SQLite has a single writer). */
  concurrentBatches?: number;
  /** Told of each packet whose ECG analysis failed (the packet is stored and scored anyway). */
  onAnalysisError?: (error: unknown) => void;
}

/** How often a device's last_seen_at is written (it is a hint, not a log). */
const LAST_SEEN_WRITE_INTERVAL_MS = 30_000;

/**
 * Ingest of vitals packets from HTTP and MQTT: validate, deduplicate, store durably (group
 * commit), analyse in time order per device, score risk, then hand observations to the alert
 * engine and events to the real-time hub. Packets of one device are processed one request at a
 * time (a promise chain per device), which makes retries and reordering deterministic; different
 * devices proceed concurrently and share commits.
 */
export class IngestService {
  private readonly batcher: WriteBatcher<PacketWriteUnit>;
  private readonly devices = new Map<string, DeviceState>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(private readonly deps: IngestServiceDeps) {
    this.batcher = createWriteBatcher<PacketWriteUnit>({
      write: async (units) => {
        await deps.vitals.writeUnits(units);
      },
      maxUnits: deps.maxUnitsPerBatch ?? 512,
      concurrency: deps.concurrentBatches ?? 1,
    });
  }

  /** Commits performed so far (for metrics and the group-commit test). */
  get commits(): number {
    return this.batcher.batches;
  }

  /**
   * Ingests one packet or a batch. All packets must name the authenticated device; the batch is
   * all-or-nothing. Returns one result per packet, in request order; a retried packet gets the
   * result of its first delivery.
   */
  async ingest(
    auth: DeviceAuth,
    packets: readonly IngestPacket[],
    batch: boolean,
  ): Promise<IngestResultView[]> {
    if (this.closed) throw new DomainError('SERVICE_UNAVAILABLE');
    if (packets.length === 0) throw validationFailed('(body)', 'at least one packet is required');
    const now = this.deps.clock.now();
    const first = packets[0];
    if (first === undefined) throw validationFailed('(body)', 'at least one packet is required');
    for (let i = 1; i < packets.length; i++) {
      if (packets[i]?.device_id !== first.device_id)
        throw validationFailed(
          `[${i}].device_id`,
          `[${i}].device_id: a batch carries packets of one device`,
        );
    }
    let device: DeviceIdentity;
    try {
      device = await this.deps.devices.resolveUploader(auth, first.device_id);
    } catch (e) {
      if (e instanceof DomainError && e.field === 'device_id' && batch) {
        throw new DomainError(e.code, { field: '[0].device_id' });
      }
      throw e;
    }
    const normalized = packets.map((p, i) => normalizePacket(p, i, batch, now));
    return this.enqueue(device.device_id, () => this.process(device, normalized, now));
  }

  private enqueue<T>(deviceId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(deviceId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(deviceId, tail);
    void tail.then(() => {
      if (this.chains.get(deviceId) === tail) this.chains.delete(deviceId);
    });
    return next;
  }

  private async state(deviceId: string): Promise<DeviceState> {
    let s = this.devices.get(deviceId);
    if (s === undefined) {
      s = {
        orderer: createPacketOrderer<HeldPacket>(),
        newestTs: undefined,
        hrBand: null,
        lastSeenWriteMs: 0,
        restartAnalysis: false,
      };
      this.devices.set(deviceId, s);
    }
    if (s.newestTs === undefined) s.newestTs = (await this.deps.vitals.latest(deviceId))?.ts ?? -1;
    return s;
  }

  private async process(
    device: DeviceIdentity,
    packets: NormalizedPacket[],
    now: number,
  ): Promise<IngestResultView[]> {
    const state = await this.state(device.device_id);
    const results: IngestResultView[] = new Array<IngestResultView>(packets.length);
    const unit: PacketWriteUnit = { vitals: [], predictions: [] };
    const live: RealtimeEvent[] = [];
    const observations: AlertObservation[] = [];
    const seenInRequest = new Map<number, IngestResultView>();
    const sorted = [...packets].sort((a, b) => a.tsMs - b.tsMs);
    let newest = state.newestTs ?? -1;
    // If the write fails, the ordering state goes back to before this request: its packets were
    // not stored, so none may stay held (to be scored later against a missing row) or count as
    // analysed (the device's retry would be "late").
    const restoreOrder = state.orderer.checkpoint();
    const hrBand = state.hrBand;

    for (const p of sorted) {
      const again = seenInRequest.get(p.tsMs);
      if (again !== undefined) {
        results[p.index] = again;
        continue;
      }
      // Anything newer than the newest stored packet is new; older ones may be retries.
      if (p.tsMs <= newest) {
        const existing = await this.deps.vitals.findByDeviceTs(device.device_id, p.tsMs);
        if (existing !== undefined) {
          const r = resultOf(existing);
          results[p.index] = r;
          seenInRequest.set(p.tsMs, r);
          continue;
        }
      }
      const enc = p.samples.length > 0 ? encodeEcgInt16(p.samples) : null;
      const row: VitalsTable = {
        id: this.deps.newId(),
        device_id: device.device_id,
        patient_id: device.patient_id,
        ts: p.tsMs,
        sequence: p.sequence,
        received_at: now,
        heart_rate_bpm: p.hr,
        spo2_percent: p.spo2,
        temperature_c: p.temp,
        respiratory_rate: p.resp,
        battery_percent: p.battery,
        lead_off: p.leadOff === null ? null : p.leadOff ? 1 : 0,
        ecg_sample_rate_hz: p.fs,
        ecg_n_samples: p.samples.length,
        ecg_scale_mv: enc === null ? null : enc.scaleMv,
        ecg_samples: enc === null ? null : enc.bytes,
      };
      unit.vitals.push(row);
      const r = resultOf(row);
      results[p.index] = r;
      seenInRequest.set(p.tsMs, r);
      if (p.tsMs > newest) newest = p.tsMs;
      live.push({
        type: 'vitals',
        patientId: device.patient_id,
        deviceId: device.device_id,
        data: vitalsEvent(row, p),
      });

      const held: HeldPacket = {
        timestampMs: p.tsMs,
        sequence: p.sequence,
        durationMs: p.samples.length > 0 ? (p.samples.length * 1000) / p.fs : 0,
        packet: p,
        vitalsId: row.id,
        patientId: device.patient_id,
      };
      // Packets without ECG carry no stream state: score them at once.
      const offered =
        p.samples.length === 0
          ? { released: [{ packet: held, gapBefore: false }], late: false }
          : state.orderer.offer(held);
      // A late packet is scored on its vitals alone (its ECG would corrupt the stream's state)
      // and not shown to the alert rules, whose durations run forward in time.
      const toScore = offered.late
        ? [{ packet: held, gapBefore: false, late: true }]
        : offered.released.map((r) => ({ ...r, late: false }));
      for (const rel of toScore) {
        const analysed = !rel.late && rel.packet.packet.samples.length > 0;
        const restart = rel.gapBefore || (analysed && state.restartAnalysis);
        if (analysed) state.restartAnalysis = false;
        const scored = await this.score(
          device.device_id,
          state,
          rel.packet,
          restart,
          now,
          rel.late,
        );
        unit.predictions.push(scored.prediction);
        live.push({
          type: 'prediction',
          patientId: rel.packet.patientId,
          deviceId: device.device_id,
          data: scored.view,
        });
        if (!rel.late) observations.push(scored.observation);
      }
    }

    if (unit.vitals.length > 0) {
      try {
        await this.batcher.submit(unit);
      } catch (error) {
        restoreOrder();
        state.hrBand = hrBand;
        // The analyser has consumed samples that were not stored: start its stream afresh.
        state.restartAnalysis = true;
        throw error;
      }
      state.newestTs = Math.max(state.newestTs ?? -1, newest);
      if (now - state.lastSeenWriteMs >= LAST_SEEN_WRITE_INTERVAL_MS) {
        state.lastSeenWriteMs = now;
        await this.deps.devices.markSeen(device.id);
      }
      for (const e of live) this.deps.realtime.publish(e);
      if (device.patient_id !== null) {
        this.deps.alerts.heard(device.patient_id, device.device_id, now);
        for (const o of observations)
          await this.deps.alerts.observe(device.patient_id, device.device_id, o);
      }
    }
    return results;
  }

  private async score(
    deviceId: string,
    state: DeviceState,
    h: HeldPacket,
    gapBefore: boolean,
    now: number,
    late: boolean,
  ): Promise<{
    prediction: PredictionsTable;
    view: PredictionView;
    observation: AlertObservation;
  }> {
    const p = h.packet;
    let a: PacketAnalysis | null = null;
    let analysisFailed = false;
    if (p.samples.length > 0 && !late) {
      try {
        a = await this.deps.analysis.analyse({
          deviceId,
          fs: p.fs,
          startMs: p.tsMs,
          restart: gapBefore,
          chunkMv: p.samples,
        });
      } catch (error) {
        // A failing analysis (a bug, a worker that died) must not lose the packet: it is stored
        // and scored on its vitals alone, like a late one, and the device's next packet starts
        // a new analysis session.
        analysisFailed = true;
        this.deps.onAnalysisError?.(error);
      }
    }
    // Lead-off or noise: no heart rate rather than a wrong one, and the device's own HR (which
    // it derives from the same electrodes) is not trusted either.
    const analysable = a === null ? null : a.quality.analysable && p.leadOff !== true;
    // The first seconds of a stream (or after a gap) are too short to judge: that is no
    // verdict on the signal, so the device's own HR stands in and no "poor signal" is raised.
    const warmingUp =
      a !== null &&
      analysable === false &&
      p.leadOff !== true &&
      a.quality.reasons.length === 1 &&
      a.quality.reasons[0] === 'too-short';
    let hr: number | null = null;
    let hrSource: 'ecg' | 'device' | null = null;
    if (a !== null && analysable === true && a.heartRateBpm !== null) {
      hr = a.heartRateBpm;
      hrSource = 'ecg';
    } else if ((a === null || warmingUp) && p.hr !== null && p.leadOff !== true) {
      hr = p.hr;
      hrSource = 'device';
    }
    let bandMs: number | null = null;
    if (hr !== null && !late) {
      const points = bandPoints(hr, NEWS2_PULSE_BANDS);
      if (state.hrBand?.points !== points) state.hrBand = { points, since: p.tsMs };
      bandMs = p.tsMs - state.hrBand.since;
    }
    const quality =
      a === null || warmingUp
        ? null
        : analysable === true
          ? a.quality
          : {
              analysable: false,
              score: a.quality.score,
              reasons: p.leadOff === true ? ['lead off', ...a.quality.reasons] : a.quality.reasons,
            };
    const arr = a?.arrhythmia ?? null;
    const usableArr = arr !== null && arr.withheld === null && analysable === true ? arr : null;
    const assessment = this.deps.risk.assess({
      heartRateBpm: hr,
      heartRateSource: hrSource,
      heartRateBandDurationMs: bandMs,
      spo2Percent: p.spo2,
      temperatureC: p.temp,
      respiratoryRate: p.resp,
      qrsDurationMs: analysable === true ? (a?.qrsDurationMs ?? null) : null,
      ecgQuality: quality,
      arrhythmia:
        a === null || analysable !== true
          ? null
          : {
              afSinceMs: usableArr?.afSinceMs ?? null,
              vtRun:
                usableArr !== null && usableArr.vtRunBeats >= 3 && usableArr.vtRunAtMs !== null
                  ? { beats: usableArr.vtRunBeats, atMs: usableArr.vtRunAtMs }
                  : null,
              longestPauseMs: a.longestRrMs,
              vebPercent: usableArr?.vebPercent ?? null,
            },
      nowMs: p.tsMs,
    });
    if (analysisFailed) {
      assessment.reasons.push({
        code: 'ANALYSIS_FAILED',
        text: 'ECG not analysed: the analysis failed',
        points: 0,
      });
    }
    if (late) {
      assessment.reasons.push({
        code: 'LATE_PACKET',
        text: 'ECG not analysed: the packet arrived after later ones',
        points: 0,
      });
    }
    const hrv: PredictionView['hrv'] =
      a?.hrv === null || a?.hrv === undefined || analysable !== true
        ? null
        : {
            window_ms: a.hrv.windowMs,
            n_beats: a.hrv.nBeats,
            mean_nn_ms: a.hrv.meanNnMs,
            sdnn_ms: a.hrv.sdnnMs,
            rmssd_ms: a.hrv.rmssdMs,
            pnn50: a.hrv.pnn50,
          };
    const arrhythmia: PredictionView['arrhythmia'] =
      arr === null
        ? null
        : {
            af_since: usableArr?.afSinceMs ?? null,
            vt_run_beats: usableArr?.vtRunBeats ?? 0,
            longest_pause_ms: analysable === true ? (a?.longestRrMs ?? null) : null,
            veb_percent: usableArr?.vebPercent ?? null,
            sveb_percent: usableArr?.svebPercent ?? null,
            episodes: arr.episodes,
            withheld: arr.withheld ?? (analysable === true ? null : 'signal not analysable'),
          };
    const prediction: PredictionsTable = {
      id: this.deps.newId(),
      vitals_id: h.vitalsId,
      device_id: deviceId,
      patient_id: h.patientId,
      ts: p.tsMs,
      created_at: now,
      risk_score: assessment.riskScore,
      risk_label: assessment.riskLabel,
      confidence: assessment.confidence,
      model_version: assessment.modelVersion,
      reasons: JSON.stringify(assessment.reasons),
      heart_rate_bpm: hr === null ? null : Math.round(hr * 10) / 10,
      heart_rate_source: hrSource,
      qrs_duration_ms: a?.qrsDurationMs ?? null,
      analysable: analysable === null ? null : analysable ? 1 : 0,
      quality_score: a === null ? null : Math.round(a.quality.score * 1000) / 1000,
      hrv: hrv === null ? null : JSON.stringify(hrv),
      arrhythmia: arrhythmia === null ? null : JSON.stringify(arrhythmia),
    };
    // The event's view from the values themselves, not by parsing the JSON just written.
    const view = toPredictionView(prediction, { reasons: assessment.reasons, hrv, arrhythmia });
    const observation: AlertObservation = {
      atMs: p.tsMs,
      heartRateBpm: hr,
      spo2Percent: p.spo2,
      temperatureC: p.temp,
      riskLabel: assessment.riskLabel,
      analysable: warmingUp ? null : analysable,
      afOngoing: usableArr === null ? null : usableArr.afSinceMs !== null,
      vtRunBeats: usableArr === null ? null : usableArr.vtRunBeats,
      longestPauseMs: analysable === true && a !== null ? (a.longestRrMs ?? 0) : null,
    };
    return { prediction, view, observation };
  }

  /** Stops accepting packets and waits for pending writes. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.chains.values()]);
    await this.batcher.close();
  }
}

function resultOf(
  row: Pick<VitalsTable, 'id' | 'device_id' | 'ts' | 'sequence'>,
): IngestResultView {
  return {
    id: row.id,
    device_id: row.device_id,
    timestamp: row.ts,
    sequence: row.sequence === null ? null : row.sequence,
  };
}

function vitalsEvent(row: VitalsTable, p: NormalizedPacket): VitalsEventData {
  let ecg: VitalsEventData['ecg'] | undefined;
  return {
    vitals_id: row.id,
    device_id: row.device_id,
    patient_id: row.patient_id,
    timestamp: row.ts,
    heart_rate_bpm: row.heart_rate_bpm,
    spo2_percent: row.spo2_percent,
    temperature_c: row.temperature_c,
    respiratory_rate: row.respiratory_rate,
    battery_percent: row.battery_percent,
    lead_off: p.leadOff,
    // Built only if the event is serialised (someone may receive it): most packets of a busy
    // server are watched by nobody, and the array is most of the event's cost.
    get ecg() {
      return (ecg ??= { fs: p.fs, samples_mv: Array.from(p.samples) });
    },
  };
}
