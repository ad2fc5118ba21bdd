/**
 * `npm run bench:ingest -- --cluster`: aggregate ingest throughput of 1, 2 and 3 Vigil instances
 * on PostgreSQL behind HAProxy (round robin), beside one instance on SQLite without a proxy, and
 * where the CPU time goes. Each row runs on a fresh database (PostgreSQL: a database of its own,
 * dropped after; SQLite: a temporary folder) with the server processes `npm run test:cluster`
 * starts (the reliability suite's bundle of server.ts, run with plain Node as `npm start` does).
 * The load is bench:ingest's closed loop: `--concurrency` devices each sending its next 1 s ECG
 * packet (the same pre-computed pool) as soon as the previous one is answered, a warm-up, then
 * `--duration` seconds measured.
 *
 * After each row the stored packets are counted by device and sequence against the packets the
 * load generator saw acknowledged: a row whose acknowledged packets are not all stored exactly
 * once fails the bench (exit 1), so no throughput figure hides lost or doubled data.
 *
 * CPU time is read from /proc (Linux) over the measured seconds: each server process (all its
 * threads: main thread and analysis workers), HAProxy, the PostgreSQL backends of the row's
 * database, PostgreSQL's shared background processes (WAL writer, checkpointer, background
 * writer; shared with anything else using this PostgreSQL), this process (the load generator),
 * and the whole machine (/proc/stat), whose remainder is other work on the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  login,
  registerDevices,
  runFleet,
  type FleetDevice,
  type FleetSummary,
  type PacketResult,
  type PacketSource,
} from '../../packages/sim/src/index.js';
import { DEVICE_PARTITIONS } from '../../packages/server/src/cluster/device-partitions.js';
import { leaseKey } from '../../packages/server/src/cluster/pg-leases.js';
import { startHaproxy, type Haproxy } from '../../packages/server/test/cluster/haproxy.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  createPgDatabase,
  dropPgDatabase,
  freePort,
  pgAdmin,
  sleep,
  startServer,
  stopGracefully,
  waitReady,
  type ServerProcess,
} from '../../packages/server/test/reliability/harness.js';
import { processCpuMs } from './child-server.js';
import { createPacketPool } from './packet-pool.js';

export interface ClusterBenchOptions {
  /** Instance counts on PostgreSQL, one row each (default 1, 2, 3). */
  instances: number[];
  /** The SQLite row (one instance, no proxy). */
  sqlite: boolean;
  /**
   * Also run each count of several instances with FORWARD_TO_OWNER=false (packets that reach a
   * non-owner are stored there and handed over through the database), the baseline of the
   * forwarding rows in the same run.
   */
  handOver: boolean;
  /** Closed-loop devices. */
  devices: number;
  durationS: number;
  warmupS: number;
  /** ANALYSIS_WORKERS of every server. */
  analysisWorkers: number;
  /** Any database of the PostgreSQL cluster; each row creates and drops a database through it. */
  pgAdminUrl: string;
  /** Where the servers write V8 CPU profiles (BENCH_CPU_PROF); none when undefined. */
  cpuProfDir?: string;
  log: (text: string) => void;
}

/** Most packets a second one device sends in a closed loop, bounding the data time a run covers. */
const MAX_PACKETS_PER_S_PER_DEVICE = 2000;
/** How long the owners may take to assess packets handed over to them once the load stops. */
const DRAIN_TIMEOUT_MS = 60_000;
/** Seconds of the idle cluster measured before the load. */
const IDLE_S = 3;
/** Linux's USER_HZ: the unit of /proc/stat. */
const CLOCK_TICKS_PER_S = 100;

interface CpuSnapshot {
  servers: (number | null)[];
  serverMainThreads: (number | null)[];
  /** Per server, thread id → CPU ms of every thread but the main one. */
  serverOtherThreads: Map<number, number>[];
  haproxy: number | null;
  /** Backend pid → CPU ms, the row's database only. */
  backends: Map<number, number>;
  pgShared: number;
  generator: number;
  machineBusy: number;
}

