import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../adapters/clock.js';
import type { RetainedTable, RetentionRepository } from '../repositories/retention.repository.js';
import { noRowsDeleted, RetentionService, startRetentionJob } from './retention.service.js';

const DAY = 86_400_000;

/**
 * An in-memory repository: rows are timestamps per (table, device); a prediction belongs to the
 * packet with its timestamp. The tables without a device are under the device `*`: there a
 * 12-lead result belongs to the request with its timestamp, a session's timestamp is its end,
 * and `clips` are the readings' timestamps that still have audio.
 */
function memoryRepository(
  rows: Record<string, Partial<Record<RetainedTable | 'clips', number[]>>>,
  partitions?: { before: number; partitions: number },
) {
  const calls: { table: RetainedTable | 'clips'; deviceId: string; before: number }[] = [];
  const take = (
    deviceId: string,
    table: RetainedTable | 'clips',
    doomed: (ts: number) => boolean,
  ) => {
    const device = (rows[deviceId] ??= {});
    const all = device[table] ?? [];
    device[table] = all.filter((ts) => !doomed(ts));
    return all.length - device[table].length;
  };
  /** The `limit` oldest of a table's timestamps before `before`. */
  const oldest = (
    deviceId: string,
    table: RetainedTable | 'clips',
    before: number,
    limit: number,
  ) =>
    (rows[deviceId]?.[table] ?? [])
      .filter((ts) => ts < before)
      .sort((a, b) => a - b)
      .slice(0, limit);
  const repo: RetentionRepository = {
    deviceIds: () => Promise.resolve(Object.keys(rows).filter((d) => d !== '*')),
    deletePackets(deviceId, before, limit) {
      calls.push({ table: 'vitals', deviceId, before });
      const doomed = oldest(deviceId, 'vitals', before, limit);
      const predictions = take(deviceId, 'predictions', (ts) => doomed.includes(ts));
      const vitals = take(deviceId, 'vitals', (ts) => doomed.includes(ts));
      return Promise.resolve({ vitals, predictions });
    },
    deleteRollup(deviceId, before, limit) {
      calls.push({ table: 'vitals_minute', deviceId, before });
      const doomed = oldest(deviceId, 'vitals_minute', before, limit);
      return Promise.resolve(take(deviceId, 'vitals_minute', (m) => doomed.includes(m)));
    },
    deleteTimed(table, before, limit) {
      calls.push({ table, deviceId: '*', before });
      const doomed = oldest('*', table, before, limit);
      if (table === 'baby_readings') take('*', 'clips', (ts) => doomed.includes(ts));
      return Promise.resolve(take('*', table, (ts) => doomed.includes(ts)));
    },
    deleteEndedSessions(before, limit) {
      calls.push({ table: 'rppg_sessions', deviceId: '*', before });
      const doomed = oldest('*', 'rppg_sessions', before, limit);
      return Promise.resolve(take('*', 'rppg_sessions', (ts) => doomed.includes(ts)));
    },
    deleteEcg12(before, limit) {
      calls.push({ table: 'ecg12_requests', deviceId: '*', before });
      const doomed = oldest('*', 'ecg12_requests', before, limit);
      const results = take('*', 'ecg12_results', (ts) => doomed.includes(ts));
      const requests = take('*', 'ecg12_requests', (ts) => doomed.includes(ts));
      return Promise.resolve({ ecg12_requests: requests, ecg12_results: results });
    },
    removeAudio(before, limit) {
      calls.push({ table: 'clips', deviceId: '*', before });
      const doomed = oldest('*', 'clips', before, limit);
      return Promise.resolve(take('*', 'clips', (ts) => doomed.includes(ts)));
    },
    dropPartitionsBefore: (before) => Promise.resolve(partitions ?? { before, partitions: 0 }),
    createPartitionsAhead: () => Promise.resolve(0),
  };
  return { repo, calls, rows };
}

/** A report's `deleted` with zeros for the tables not given. */
function deletedCounts(
  some: Partial<Record<RetainedTable, number>>,
): Record<RetainedTable, number> {
  return { ...noRowsDeleted(), ...some };
}

const silent = { info: () => undefined, warn: () => undefined };

