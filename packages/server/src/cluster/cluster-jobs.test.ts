import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../adapters/clock.js';
import type { Scheduler } from '../adapters/scheduler.js';
import { createJobScheduler } from './cluster-jobs.js';
import { createLocalLeases, createPgLeases, type ClusterLeases } from './pg-leases.js';

const url = process.env.DATABASE_URL;

/** Timers run by hand: `tick()` runs every registered task once (one period). */
function manualScheduler(): Scheduler & { tick(): void } {
  const tasks = new Set<() => void>();
  return {
    every(_periodMs, task) {
      tasks.add(task);
      return () => tasks.delete(task);
    },
    tick() {
      for (const t of tasks) t();
    },
  };
}

/** An instance: its leases (counting settled lease checks), its timers, and the runs it made. */
function instance(
  name: string,
  leases: ClusterLeases,
  runLog: { job: string; instance: string }[],
  lastRunAt?: number,
) {
  const scheduler = manualScheduler();
  let settled = 0;
  const counted: ClusterLeases = {
    ...leases,
    acquire: (n) => leases.acquire(n).finally(() => settled++),
  };
  const ran: number[] = [];
  const jobs = createJobScheduler({
    scheduler,
    leases: counted,
    clock: new ManualClock(1_000_000),
    instance: name,
    runs: {
      recordRun: (r) => {
        runLog.push(r);
        return Promise.resolve();
      },
      trimBefore: () => Promise.resolve(0),
      lastRunAt: () => Promise.resolve(lastRunAt),
    },
    log: { warn: () => undefined },
  });
  let period = 0;
  jobs('sweep').every(30_000, () => ran.push(period));
  return {
    leases,
    ran,
    /** One period: the timer fires, and the lease check has answered. */
    async tick(p: number) {
      period = p;
      const before = settled;
      scheduler.tick();
      await vi.waitFor(() => {
        expect(settled).toBe(before + 1);
      });
      // The rest of the tick (the run log's stubs) settles within a few turns.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    },
  };
}

describe('cluster-wide jobs on one instance (SQLite)', () => {
  it('runs the job every period: a single instance always holds the lease', async () => {
    const log: { job: string; instance: string }[] = [];
    const a = instance('solo', createLocalLeases(), log);
    for (let p = 0; p < 3; p++) await a.tick(p);
    expect(a.ran).toEqual([0, 1, 2]);
    expect(log.map((r) => r.job)).toEqual(['sweep', 'sweep', 'sweep']);
  });
});

describe('cluster-wide jobs after a takeover', () => {
  it('skips the first tick when the previous holder ran the job less than 0.9 of a period ago', async () => {
    const log: { job: string; instance: string }[] = [];
    // The clock says 1,000,000; the last run (another instance) was 10 s before, period 30 s.
    const a = instance('new-holder', createLocalLeases(), log, 990_000);
    await a.tick(0);
    expect(a.ran).toEqual([]);
    await a.tick(1);
    expect(a.ran).toEqual([1]);
  });
});

describe.skipIf(url === undefined)('cluster-wide jobs on PostgreSQL (two instances)', () => {
  const open: ClusterLeases[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
  });
  const leasesOf = async (scope: string, name: string) => {
    const l = await createPgLeases({ url: url ?? '', scope, instance: name });
    open.push(l);
    return l;
  };

  it('runs each period once, on the lease holder; closing the holder moves the job', async () => {
    const scope = `jobs_${randomBytes(5).toString('hex')}`;
    const log: { job: string; instance: string }[] = [];
    const a = instance('a', await leasesOf(scope, 'a'), log);
    const b = instance('b', await leasesOf(scope, 'b'), log);
    expect(await a.leases.members()).toBe(2);
    for (let p = 0; p < 3; p++) {
      await a.tick(p);
      await b.tick(p);
    }
    expect(a.ran).toEqual([0, 1, 2]);
    expect(b.ran).toEqual([]);
    await a.leases.close();
    for (let p = 3; p < 5; p++) await b.tick(p);
    expect(b.ran).toEqual([3, 4]);
    expect(log.map((r) => r.instance)).toEqual(['a', 'a', 'a', 'b', 'b']);
  });

  it('moves the job when the holder dies without closing (its session is terminated)', async () => {
    const scope = `jobs_${randomBytes(5).toString('hex')}`;
    const log: { job: string; instance: string }[] = [];
    const holder = `holder-${randomBytes(4).toString('hex')}`;
    const a = instance(holder, await leasesOf(scope, holder), log);
    const b = instance('b', await leasesOf(scope, 'b'), log);
    await a.tick(0);
    await b.tick(0);
    // What a SIGKILL does to the holder's lease connection: the server ends its session.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const r = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`,
        [`vigil-leases ${holder}`],
      );
      expect(r.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await vi.waitFor(async () => {
      await b.tick(1);
      expect(b.ran).toContain(1);
    });
    // The old holder, back on a new connection, finds the job taken and does not run it.
    await a.tick(2);
    await b.tick(2);
    expect(a.ran).toEqual([0]);
    expect(b.ran).toEqual([1, 2]);
  });
});