interface CpuSeconds {
  servers: number[];
  /** Of `servers`, the main threads (the rest: analysis workers, libuv's pool, GC threads). */
  serverMainThreads: number;
  /**
   * Of `servers`, each server's busiest thread other than the main one, summed: the analysis
   * worker when the server runs one (Node names no thread, so it is found by its CPU).
   */
  serverBusiestOtherThreads: number;
  haproxy: number;
  pgBackends: number;
  pgShared: number;
  generator: number;
  machineBusy: number;
  /** Machine busy time not accounted for by the processes above: other work on the machine. */
  others: number;
}

interface PgCounters {
  xactCommit: number;
  tupReturned: number;
  tupFetched: number;
  tupInserted: number;
}

export interface ClusterRow {
  instances: number;
  database: 'sqlite' | 'postgres';
  /** Uploads that reach a non-owner: forwarded to the owner over HTTP, or stored and handed over. */
  nonOwner: 'forward' | 'hand-over';
  viaHaproxy: boolean;
  summary: FleetSummary;
  partitions: string | null;
  /** CPU seconds per second of the idle cluster (leases, heartbeats), before the load. */
  idleCpuPerS: { servers: number; postgres: number };
  cpuSeconds: CpuSeconds;
  cpuPerPacketUs: { servers: number; haproxy: number; postgres: number; total: number };
  /** Packets the load generator saw acknowledged (warm-up and measured run). */
  acknowledged: number;
  stored: number;
  missing: number;
  storedTwice: number;
  /** Stored but never seen acknowledged (a request that timed out after its commit). */
  storedUnacknowledged: number;
  /** Stored packets without a prediction when the load stopped, and the seconds until none. */
  unassessedAtStop: number;
  drainS: number | null;
  unassessedAfterDrain: number;
  /** Share of the measured run's packets assessed later than they were received (hand-over). */
  handedOverPct: number | null;
  handoverDelayMs: { p50: number; p95: number } | null;
  /** pg_stat_database of the row's database per stored packet, whole row (PostgreSQL). */
  perPacket: { transactions: number; rowsRead: number; rowsInserted: number } | null;
  /**
   * Rows read per stored packet by table (pg_stat_user_tables, partitions by name), by
   * sequential scans and through indexes: which queries the rows read come from.
   */
  tableReads: { table: string; seqRows: number; indexRows: number; seqScans: number }[] | null;
  ok: boolean;
}

/** utime + stime of every process in /proc whose command line matches, ms. */
function cpuOfMatching(match: (cmdline: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!match(cmdline)) continue;
      total += processCpuMs(Number(entry))?.total ?? 0;
    } catch {
      // The process ended while /proc was read.
    }
  }
  return total;
}

/** CPU ms of each thread of a process but its main thread (from /proc/<pid>/task). */
function otherThreadsCpuMs(pid: number | undefined): Map<number, number> {
  const threads = new Map<number, number>();
  if (pid === undefined) return threads;
  try {
    for (const entry of readdirSync(`/proc/${String(pid)}/task`)) {
      const tid = Number(entry);
      if (tid === pid) continue;
      // /proc/<tid>/task/<tid>/stat is the thread's own time.
      const ms = processCpuMs(tid)?.main;
      if (ms !== undefined) threads.set(tid, ms);
    }
  } catch {
    // The process ended.
  }
  return threads;
}

/** Busy time of the whole machine (all CPUs: everything but idle and iowait), ms. */
function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return ((total - idle) * 1000) / CLOCK_TICKS_PER_S;
}

/** PostgreSQL's shared background processes (the WAL writer above all: every commit wakes it). */
const isPgBackground = (cmdline: string): boolean =>
  /^postgres: .*(walwriter|checkpointer|background writer|autovacuum|logical replication)/.test(
    cmdline,
  );

async function backendPids(admin: pg.Client, dbName: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [dbName],
  );
  return r.rows.map((x) => x.pid);
}