describe('RetentionService', () => {
  it('deletes, device by device, packets with their predictions and then the rollup, up to a whole-minute horizon', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 45, 500));
    const h = Date.UTC(2026, 4, 2, 12, 30); // 30 days earlier, start of that minute
    const { repo, calls, rows } = memoryRepository({
      A: {
        vitals: [h - 60_000, h - 1, h, h + 1],
        predictions: [h - 1, h + 1],
        vitals_minute: [h - 60_000, h],
      },
      B: { vitals: [h - DAY] },
    });
    const service = new RetentionService({ retention: repo, clock }, { days: 30, batchSize: 2 });
    expect(service.horizon()).toBe(h);
    const report = await service.purge();
    expect(report).toEqual({
      before: h,
      complete: true,
      deleted: deletedCounts({ predictions: 1, vitals: 3, vitals_minute: 1 }),
      partitions: 0,
      clipsRemoved: 0,
    });
    expect(rows.A).toEqual({
      vitals: [h, h + 1],
      predictions: [h + 1],
      vitals_minute: [h],
    });
    expect(rows.B?.vitals).toEqual([]);
    // Batches of 2: a full batch is followed by another until one comes back short.
    expect(calls.filter((c) => c.deviceId === 'A').map((c) => c.table)).toEqual([
      'vitals',
      'vitals',
      'vitals_minute',
    ]);
  });

  it('deletes rows only before the start of the day partition the horizon falls in (PostgreSQL)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 45, 500));
    const h = Date.UTC(2026, 4, 2, 12, 30);
    const day = Date.UTC(2026, 4, 2);
    // The repository dropped the older days (4 tables × 2 days) and reports the day of `h`.
    const { repo, calls, rows } = memoryRepository(
      {
        A: {
          vitals: [day - 1, day, h - 1, h],
          predictions: [day - 1, h - 1],
          vitals_minute: [day - 60_000, day, h - 60_000],
        },
      },
      { before: day, partitions: 8 },
    );
    const report = await new RetentionService({ retention: repo, clock }, { days: 30 }).purge();
    expect(report).toEqual({
      before: day,
      complete: true,
      deleted: deletedCounts({ predictions: 1, vitals: 1, vitals_minute: 1 }),
      partitions: 8,
      clipsRemoved: 0,
    });
    expect(rows.A).toEqual({
      vitals: [day, h - 1, h],
      predictions: [h - 1],
      vitals_minute: [day, h - 60_000],
    });
    expect(calls.every((c) => c.before === day)).toBe(true);
  });

  it('then deletes every other kind to the same instant, oldest first in batches: camera sessions after their observations, 12-lead requests with their results', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 45, 500));
    const h = Date.UTC(2026, 4, 2, 12, 30);
    const { repo, calls, rows } = memoryRepository({
      A: { vitals: [h - 1, h] },
      '*': {
        oximetry_readings: [h - 2, h - 1, h, h + 1],
        baby_readings: [h - 1, h],
        clips: [h - 1, h],
        heart_rate_observations: [h - DAY, h],
        rppg_sessions: [h - DAY, h + 5],
        ecg12_requests: [h - 3, h - 2, h - 1, h],
        ecg12_results: [h - 3, h],
        mqtt_dead_letters: [h - 1, h],
      },
    });
    const service = new RetentionService({ retention: repo, clock }, { days: 30, batchSize: 2 });
    const report = await service.purge();
    expect(report).toEqual({
      before: h,
      complete: true,
      deleted: deletedCounts({
        vitals: 1,
        oximetry_readings: 2,
        baby_readings: 1,
        heart_rate_observations: 1,
        rppg_sessions: 1,
        ecg12_requests: 3,
        ecg12_results: 1,
        mqtt_dead_letters: 1,
      }),
      partitions: 0,
      // The clip of a deleted reading went with it: not counted as removed on its own.
      clipsRemoved: 0,
    });
    expect(rows['*']).toEqual({
      oximetry_readings: [h, h + 1],
      baby_readings: [h],
      clips: [h],
      heart_rate_observations: [h],
      rppg_sessions: [h + 5],
      ecg12_requests: [h],
      ecg12_results: [h],
      mqtt_dead_letters: [h],
    });
    expect(calls.map((c) => c.table)).toEqual([
      'vitals',
      'vitals_minute',
      'oximetry_readings',
      'oximetry_readings',
      'baby_readings',
      'heart_rate_observations',
      'mqtt_dead_letters',
      'rppg_sessions',
      'ecg12_requests',
      'ecg12_requests',
    ]);
    expect(calls.every((c) => c.before === h)).toBe(true);
  });

  it('removes baby-monitor clips older than audioDays and keeps their readings until days', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 45, 500));
    const h = Date.UTC(2026, 4, 2, 12, 30); // 30 days
    const a = Date.UTC(2026, 4, 25, 12, 30); // 7 days
    const { repo, rows } = memoryRepository({
      '*': { baby_readings: [h - 1, a - 1, a], clips: [h - 1, a - 1, a] },
    });
    const report = await new RetentionService(
      { retention: repo, clock },
      { days: 30, audioDays: 7 },
    ).purge();
    expect(report.deleted.baby_readings).toBe(1);
    expect(report.clipsRemoved).toBe(1);
    expect(rows['*']?.baby_readings).toEqual([a - 1, a]);
    expect(rows['*']?.clips).toEqual([a]);
  });

  it('with audioDays alone (days 0) removes only clips', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 45, 500));
    const a = Date.UTC(2026, 4, 25, 12, 30);
    const { repo, calls, rows } = memoryRepository({
      A: { vitals: [0] },
      '*': { baby_readings: [0, a - 1, a], clips: [0, a - 1, a], oximetry_readings: [0] },
    });
    const report = await new RetentionService(
      { retention: repo, clock },
      { days: 0, audioDays: 7 },
    ).purge();
    expect(report).toMatchObject({ complete: true, clipsRemoved: 2, deleted: deletedCounts({}) });
    expect(calls.map((c) => [c.table, c.before])).toEqual([['clips', a]]);
    expect(rows['*']).toEqual({
      baby_readings: [0, a - 1, a],
      clips: [a],
      oximetry_readings: [0],
    });
    expect(rows.A).toEqual({ vitals: [0] });
  });

  it('deletes nothing when the retention is 0 days', async () => {
    const { repo, calls } = memoryRepository({ A: { vitals: [0, 1, 2] } });
    const service = new RetentionService(
      { retention: repo, clock: new ManualClock() },
      { days: 0 },
    );
    expect((await service.purge()).deleted.vitals).toBe(0);
    expect(calls).toEqual([]);
  });

  it('refuses a negative or fractional number of days (audio days too) and an empty batch', () => {
    const deps = { retention: memoryRepository({}).repo, clock: new ManualClock() };
    expect(() => new RetentionService(deps, { days: -1 })).toThrow(/days/);
    expect(() => new RetentionService(deps, { days: 1.5 })).toThrow(/days/);
    expect(() => new RetentionService(deps, { days: 1, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new RetentionService(deps, { days: 1, audioDays: -1 })).toThrow(/audioDays/);
  });

  it('shares a pass in progress, and close() stops it after the current batch', async () => {
    const clock = new ManualClock(100 * DAY);
    const { repo, rows } = memoryRepository({
      A: { vitals: Array.from({ length: 10 }, (_, i) => i) },
    });
    let release: () => void = () => undefined;
    const service = new RetentionService(
      { retention: repo, clock },
      {
        days: 1,
        batchSize: 3,
        // The pass waits here after each full batch until the test lets it go on.
        pause: () =>
          new Promise<void>((r) => {
            release = r;
          }),
      },
    );
    const first = service.purge();
    expect(service.purge()).toBe(first);
    await vi.waitFor(() => {
      expect(rows.A?.vitals).toHaveLength(7);
    });
    const closed = service.close();
    release();
    await closed;
    expect(await first).toMatchObject({ complete: false, deleted: { vitals: 3 } });
    expect(rows.A?.vitals).toHaveLength(7);
  });
});

describe('startRetentionJob', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first pass a minute after start, then every hour, until closed', async () => {
    vi.useFakeTimers();
    const service = new RetentionService(
      { retention: memoryRepository({}).repo, clock: new ManualClock() },
      { days: 1 },
    );
    const purge = vi.spyOn(service, 'purge');
    const job = startRetentionJob(service, { log: silent });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(purge).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(purge).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_600_000 - 60_000);
    expect(purge).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(purge).toHaveBeenCalledTimes(3);
    await job.close();
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(purge).toHaveBeenCalledTimes(3);
  });

  it('logs a failed pass and tries again at the next interval', async () => {
    vi.useFakeTimers();
    const deviceIds = vi
      .fn<RetentionRepository['deviceIds']>()
      .mockRejectedValueOnce(new Error('database is locked'))
      .mockResolvedValue([]);
    const failing: RetentionRepository = { ...memoryRepository({}).repo, deviceIds };
    const warn = vi.fn();
    const service = new RetentionService(
      { retention: failing, clock: new ManualClock() },
      { days: 1 },
    );
    const job = startRetentionJob(service, {
      log: { info: () => undefined, warn },
      firstRunMs: 10,
      intervalMs: 1000,
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(warn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(deviceIds).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
    await job.close();
  });
});
