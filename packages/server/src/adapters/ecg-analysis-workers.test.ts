import { readFileSync } from 'node:fs';
import {
  createArrhythmiaMonitor,
  createEcgAnalyzer,
  interpretEcg12,
  loadEcg12Model,
  SignalInputError,
} from '@vigil/signal';
import { decodeEcg12Record } from '@vigil/signal/io';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createInProcessAnalysis,
  type EcgAnalysisPort,
  type PacketAnalysis,
} from './ecg-analysis.adapter.js';
import { loadMitdb101 } from '../../test/fixtures/mitdb-101.js';
import { startEcgAnalysisWorkers } from './ecg-analysis-workers.js';

// 60 s of MIT-BIH record 101 (MLII) at 250 Hz, µV (test/fixtures/NOTICE for the licence).
const { ecgMv } = loadMitdb101();
const FS = 250;
const T0 = Date.UTC(2026, 0, 1);

async function stream(port: EcgAnalysisPort, deviceId: string, seconds: number) {
  const out: PacketAnalysis[] = [];
  for (let s = 0; s < seconds; s++) {
    out.push(
      await port.analyse({
        deviceId,
        fs: FS,
        startMs: T0 + s * 1000,
        restart: s === 0,
        chunkMv: ecgMv.subarray(s * FS, (s + 1) * FS),
      }),
    );
  }
  return out;
}

describe('ECG analysis in worker threads', () => {
  const open: EcgAnalysisPort[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  it('gives the same findings as the analysis on the main thread, packet by packet', async () => {
    const workers = await startEcgAnalysisWorkers({ workers: 2 });
    const local = createInProcessAnalysis({ createEcgAnalyzer, createArrhythmiaMonitor });
    open.push(workers, local);
    // Three devices at once, so jobs of several devices share messages and both workers work.
    const [a, b, c] = await Promise.all([
      stream(workers, 'dev-a', 40),
      stream(workers, 'dev-b', 40),
      stream(workers, 'dev-c', 40),
    ]);
    const reference = await stream(local, 'dev-a', 40);
    expect(a).toEqual(reference);
    expect(b).toEqual(reference);
    expect(c).toEqual(reference);
    // Record 101 is sinus rhythm at about 70 bpm: the stream is analysed, not just passed through.
    const last = reference.at(-1);
    expect(last?.quality.analysable).toBe(true);
    expect(last?.heartRateBpm).toBeGreaterThan(60);
    expect(last?.heartRateBpm).toBeLessThan(80);
  });

  it('rejects a packet the analysis cannot take and starts the device afresh on the next', async () => {
    const workers = await startEcgAnalysisWorkers({ workers: 1 });
    open.push(workers);
    await stream(workers, 'dev-a', 5);
    await expect(
      workers.analyse({
        deviceId: 'dev-a',
        fs: -1,
        startMs: T0 + 5000,
        restart: true,
        chunkMv: ecgMv.subarray(0, FS),
      }),
    ).rejects.toThrow(/ECG analysis failed/);
    // The next packet opens a new session: too short to judge, which is a verdict, not an error.
    const next = await workers.analyse({
      deviceId: 'dev-a',
      fs: FS,
      startMs: T0 + 6000,
      restart: false,
      chunkMv: ecgMv.subarray(6 * FS, 7 * FS),
    });
    expect(next.quality.reasons).toContain('too-short');
  });

  it('answers the jobs already queued when closed, then refuses new ones', async () => {
    const workers = await startEcgAnalysisWorkers({ workers: 1 });
    const queued = workers.analyse({
      deviceId: 'dev-a',
      fs: FS,
      startMs: T0,
      restart: true,
      chunkMv: ecgMv.subarray(0, FS),
    });
    await workers.close();
    await expect(queued).resolves.toMatchObject({ beats: expect.any(Number) as number });
    await expect(
      workers.analyse({
        deviceId: 'dev-a',
        fs: FS,
        startMs: T0 + 1000,
        restart: false,
        chunkMv: ecgMv.subarray(FS, 2 * FS),
      }),
    ).rejects.toThrow(/closed/);
  });

  it('interprets a live 12-lead window in the worker exactly as on the main thread, shipped and configured model', async () => {
    // PTB-XL ecg_id 177 (labelled anteroseptal MI; CC BY 4.0, see its NOTICE), 10 s at 500 Hz.
    const dir = new URL('../../../signal/src/io/fixtures/ptbxl/', import.meta.url);
    const record = decodeEcg12Record(
      readFileSync(new URL('00177_hr.hea', dir), 'utf8'),
      new Uint8Array(readFileSync(new URL('00177_hr.dat', dir))),
    );
    const model = loadEcg12Model(
      readFileSync(
        new URL('../../../signal/src/ecg12/model/ecg12-model.json', import.meta.url),
        'utf8',
      ),
    );
    const shipped = await startEcgAnalysisWorkers({ workers: 1 });
    const scored = await startEcgAnalysisWorkers({ workers: 1, ecg12Model: model });
    open.push(shipped, scored);
    const leadsMv = record.leadsMv.map((l) => Float64Array.from(l));
    const request = { deviceId: 'ecg12', fsHz: 500, leadsMv };
    const byShipped = await shipped.interpretEcg12(request);
    expect(byShipped).toEqual(interpretEcg12(leadsMv, { samplingRateHz: 500 }));
    expect(byShipped.findings.map((f) => f.criterion)).toContain('PATHOLOGICAL_Q');
    const byModel = await scored.interpretEcg12(request);
    expect(byModel.scoredBy).toBe('model');
    expect(byModel).toEqual(interpretEcg12(leadsMv, { samplingRateHz: 500, model }));
    // The caller's leads are copied, not moved to the worker.
    expect(leadsMv[0]?.length).toBe(5000);
  });

  it('rejects a 12-lead window that cannot be measured with its SignalInputError', async () => {
    const workers = await startEcgAnalysisWorkers({ workers: 1 });
    open.push(workers);
    const flat = Array.from({ length: 12 }, () => new Float64Array(5000));
    const refused = workers.interpretEcg12({ deviceId: 'ecg12', fsHz: 500, leadsMv: flat });
    await expect(refused).rejects.toBeInstanceOf(SignalInputError);
    await expect(refused).rejects.toThrow(
      (() => {
        try {
          interpretEcg12(flat, { samplingRateHz: 500 });
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error on the main thread';
      })(),
    );
  });

  it('refuses a worker count below one', async () => {
    await expect(startEcgAnalysisWorkers({ workers: 0 })).rejects.toThrow(/workers/);
  });

  it('replaces a worker that dies, and gives up on one that keeps dying', async () => {
    const errors: string[] = [];
    // A heap far too small for the analysis: every worker dies as soon as it loads its bundle.
    const workers = await startEcgAnalysisWorkers({
      workers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 },
      onError: (e) => errors.push(e.message),
    });
    open.push(workers);
    const job = () =>
      workers.analyse({
        deviceId: 'dev-a',
        fs: FS,
        startMs: T0,
        restart: true,
        chunkMv: ecgMv.subarray(0, FS),
      });
    await expect(job()).rejects.toThrow(/ECG analysis worker (exited|unavailable)/);
    await expect
      .poll(() => errors.some((m) => /not restarted/.test(m)), { timeout: 20_000 })
      .toBe(true);
    expect(errors.filter((m) => /exited/.test(m)).length).toBe(5);
    await expect(job()).rejects.toThrow(/ECG analysis worker unavailable/);
  });
});