async function cpuSnapshot(
  servers: ServerProcess[],
  haproxy: Haproxy | undefined,
  admin: pg.Client | undefined,
  dbName: string,
): Promise<CpuSnapshot> {
  const backends = new Map<number, number>();
  if (admin !== undefined)
    for (const pid of await backendPids(admin, dbName))
      backends.set(pid, processCpuMs(pid)?.total ?? 0);
  const generator = process.cpuUsage();
  return {
    servers: servers.map((s) => processCpuMs(s.child.pid)?.total ?? null),
    serverMainThreads: servers.map((s) => processCpuMs(s.child.pid)?.main ?? null),
    serverOtherThreads: servers.map((s) => otherThreadsCpuMs(s.child.pid)),
    haproxy: haproxy === undefined ? null : (processCpuMs(haproxy.process.pid)?.total ?? null),
    backends,
    pgShared: admin === undefined ? 0 : cpuOfMatching(isPgBackground),
    generator: (generator.user + generator.system) / 1000,
    machineBusy: machineBusyMs(),
  };
}

function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuSeconds {
  const s = (ms: number) => Math.round(ms) / 1000;
  const servers = b.servers.map((after, i) => s((after ?? 0) - (a.servers[i] ?? 0)));
  const serverMainThreads = s(
    b.serverMainThreads.reduce<number>(
      (sum, after, i) => sum + (after ?? 0) - (a.serverMainThreads[i] ?? 0),
      0,
    ),
  );
  // A backend that started during the run counts from zero; one that ended is lost (the
  // servers' pools keep theirs open, so that is rare).
  let backends = 0;
  for (const [pid, after] of b.backends) backends += after - (a.backends.get(pid) ?? 0);
  let busiestOthers = 0;
  for (const [i, after] of b.serverOtherThreads.entries()) {
    let busiest = 0;
    for (const [tid, ms] of after)
      busiest = Math.max(busiest, ms - (a.serverOtherThreads[i]?.get(tid) ?? 0));
    busiestOthers += busiest;
  }
  const serverBusiestOtherThreads = s(busiestOthers);
  const haproxy = s((b.haproxy ?? 0) - (a.haproxy ?? 0));
  const pgBackends = s(backends);
  const pgShared = s(b.pgShared - a.pgShared);
  const generator = s(b.generator - a.generator);
  const machineBusy = s(b.machineBusy - a.machineBusy);
  const ours = servers.reduce((x, y) => x + y, 0) + haproxy + pgBackends + pgShared + generator;
  return {
    servers,
    serverMainThreads,
    serverBusiestOtherThreads,
    haproxy,
    pgBackends,
    pgShared,
    generator,
    machineBusy,
    others: Math.max(0, Math.round((machineBusy - ours) * 1000) / 1000),
  };
}

async function pgCounters(admin: pg.Client, dbName: string): Promise<PgCounters> {
  // A fresh snapshot of the statistics (the admin connection's is cached per transaction).
  await admin.query('select pg_stat_clear_snapshot()');
  const r = await admin.query<{ x: string; r: string; f: string; i: string }>(
    `select xact_commit as x, tup_returned as r, tup_fetched as f, tup_inserted as i
       from pg_stat_database where datname = $1`,
    [dbName],
  );
  const row = r.rows[0];
  return {
    xactCommit: Number(row?.x ?? 0),
    tupReturned: Number(row?.r ?? 0),
    tupFetched: Number(row?.f ?? 0),
    tupInserted: Number(row?.i ?? 0),
  };
}

