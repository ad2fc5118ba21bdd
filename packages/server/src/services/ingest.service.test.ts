import { describe, expect, it } from 'vitest';
import { ManualClock } from '../adapters/clock.js';
import type {
  AnalysisRequest,
  EcgAnalysisPort,
  PacketAnalysis,
} from '../adapters/ecg-analysis.adapter.js';
import type { PacketWriteUnit } from '../repositories/vitals.repository.js';
import type { AlertObservation } from './alert-rule-engine.js';
import type { DeviceAuth, DeviceIdentity } from './devices.service.js';
import { IngestService, type IngestPacket } from './ingest.service.js';
import type { RealtimeEvent } from './realtime-port.js';
import { createNews2RiskModel } from './risk-model.js';

const DEVICE: DeviceIdentity = { id: 'd1', device_id: 'ESP-1', patient_id: 'p1', owner_id: null };
const AUTH: DeviceAuth = { kind: 'device', device: DEVICE };
const T0 = Date.UTC(2026, 5, 1);

/** A sinus-rhythm analysis at `bpm` (what the worker would answer for a clean chunk). */
function analysisAt(bpm: number): PacketAnalysis {
  return {
    heartRateBpm: bpm,
    qrsDurationMs: 90,
    hrv: null,
    quality: { analysable: true, score: 0.95, reasons: [] },
    beats: Math.round(bpm / 60),
    longestRrMs: 60_000 / bpm,
    arrhythmia: null,
  };
}

/** An analysis port whose answers the test releases one by one, in request order. */
function heldAnalysis() {
  const requests: AnalysisRequest[] = [];
  const answers: ((a: PacketAnalysis) => void)[] = [];
  const port: EcgAnalysisPort = {
    analyse(request) {
      requests.push(request);
      return new Promise((resolve) => answers.push(resolve));
    },
    evictIdle() {
      /* no sessions */
    },
    close: () => Promise.resolve(),
  };
  const release = (bpm: number): void => {
    const next = answers.shift();
    if (next === undefined) throw new Error('no analysis waiting');
    next(analysisAt(bpm));
  };
  return { port, requests, release, waiting: () => answers.length };
}

function setup(
  analysis: EcgAnalysisPort,
  options: { maxBacklog?: number; failPredictions?: boolean } = {},
) {
  const written: PacketWriteUnit[] = [];
  const events: RealtimeEvent[] = [];
  const observed: AlertObservation[] = [];
  const deriveErrors: unknown[] = [];
  let n = 0;
  const ingest = new IngestService({
    vitals: {
      writeUnits(units) {
        if (options.failPredictions === true && units.some((u) => u.predictions.length > 0))
          return Promise.reject(new Error('disk full'));
        written.push(...units);
        return Promise.resolve();
      },
      findByDeviceTs: () => Promise.resolve(undefined),
      latest: () => Promise.resolve(undefined),
    },
    devices: {
      resolveUploader: () => Promise.resolve(DEVICE),
      markSeen: () => Promise.resolve(),
    },
    analysis,
    risk: createNews2RiskModel(),
    alerts: {
      observe(_patientId, _deviceId, o) {
        observed.push(o);
        return Promise.resolve();
      },
      heard() {
        /* the device-silent rule is not under test */
      },
    },
    realtime: { publish: (e) => events.push(e) },
    clock: new ManualClock(T0 + 60_000),
    newId: () => `id-${String(++n)}`,
    onDeriveError: (e) => deriveErrors.push(e),
    ...(options.maxBacklog === undefined ? {} : { maxBacklog: options.maxBacklog }),
  });
  const vitalsRows = () => written.flatMap((u) => u.vitals);
  const predictionRows = () => written.flatMap((u) => u.predictions);
  return { ingest, events, observed, deriveErrors, vitalsRows, predictionRows };
}

function packet(i: number): IngestPacket {
  return {
    device_id: DEVICE.device_id,
    timestamp: T0 + i * 1000,
    ecg_samples: Array.from({ length: 250 }, (_, k) => Math.sin(k / 10)),
    heart_rate_bpm: 70,
    spo2_percent: 97,
  };
}

/** Lets queued promise callbacks and immediates (the group commit's turn) run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('IngestService', () => {
  it('answers once the packet is stored, before its analysis, and writes the prediction after', async () => {
    const a = heldAnalysis();
    const s = setup(a.port);
    const [result] = await s.ingest.ingest(AUTH, [packet(0)], false);
    expect(result).toMatchObject({ device_id: 'ESP-1', timestamp: T0 });
    expect(s.vitalsRows()).toHaveLength(1);
    expect(s.events.map((e) => e.type)).toEqual(['vitals']);
    // Stored and answered, analysis still running: no prediction, no alert observation yet.
    expect(s.predictionRows()).toEqual([]);
    expect(s.observed).toEqual([]);
    expect(s.ingest.pendingAnalyses).toBe(1);

    a.release(150);
    await s.ingest.settled();
    expect(s.predictionRows()).toHaveLength(1);
    expect(s.predictionRows()[0]).toMatchObject({ vitals_id: result?.id, heart_rate_bpm: 150 });
    expect(s.events.map((e) => e.type)).toEqual(['vitals', 'prediction']);
    expect(s.observed.map((o) => o.heartRateBpm)).toEqual([150]);
    expect(s.ingest.pendingAnalyses).toBe(0);
  });

  it('scores and observes a device’s packets in time order, after their predictions are durable', async () => {
    const a = heldAnalysis();
    const s = setup(a.port);
    for (let i = 0; i < 3; i++) await s.ingest.ingest(AUTH, [packet(i)], false);
    expect(a.requests.map((r) => r.startMs)).toEqual([T0, T0 + 1000, T0 + 2000]);
    a.release(60);
    a.release(61);
    a.release(62);
    await s.ingest.settled();
    expect(s.predictionRows().map((p) => [p.ts, p.heart_rate_bpm])).toEqual([
      [T0, 60],
      [T0 + 1000, 61],
      [T0 + 2000, 62],
    ]);
    expect(s.observed.map((o) => o.atMs)).toEqual([T0, T0 + 1000, T0 + 2000]);
    const predictionEvents = s.events.filter((e) => e.type === 'prediction');
    expect(predictionEvents.map((e) => e.data.timestamp)).toEqual([T0, T0 + 1000, T0 + 2000]);
  });

  it('makes a request wait for its own analysis once the backlog is over its limit', async () => {
    const a = heldAnalysis();
    const s = setup(a.port, { maxBacklog: 2 });
    for (let i = 0; i < 2; i++) await s.ingest.ingest(AUTH, [packet(i)], false);
    let answered = false;
    const third = s.ingest.ingest(AUTH, [packet(2)], false).then(() => (answered = true));
    for (let i = 0; i < 5; i++) await turn();
    // Stored (durable) but not answered: three packets await analysis, the limit is two.
    expect(s.vitalsRows()).toHaveLength(3);
    expect(answered).toBe(false);
    a.release(70);
    a.release(70);
    for (let i = 0; i < 5; i++) await turn();
    expect(answered).toBe(false);
    a.release(70);
    await third;
    expect(answered).toBe(true);
  });

  it('keeps a stored packet answered when its prediction cannot be written, and reports it', async () => {
    const a = heldAnalysis();
    const s = setup(a.port, { failPredictions: true });
    const [result] = await s.ingest.ingest(AUTH, [packet(0)], false);
    expect(result?.timestamp).toBe(T0);
    a.release(72);
    await s.ingest.settled();
    expect(s.vitalsRows()).toHaveLength(1);
    expect(s.predictionRows()).toEqual([]);
    expect(s.observed).toEqual([]);
    expect(s.deriveErrors.map((e) => (e as Error).message)).toEqual(['disk full']);
    expect(s.ingest.pendingAnalyses).toBe(0);
  });

  it('waits on close for packets still being analysed', async () => {
    const a = heldAnalysis();
    const s = setup(a.port);
    await s.ingest.ingest(AUTH, [packet(0)], false);
    let closed = false;
    const closing = s.ingest.close().then(() => (closed = true));
    for (let i = 0; i < 5; i++) await turn();
    expect(closed).toBe(false);
    a.release(72);
    await closing;
    expect(s.predictionRows()).toHaveLength(1);
  });
});