/** Partition leases per instance (`i1:11 i2:11 i3:10`), from the advisory locks held. */
async function partitionsByInstance(admin: pg.Client): Promise<Map<string, number>> {
  const keys = new Set(
    Array.from({ length: DEVICE_PARTITIONS }, (_, p) => leaseKey(`partition:${String(p)}`)),
  );
  const r = await admin.query<{ objid: string; app: string }>(
    `select l.objid::text as objid, a.application_name as app from pg_locks l
       join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.classid = $1 and l.granted and a.datname = current_database()`,
    [leaseKey('vigil-leases:public')],
  );
  const counts = new Map<string, number>();
  for (const row of r.rows) {
    if (!keys.has(Number(row.objid))) continue;
    const name = row.app.replace('vigil-leases ', '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** Waits until the instances hold every partition, none above its share; returns the split. */
async function settledPartitions(admin: pg.Client, instances: number): Promise<string> {
  const share = Math.ceil(DEVICE_PARTITIONS / instances);
  let counts = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    counts = await partitionsByInstance(admin);
    const held = [...counts.values()].reduce((a, b) => a + b, 0);
    if (held === DEVICE_PARTITIONS && counts.size === instances)
      if ([...counts.values()].every((n) => n <= share)) break;
    await sleep(250);
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}:${String(n)}`)
    .join(' ');
}

interface StoredCount {
  device_id: string;
  sequence: number | null;
  n: number;
}

/** Stored packets against acknowledged ones: missing, stored twice, stored unacknowledged. */
function reconcile(rows: StoredCount[], acked: Set<string>) {
  const stored = new Set<string>();
  let storedTwice = 0;
  let storedUnacknowledged = 0;
  for (const r of rows) {
    const key = `${r.device_id}#${String(r.sequence)}`;
    stored.add(key);
    if (r.n > 1) storedTwice++;
    if (!acked.has(key)) storedUnacknowledged++;
  }
  let missing = 0;
  for (const key of acked) if (!stored.has(key)) missing++;
  return { stored: rows.reduce((a, r) => a + r.n, 0), missing, storedTwice, storedUnacknowledged };
}

const UNASSESSED_SQL =
  'select count(*) as n from vitals v where not exists (select 1 from predictions p where p.vitals_id = v.id)';

async function runRow(
  o: ClusterBenchOptions,
  database: 'sqlite' | 'postgres',
  instances: number,
  nonOwner: ClusterRow['nonOwner'],
): Promise<ClusterRow> {
  const run = randomBytes(3).toString('hex');
  const dbName = `vigil_bench_cluster_${run}_${String(instances)}`;
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  let haproxy: Haproxy | undefined;
  let admin: pg.Client | undefined;
  const databaseUrl =
    database === 'postgres' ? await createPgDatabase(o.pgAdminUrl, dbName) : undefined;
  const start = async (k: number): Promise<ServerProcess> => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `vigil-bench-cluster-i${String(k)}-`));
    dirs.push(dir);
    const server = startServer(
      {
        PORT: String(await freePort()),
        VIGIL_DATA_DIR: dir,
        VIGIL_INSTANCE_NAME: `i${String(k)}`,
        ANALYSIS_WORKERS: String(o.analysisWorkers),
        // Throughput at saturation, not load shedding: on a machine shared with other work a
        // shed request would only become a retry wait in the closed loop.
        MAX_IN_FLIGHT_REQUESTS: '0',
        MAX_EVENT_LOOP_DELAY_MS: '0',
        LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
        FORWARD_TO_OWNER: String(nonOwner === 'forward'),
        ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      },
      // BENCH_CPU_PROF=dir: a V8 CPU profile of every server (main thread and analysis worker)
      // is written there when it stops, as for bench:ingest's own server.
      o.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`],
    );
    servers.push(server);
    await waitReady(server, 120_000);
    return server;
  };
  try {
    // The first instance alone (it migrates the database), then the others together.
    await start(1);
    await Promise.all(Array.from({ length: instances - 1 }, (_, i) => start(i + 2)));
    let partitions: string | null = null;
    if (databaseUrl !== undefined) {
      haproxy = await startHaproxy(servers.map((s) => s.port));
      admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      partitions = await settledPartitions(admin, instances);
    }
    const target = haproxy?.url ?? (servers[0] as ServerProcess).base;
    const token = await login(target, ADMIN_EMAIL, ADMIN_PASSWORD);
    const devices: FleetDevice[] = await registerDevices({
      baseUrl: target,
      token,
      deviceIds: Array.from(
        { length: o.devices },
        (_, i) => `BC-${run}-${String(i + 1).padStart(4, '0')}`,
      ),
      scenarioFor: () => 'normal',
    });

    // One source per device for the warm-up and the measured run: sequences and timestamps
    // continue, so (device, sequence) names one packet, and every packet is newer than the last.
    const pool = createPacketPool();
    const dataStart =
      Date.now() - (o.warmupS + o.durationS + 5) * MAX_PACKETS_PER_S_PER_DEVICE * 1000;
    const sources = new Map<string, PacketSource>();
    const sourceOf = (device: FleetDevice): PacketSource => {
      let s = sources.get(device.deviceId);
      if (s === undefined) sources.set(device.deviceId, (s = pool(device.deviceId, dataStart)));
      return s;
    };
    const acked = new Set<string>();
    const onResult = (r: PacketResult): void => {
      if (r.ok) acked.add(`${r.deviceId}#${String(r.sequence)}`);
    };
    const fleet = (durationS: number) =>
      runFleet({
        transport: 'http',
        baseUrl: target,
        devices,
        durationS,
        speed: Infinity,
        startTimeMs: dataStart,
        createSource: (device) => sourceOf(device),
        onResult,
      });

    // What the cluster costs with no load (partition heartbeats, lease queries, timers).
    const idleFrom = await cpuSnapshot(servers, haproxy, admin, dbName);
    await sleep(IDLE_S * 1000);
    const idle = cpuBetween(idleFrom, await cpuSnapshot(servers, haproxy, admin, dbName));
    const idleCpuPerS = {
      servers: Math.round((idle.servers.reduce((a, b) => a + b, 0) / IDLE_S) * 1000) / 1000,
      postgres: Math.round(((idle.pgBackends + idle.pgShared) / IDLE_S) * 1000) / 1000,
    };

    const countersBefore = admin === undefined ? undefined : await pgCounters(admin, dbName);
    if (o.warmupS > 0) await fleet(o.warmupS);
    const before = await cpuSnapshot(servers, haproxy, admin, dbName);
    const measuredFrom = Date.now();
    const summary = await fleet(o.durationS);
    const after = await cpuSnapshot(servers, haproxy, admin, dbName);
    const cpuSeconds = cpuBetween(before, after);

    // Packets stored at a non-owner are assessed by their owner after it reads them back.
    let unassessedAtStop = 0;
    let unassessedAfterDrain = 0;
    let drainS: number | null = null;
    let handedOverPct: number | null = null;
    let handoverDelayMs: ClusterRow['handoverDelayMs'] = null;
    if (admin !== undefined) {
      const unassessed = async (c: pg.Client) =>
        Number((await c.query<{ n: string }>(UNASSESSED_SQL)).rows[0]?.n ?? 0);
      const stopAt = performance.now();
      unassessedAtStop = await unassessed(admin);
      unassessedAfterDrain = unassessedAtStop;
      while (unassessedAfterDrain > 0 && performance.now() - stopAt < DRAIN_TIMEOUT_MS) {
        await sleep(200);
        unassessedAfterDrain = await unassessed(admin);
      }
      if (unassessedAfterDrain === 0) drainS = Math.round(performance.now() - stopAt) / 1000;
      const delays = (
        await admin.query<{ d: string }>(
          `select p.created_at - v.received_at as d from predictions p join vitals v on v.id = p.vitals_id
            where v.received_at >= $1`,
          [measuredFrom],
        )
      ).rows.map((r) => Number(r.d));
      const handed = delays.filter((d) => d > 0).sort((a, b) => a - b);
      const q = (p: number) =>
        handed[Math.min(handed.length - 1, Math.floor((p / 100) * handed.length))] ?? 0;
      handedOverPct =
        delays.length === 0 ? 0 : Math.round((1000 * handed.length) / delays.length) / 10;
      handoverDelayMs = handed.length === 0 ? null : { p50: q(50), p95: q(95) };
      await admin.end();
      admin = undefined;
    }

    // Stopped before counting: a backend flushes its statistics when it exits.
    await haproxy?.stop();
    haproxy = undefined;
    await Promise.all(servers.splice(0).map((s) => stopGracefully(s)));

    let rows: StoredCount[];
    let perPacket: ClusterRow['perPacket'] = null;
    let tableReads: ClusterRow['tableReads'] = null;
    if (databaseUrl !== undefined) {
      const stats = await pgAdmin(databaseUrl, async (c) => {
        // Before this connection's own reads: the servers' backends flushed theirs at exit.
        const counters = await pgCounters(c, dbName);
        const tables = await c.query<{ t: string; s: string; r: string; i: string }>(
          `select relname as t, coalesce(seq_scan, 0) as s, coalesce(seq_tup_read, 0) as r,
                  coalesce(idx_tup_fetch, 0) as i
             from pg_stat_user_tables`,
        );
        const counted = await c.query<{ device_id: string; sequence: number | null; n: string }>(
          'select device_id, sequence, count(*) as n from vitals group by device_id, sequence',
        );
        return { counted: counted.rows, counters, tables: tables.rows };
      });
      rows = stats.counted.map((r) => ({ ...r, n: Number(r.n) }));
      const stored = Math.max(
        1,
        rows.reduce((a, r) => a + r.n, 0),
      );
      const b = countersBefore ?? stats.counters;
      const per = (x: number) => Math.round((x / stored) * 100) / 100;
      const byTable = new Map<string, { seqRows: number; indexRows: number; seqScans: number }>();
      for (const t of stats.tables) {
        // Day partitions (vitals_p20261205) and the default one count as their table.
        const table = t.t.replace(/_p(\d{8}|default)$/, '');
        const sum = byTable.get(table) ?? { seqRows: 0, indexRows: 0, seqScans: 0 };
        sum.seqRows += Number(t.r);
        sum.indexRows += Number(t.i);
        sum.seqScans += Number(t.s);
        byTable.set(table, sum);
      }
      tableReads = [...byTable]
        .map(([table, v]) => ({
          table,
          seqRows: Math.round((v.seqRows / stored) * 10) / 10,
          indexRows: Math.round((v.indexRows / stored) * 10) / 10,
          seqScans: v.seqScans,
        }))
        .filter((t) => t.seqRows + t.indexRows >= 0.5)
        .sort((a, b) => b.seqRows + b.indexRows - (a.seqRows + a.indexRows));
      perPacket = {
        transactions: per(stats.counters.xactCommit - b.xactCommit),
        rowsRead:
          per(stats.counters.tupReturned - b.tupReturned) +
          per(stats.counters.tupFetched - b.tupFetched),
        rowsInserted: per(stats.counters.tupInserted - b.tupInserted),
      };
    } else {
      const sqlite = new Database(path.join(dirs[0] ?? '', 'vigil.sqlite'), { readonly: true });
      try {
        rows = sqlite
          .prepare('select device_id, sequence, count(*) as n from vitals group by 1, 2')
          .all() as StoredCount[];
        unassessedAtStop =
          (sqlite.prepare(UNASSESSED_SQL).get() as { n: number } | undefined)?.n ?? 0;
        unassessedAfterDrain = unassessedAtStop;
        drainS = unassessedAtStop === 0 ? 0 : null;
      } finally {
        sqlite.close();
      }
    }
    const counted = reconcile(rows, acked);
    const packets = Math.max(1, summary.packetsOk);
    const us = (s: number) => Math.round((s * 1e6) / packets);
    const serversS = cpuSeconds.servers.reduce((a, b) => a + b, 0);
    const postgresS = cpuSeconds.pgBackends + cpuSeconds.pgShared;
    return {
      instances,
      database,
      nonOwner,
      viaHaproxy: databaseUrl !== undefined,
      summary,
      partitions,
      idleCpuPerS,
      cpuSeconds,
      cpuPerPacketUs: {
        servers: us(serversS),
        haproxy: us(cpuSeconds.haproxy),
        postgres: us(postgresS),
        total: us(serversS + cpuSeconds.haproxy + postgresS),
      },
      acknowledged: acked.size,
      ...counted,
      unassessedAtStop,
      drainS,
      unassessedAfterDrain,
      handedOverPct,
      handoverDelayMs,
      perPacket,
      tableReads,
      ok: counted.missing === 0 && counted.storedTwice === 0 && unassessedAfterDrain === 0,
    };
  } finally {
    await admin?.end().catch(() => undefined);
    await haproxy?.stop();
    await Promise.all(servers.map((s) => stopGracefully(s)));
    if (databaseUrl !== undefined)
      await dropPgDatabase(o.pgAdminUrl, dbName).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const fmt = (x: number, digits = 1): string =>
  x.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function name(r: ClusterRow): string {
  if (r.database === 'sqlite') return '1, SQLite, no proxy';
  const base = `${String(r.instances)}, PostgreSQL, HAProxy`;
  if (r.instances === 1) return base;
  return `${base}, ${r.nonOwner === 'forward' ? 'forwarded to owner' : 'hand-over (no forwarding)'}`;
}

/** The two tables, in Markdown (pasted as they are into docs/scaling.md). */
function tables(rows: ClusterRow[]): string {
  const pg1 = rows.find((r) => r.database === 'postgres' && r.instances === 1);
  const lite = rows.find((r) => r.database === 'sqlite');
  // Packets per CPU second of servers, HAProxy and PostgreSQL against the 1-instance row: the
  // ratio on equal CPU, whatever share of the machine other work left each row.
  const perCpu = (r: ClusterRow) =>
    pg1 === undefined
      ? '—'
      : fmt(pg1.cpuPerPacketUs.total / Math.max(1, r.cpuPerPacketUs.total), 2);
  const ratio = (r: ClusterRow, base: ClusterRow | undefined) =>
    base === undefined ? '—' : fmt(r.summary.achievedRatePerS / base.summary.achievedRatePerS, 2);
  const out: string[] = [
    '| Instances, database | Packets/s acknowledged | p50 / p99 ms | × 1 instance PG | × SQLite single | × 1 instance PG per CPU second | Stored exactly once | Handed over (p50 / p95 delay) | Unassessed at stop → drained in |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const once =
      r.missing === 0 && r.storedTwice === 0
        ? `yes (${r.acknowledged.toLocaleString('en-GB')} acknowledged, ${String(r.storedUnacknowledged)} stored unacknowledged)`
        : `**no: ${String(r.missing)} missing, ${String(r.storedTwice)} twice**`;
    const handed =
      r.handedOverPct === null
        ? '—'
        : `${fmt(r.handedOverPct)} %${r.handoverDelayMs === null ? '' : ` (${String(r.handoverDelayMs.p50)} / ${String(r.handoverDelayMs.p95)} ms)`}`;
    const drain =
      r.drainS === null
        ? `${String(r.unassessedAtStop)} → **${String(r.unassessedAfterDrain)} left**`
        : `${String(r.unassessedAtStop)} → ${fmt(r.drainS)} s`;
    out.push(
      `| ${name(r)} | ${fmt(r.summary.achievedRatePerS)} | ${fmt(r.summary.latencyMs.p50)} / ${fmt(r.summary.latencyMs.p99)} | ${ratio(r, pg1)} | ${ratio(r, lite)} | ${perCpu(r)} | ${once} | ${handed} | ${drain} |`,
    );
  }
  out.push(
    '',
    '| Instances, database | Servers CPU s (each; main threads; analysis workers) | HAProxy s | PG backends s | PG shared s | Generator s | Other work s | Machine busy s (of wall × cores) | µs per packet: servers / HAProxy / PG / total | PG per packet: transactions, rows read, rows inserted | Idle CPU s/s: servers, PG |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    const c = r.cpuSeconds;
    const serversS = c.servers.reduce((a, b) => a + b, 0);
    const capacity = r.summary.durationS * os.cpus().length;
    out.push(
      `| ${name(r)} | ${fmt(serversS)} (${c.servers.map((x) => fmt(x)).join(' + ')}; ${fmt(c.serverMainThreads)}; ${fmt(c.serverBusiestOtherThreads)}) | ${fmt(c.haproxy)} | ${fmt(c.pgBackends)} | ${fmt(c.pgShared)} | ${fmt(c.generator)} | ${fmt(c.others)} | ${fmt(c.machineBusy)} of ${fmt(capacity)} | ${String(r.cpuPerPacketUs.servers)} / ${String(r.cpuPerPacketUs.haproxy)} / ${String(r.cpuPerPacketUs.postgres)} / ${String(r.cpuPerPacketUs.total)} | ${r.perPacket === null ? '—' : `${fmt(r.perPacket.transactions, 2)}, ${fmt(r.perPacket.rowsRead, 2)}, ${fmt(r.perPacket.rowsInserted, 2)}`} | ${fmt(r.idleCpuPerS.servers, 2)}, ${fmt(r.idleCpuPerS.postgres, 2)} |`,
    );
  }
  return out.join('\n');
}

export async function clusterBench(o: ClusterBenchOptions): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const loadBefore = os.loadavg();
  o.log(
    `bench:ingest --cluster: ${String(o.devices)} devices back to back, ${String(o.warmupS)} s warm-up + ${String(o.durationS)} s per row, ` +
      `ANALYSIS_WORKERS=${String(o.analysisWorkers)}, rows: ${o.sqlite ? 'SQLite 1, ' : ''}PostgreSQL ${o.instances.join(', ')}${o.handOver ? ' (several: with and without forwarding)' : ''} ` +
      `(load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')})`,
  );
  const rows: ClusterRow[] = [];
  type Plan = ['sqlite' | 'postgres', number, ClusterRow['nonOwner']];
  const plan: Plan[] = [
    ...(o.sqlite ? [['sqlite', 1, 'forward'] as Plan] : []),
    ...o.instances.flatMap((n): Plan[] =>
      o.handOver && n > 1
        ? [
            ['postgres', n, 'hand-over'],
            ['postgres', n, 'forward'],
          ]
        : [['postgres', n, 'forward']],
    ),
  ];
  for (const [database, n, nonOwner] of plan) {
    const row = await runRow(o, database, n, nonOwner);
    rows.push(row);
    o.log(
      `${name(row)}: ${fmt(row.summary.achievedRatePerS)} pkt/s, p50 ${fmt(row.summary.latencyMs.p50)} ms, p99 ${fmt(row.summary.latencyMs.p99)} ms, ` +
        `errors ${String(row.summary.errors)}${row.partitions === null ? '' : `, partitions ${row.partitions}`}, ` +
        `stored exactly once: ${row.missing === 0 && row.storedTwice === 0 ? 'yes' : 'NO'} ` +
        `(${String(row.acknowledged)} acknowledged, ${String(row.missing)} missing, ${String(row.storedTwice)} twice), ` +
        `unassessed ${String(row.unassessedAtStop)} → ${String(row.unassessedAfterDrain)}` +
        (row.tableReads === null
          ? ''
          : `; rows read per packet (sequential scans / index): ${row.tableReads
              .map((t) => `${t.table} ${String(t.seqRows)} / ${String(t.indexRows)}`)
              .join(', ')}`) +
        ` (load average ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')})`,
    );
  }
  const loadAfter = os.loadavg();
  o.log('');
  o.log(tables(rows));
  o.log('');
  const ok = rows.every((r) => r.ok);
  o.log(
    `every acknowledged packet stored exactly once and assessed: ${ok ? 'yes' : 'NO'}; ` +
      `${String(Math.round((performance.now() - t0) / 1000))} s; load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  return {
    bench: 'ingest-cluster',
    ok,
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    },
    devices: o.devices,
    durationS: o.durationS,
    warmupS: o.warmupS,
    analysisWorkers: o.analysisWorkers,
    rows,
  };
}
