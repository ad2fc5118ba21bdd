/**
 * bench/ingest: how fast Vigil ingests vitals packets compared with a bare Fastify endpoint
 * measured in the same run on the same machine, and the simulator's fleet run
 * (500 devices × 1 packet/s × 60 s). Loopback only; every phase is bounded in time.
 *
 *   npm run bench:ingest                    bare vs Vigil (SQLite; PostgreSQL with DATABASE_URL)
 *   npm run bench:ingest -- --url URL --email E --password P    an already running Vigil
 *   npm run bench:sim                       the 500-device fleet run against a local Vigil
 *   npm run bench:ingest -- --cluster       1, 2, 3 instances on PostgreSQL behind HAProxy beside
 *                                           one on SQLite (cluster.ts)
 *
 * Options: --concurrency N (closed-loop devices, default 32), --duration S (per phase, default
 * 10; fleet default 60), --warmup S (default 2), --devices N (fleet, default 500), --rate R
 * (fleet, packets/s per device, default 1), --json (summary only, on stdout). With --cluster:
 * --instances 1,2,3 (PostgreSQL rows), --skip-sqlite, --analysis-workers N (default: the
 * server's own, cores − 1), --hand-over (each count of several instances also run without
 * forwarding to the owner: FORWARD_TO_OWNER=false, the baseline), --duration default 20.
 */
import { readFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  login,
  registerDevices,
  runFleet,
  type FleetDevice,
  type FleetSummary,
  type PacketSource,
  type ScenarioName,
} from '../../packages/sim/src/index.js';
import { bundleServer } from '../../packages/server/scripts/bundle.mjs';
import { pgAdminUrl } from '../../packages/server/test/reliability/harness.js';
import { measureAlertLatency } from './alert-latency.js';
import { startChildServer, type ChildServer, type ProcessCpuMs } from './child-server.js';
import { clusterBench } from './cluster.js';
import { createPacketPool, createTwelveLeadPacketPool, prerecordFleet } from './packet-pool.js';

interface VigilInfo {
  port: number;
  dialect: string;
  adminEmail: string;
  adminPassword: string;
}

const { values } = parseArgs({
  options: {
    fleet: { type: 'boolean', default: false },
    url: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    duration: { type: 'string' },
    warmup: { type: 'string', default: '2' },
    devices: { type: 'string', default: '500' },
    rate: { type: 'string', default: '1' },
    'alert-devices': { type: 'string', default: '10' },
    'load-rate': { type: 'string' },
    bare: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    'hand-over': { type: 'boolean', default: false },
    instances: { type: 'string', default: '1,2,3' },
    'skip-sqlite': { type: 'boolean', default: false },
    'analysis-workers': { type: 'string' },
  },
});
const concurrency = Number(values.concurrency);
const durationS = Number(values.duration ?? (values.fleet ? 60 : values.cluster ? 20 : 10));
const warmupS = Number(values.warmup);
const log = (text: string): void => {
  if (!values.json) process.stderr.write(`${text}\n`);
};

const children: ChildServer<{ port: number }>[] = [];
const stopAll = async (): Promise<void> => {
  for (const child of children.splice(0).reverse()) await child.stop();
};
process.once('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

/**
 * The Node flags `npm start` gives the server (packages/server/package.json, `scripts.start`:
 * the `--` options between `node` and the script), so the bench's Vigil runs with the same heap
 * settings as users'.
 */
function startNodeFlags(): string[] {
  const pkg = JSON.parse(
    readFileSync(new URL('../../packages/server/package.json', import.meta.url), 'utf8'),
  ) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  if (words[0] !== 'node')
    throw new Error('packages/server start script no longer starts with node');
  const flags: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('--')) break;
    flags.push(w);
  }
  return flags;
}

/** A Vigil to measure: the given --url, or a fresh one in a child process. */
async function vigilTarget(): Promise<{
  url: string;
  email: string;
  password: string;
  dialect: string;
  /** The server's CPU time so far (ms); null for a Vigil that is not this bench's child. */
  cpuMs(): ProcessCpuMs | null;
}> {
  if (values.url !== undefined) {
    const email = values.email ?? process.env.VIGIL_EMAIL;
    const password = values.password ?? process.env.VIGIL_PASSWORD;
    if (!email || !password)
      throw new Error('--url needs --email and --password (admin or doctor)');
    return { url: values.url, email, password, dialect: 'external', cpuMs: () => null };
  }
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the Vigil server there (open it in Chrome
  // DevTools or speedscope) to see where its time goes.
  const profDir = process.env.BENCH_CPU_PROF;
  // Bundled by esbuild exactly as `npm start` bundles server.ts, and run with plain Node: the
  // code measured is the code users run (through tsx, every function also paid for the names
  // tsx keeps with a `__name` call, and module loading went through its hooks).
  // Its own folder: the bench's analysis worker and chunks sit beside its bundle, apart from
  // the build `npm start` runs.
  const bundle = await bundleServer(
    fileURLToPath(new URL('./vigil-server.ts', import.meta.url)),
    fileURLToPath(new URL('../../packages/server/dist/bench', import.meta.url)),
  );
  const server = await startChildServer<VigilInfo>(bundle, {}, undefined, [
    ...startNodeFlags(),
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
  ]);
  children.push(server);
  return {
    url: server.url,
    email: server.info.adminEmail,
    password: server.info.adminPassword,
    dialect: server.info.dialect,
    cpuMs: () => server.cpuMs(),
  };
}

async function register(
  url: string,
  email: string,
  password: string,
  count: number,
  prefix: string,
) {
  const token = await login(url, email, password);
  return registerDevices({
    baseUrl: url,
    token,
    deviceIds: Array.from(
      { length: count },
      (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`,
    ),
    scenarioFor: () => 'normal',
  });
}

/**
 * Most packets per second one device can send in any run: 32 devices at this rate would be
 * 64,000 pkt/s, four times the fastest bare run seen. Open-loop runs send at most their rate.
 */
const MAX_PACKETS_PER_S_PER_DEVICE = 2000;

/** Data time (ms of 1-s packets) a run of `seconds` can cover at most, per device. */
const spanMs = (seconds: number): number => seconds * MAX_PACKETS_PER_S_PER_DEVICE * 1000;

/**
 * Where each run's packets start in data time, as offsets from now (each packet is 1 s after the
 * previous one): the runs on one set of devices follow each other, each after the most data time
 * the previous one can cover, so every packet is newer than the device's last one, as a device's
 * packets are. (Runs that started earlier in data time made every packet a possible retry, which
 * costs a look-up: the runs at a fixed rate used to measure that path, and the last one re-sent
 * the previous run's packets.) The open-loop runs' tail is bounded by their send schedule.
 */
const DATA_TIME = (() => {
  const comfortable = -spanMs(durationS);
  const target = comfortable - spanMs(durationS);
  const max = target - spanMs(durationS);
  return { warmup: max - spanMs(warmupS), max, target, comfortable };
})();

/** Open loop at `ratePerS` spread over `devices`, each sending pre-computed packets. */
function steady(
  url: string,
  devices: FleetDevice[],
  ratePerS: number,
  startOffsetMs: number,
): Promise<FleetSummary> {
  const pool = createPacketPool();
  return runFleet({
    transport: 'http',
    baseUrl: url,
    devices,
    durationS,
    speed: ratePerS / devices.length,
    startTimeMs: Date.now() + startOffsetMs,
    createSource: (device, _index, start) => pool(device.deviceId, start),
  });
}

/**
 * CPU time per packet answered during a run, µs: the server's (all threads, and its main thread
 * alone) and this process's (the generator).
 */
interface CpuPerPacket {
  serverUs: number | null;
  serverMainThreadUs: number | null;
  generatorUs: number;
}

/**
 * Closed loop: `devices` send back to back; a warm-up run first (JIT, connection pools). Also
 * returns the CPU each side spent per packet in the measured run: unlike a rate, that does not
 * depend on how the two cores were shared with the generator.
 */
async function saturate(
  server: { url: string; cpuMs(): ProcessCpuMs | null },
  devices: FleetDevice[],
  pool: (deviceId: string, startTimeMs: number) => PacketSource = createPacketPool(),
  dataTime: { warmup: number; max: number } = DATA_TIME,
): Promise<FleetSummary & { cpuPerPacket: CpuPerPacket }> {
  const url = server.url;
  const source = (device: FleetDevice, _index: number, start: number) =>
    pool(device.deviceId, start);
  if (warmupS > 0) {
    await runFleet({
      transport: 'http',
      baseUrl: url,
      devices,
      durationS: warmupS,
      speed: Infinity,
      startTimeMs: Date.now() + dataTime.warmup,
      createSource: source,
    });
  }
  const serverBefore = server.cpuMs();
  const generatorBefore = process.cpuUsage();
  const summary = await runFleet({
    transport: 'http',
    baseUrl: url,
    devices,
    durationS,
    speed: Infinity,
    startTimeMs: Date.now() + dataTime.max,
    createSource: source,
  });
  const serverAfter = server.cpuMs();
  const generator = process.cpuUsage(generatorBefore);
  const n = Math.max(1, summary.packetsOk);
  const perPacket = (ms: number) => Math.round((ms * 1000) / n);
  return {
    ...summary,
    cpuPerPacket: {
      serverUs:
        serverBefore && serverAfter ? perPacket(serverAfter.total - serverBefore.total) : null,
      serverMainThreadUs:
        serverBefore && serverAfter ? perPacket(serverAfter.main - serverBefore.main) : null,
      generatorUs: Math.round((generator.user + generator.system) / n),
    },
  };
}

function row(name: string, s: FleetSummary): string {
  return (
    `${name.padEnd(22)}${String(s.devices).padStart(8)}${s.achievedRatePerS.toFixed(1).padStart(12)}` +
    `${s.latencyMs.p50.toFixed(2).padStart(9)}${s.latencyMs.p99.toFixed(2).padStart(9)}${String(s.errors).padStart(8)}`
  );
}

async function ingestBench(): Promise<Record<string, unknown>> {
  log(
    `bench/ingest: ${concurrency} devices back to back, ${durationS} s per target after ${warmupS} s warm-up`,
  );
  const bare = await startChildServer<{ port: number }>('./bare-server.ts');
  children.push(bare);
  const bareDevices: FleetDevice[] = Array.from({ length: concurrency }, (_, i) => ({
    deviceId: `BARE-${i}`,
    apiKey: 'unused',
  }));
  const bareSummary = await saturate(bare, bareDevices);
  await bare.stop();
  children.splice(children.indexOf(bare), 1);

  const vigil = await vigilTarget();
  const devices = await register(
    vigil.url,
    vigil.email,
    vigil.password,
    concurrency,
    `BENCH-${Date.now().toString(36)}-`,
  );
  // Seed 004's 12-lead devices, registered while the server is idle (signing in under load can
  // be shed with 503).
  const twelveDevices = await register(
    vigil.url,
    vigil.email,
    vigil.password,
    concurrency,
    `BENCH12-${Date.now().toString(36)}-`,
  );
  const vigilSummary = await saturate(vigil, devices);
  const ratio = vigilSummary.achievedRatePerS / bareSummary.achievedRatePerS;

  // The target check: Vigil is offered half the bare rate (open loop) while alert devices measure
  // packet -> WebSocket alert latency on top of that load.
  const targetRate = Math.max(1, Math.round(bareSummary.achievedRatePerS * 0.5));
  log(`open loop at 50 % of bare = ${targetRate} pkt/s for ${durationS} s, with alert devices`);
  const adminToken = await login(vigil.url, vigil.email, vigil.password);
  const [atTarget, alerts] = await Promise.all([
    steady(vigil.url, devices, targetRate, DATA_TIME.target),
    measureAlertLatency({
      baseUrl: vigil.url,
      adminToken,
      devices: Number(values['alert-devices']),
      durationS,
    }),
  ]);
  // Latency at a load Vigil can carry: open loop at 80 % of its own closed-loop maximum, the
  // figure to size a deployment by (devices per server at a latency budget). `--load-rate`
  // fixes that rate instead, so that two revisions can be compared at the same load: the server
  // CPU per packet printed for this run then does not depend on how far each could go.
  const loadRate = values['load-rate'];
  const comfortableRate =
    loadRate === undefined
      ? Math.max(1, Math.round(vigilSummary.achievedRatePerS * 0.8))
      : Number(loadRate);
  if (!Number.isFinite(comfortableRate) || comfortableRate <= 0)
    throw new Error('--load-rate must be a positive number of packets per second');
  log(
    `open loop at ${loadRate === undefined ? "80 % of Vigil's maximum" : 'the given --load-rate'} = ${comfortableRate} pkt/s for ${durationS} s`,
  );
  // Seed 004's 12-lead streams: the same closed loop with 1 s packets of 12 leads at 500 Hz
  // (6,000 samples against 250), on devices of their own, the live 12-lead interpretation
  // running every 10 packets of each.
  log(`12-lead packets: ${concurrency} devices back to back for ${durationS} s`);
  const twelveLead = await saturate(vigil, twelveDevices, createTwelveLeadPacketPool());
  const loadCpuBefore = vigil.cpuMs();
  const atComfortableRun = await steady(vigil.url, devices, comfortableRate, DATA_TIME.comfortable);
  const loadCpuAfter = vigil.cpuMs();
  const loadPackets = Math.max(1, atComfortableRun.packetsOk);
  const atComfortable = {
    ...atComfortableRun,
    serverCpuPerPacketUs:
      loadCpuBefore && loadCpuAfter
        ? {
            all: Math.round(((loadCpuAfter.total - loadCpuBefore.total) * 1000) / loadPackets),
            main: Math.round(((loadCpuAfter.main - loadCpuBefore.main) * 1000) / loadPackets),
          }
        : null,
  };
  await stopAll();

  log('');
  log(
    `${'target'.padEnd(22)}${'devices'.padStart(8)}${'pkt/s'.padStart(12)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}`,
  );
  log(row('bare Fastify (max)', bareSummary));
  log(row(`Vigil ${vigil.dialect} (max)`, vigilSummary));
  log(row(`Vigil at ${targetRate}/s`, atTarget));
  log(row(`Vigil at ${comfortableRate}/s`, atComfortable));
  log(`Vigil max sustained rate = ${(ratio * 100).toFixed(1)} % of bare`);
  const cpu = (c: CpuPerPacket): string =>
    `server ${c.serverUs === null ? 'n/a' : String(c.serverUs)} µs ` +
    `(main thread ${c.serverMainThreadUs === null ? 'n/a' : String(c.serverMainThreadUs)} µs), ` +
    `generator ${String(c.generatorUs)} µs`;
  log(
    `CPU per packet at the maximum rate (all threads): bare ${cpu(bareSummary.cpuPerPacket)}; ` +
      `Vigil ${cpu(vigilSummary.cpuPerPacket)}`,
  );
  log(
    `12-lead packets (1 s × 12 leads × 500 Hz, seed 004 batch): ${twelveLead.achievedRatePerS} pkt/s at the maximum, ` +
      `p50 ${twelveLead.latencyMs.p50} ms p99 ${twelveLead.latencyMs.p99} ms, errors ${twelveLead.errors}; ` +
      `CPU per packet: ${cpu(twelveLead.cpuPerPacket)} (single-lead above: ${cpu(vigilSummary.cpuPerPacket)})`,
  );
  if (atComfortable.serverCpuPerPacketUs !== null)
    log(
      `Vigil server CPU per packet at ${comfortableRate} pkt/s: ${atComfortable.serverCpuPerPacketUs.all} µs ` +
        `(main thread ${atComfortable.serverCpuPerPacketUs.main} µs)`,
    );
  const met =
    atTarget.achievedRatePerS >= targetRate * 0.97 &&
    atTarget.latencyMs.p99 < 50 &&
    atTarget.errors === 0;
  log(
    `target (>= 50 % of bare with p99 < 50 ms): ${met ? 'met' : 'NOT met'} ` +
      `(achieved ${atTarget.achievedRatePerS} of ${targetRate} pkt/s offered, p99 ${atTarget.latencyMs.p99} ms)`,
  );
  log(
    `packet -> WebSocket alert: ${alerts.alertsOpened} alerts of ${alerts.episodes} fever episodes ` +
      `(${alerts.missed} missed), p50 ${alerts.latencyMs.p50} ms, p99 ${alerts.latencyMs.p99} ms`,
  );
  const runs: [string, FleetSummary][] = [
    ['bare', bareSummary],
    ['Vigil max', vigilSummary],
    ['Vigil at target', atTarget],
    ['Vigil at 80 % of its max', atComfortable],
    ['Vigil 12-lead max', twelveLead],
  ];
  for (const [name, s] of runs) {
    if (s.errors > 0) log(`${name} errors: ${JSON.stringify(s.errorsByKind)}`);
  }
  return {
    bench: 'ingest',
    machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
    dialect: vigil.dialect,
    concurrency,
    durationS,
    bare: bareSummary,
    vigil: vigilSummary,
    twelveLead,
    ratio: Math.round(ratio * 1000) / 1000,
    atTarget,
    targetMet: met,
    atEightyPercentOfMax: atComfortable,
    alerts,
  };
}

/** Scenarios of the fleet run: every ECG and vital-sign scenario that keeps sending. */
const FLEET_SCENARIOS: ScenarioName[] = [
  'normal',
  'tachycardia',
  'bradycardia',
  'af',
  'pvc',
  'desaturation',
  'fever',
];

async function fleetBench(): Promise<Record<string, unknown>> {
  const count = Number(values.devices);
  const rate = Number(values.rate);
  const onBare = values.bare;
  log(
    `bench:sim: ${count} devices x ${rate} packet/s x ${durationS} s against ${onBare ? 'the bare endpoint' : 'Vigil'}`,
  );
  let url: string;
  let dialect = 'none';
  let devices: FleetDevice[];
  const prefix = `FLEET-${Date.now().toString(36)}-`;
  if (onBare) {
    const bare = await startChildServer<{ port: number }>('./bare-server.ts');
    children.push(bare);
    url = bare.url;
    devices = Array.from({ length: count }, (_, i) => ({
      deviceId: `${prefix}${i}`,
      apiKey: 'unused',
    }));
  } else {
    const vigil = await vigilTarget();
    url = vigil.url;
    dialect = vigil.dialect;
    devices = await register(url, vigil.email, vigil.password, count, prefix);
  }
  devices = devices.map((d, i) => ({
    ...d,
    scenario: FLEET_SCENARIOS[i % FLEET_SCENARIOS.length] ?? 'normal',
  }));
  const packets = Math.ceil(durationS * rate);
  const startTimeMs = Date.now() - packets * 1000;
  const generated = performance.now();
  const source = prerecordFleet(devices, packets, startTimeMs);
  log(
    `generated ${count * packets} ECGSYN packets in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
  );
  const summary = await runFleet({
    transport: 'http',
    baseUrl: url,
    devices,
    ratePerDevice: rate,
    durationS,
    startTimeMs,
    createSource: (device) => source(device),
    onProgress: (p) => {
      if (!values.json) {
        process.stderr.write(
          `\r\x1b[2K${p.elapsedS.toFixed(0)} s  sent ${p.sent}  ok ${p.ok}  ${p.ratePerS.toFixed(1)} pkt/s  errors ${p.errors}`,
        );
      }
    },
  });
  await stopAll();
  log('');
  log(
    `offered ${summary.offeredRatePerS ?? 0} pkt/s, achieved ${summary.achievedRatePerS} pkt/s, ` +
      `sent ${summary.packetsSent}, ok ${summary.packetsOk}, errors ${summary.errors}, unsent ${summary.packetsUnsent}, ` +
      `latency p50 ${summary.latencyMs.p50} ms p99 ${summary.latencyMs.p99} ms`,
  );
  return {
    bench: 'sim-fleet',
    target: onBare ? 'bare' : 'vigil',
    machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
    dialect,
    ...summary,
  };
}

/** The cluster run (cluster.ts): its own servers, HAProxy and PostgreSQL databases. */
async function clusterRun(): Promise<Record<string, unknown>> {
  const instances = values.instances.split(',').map(Number);
  if (instances.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--instances takes instance counts, e.g. 1,2,3');
  const result = await clusterBench({
    instances,
    sqlite: !values['skip-sqlite'],
    handOver: values['hand-over'],
    devices: concurrency,
    durationS,
    warmupS,
    // The server's own default on this machine (config/env.ts): cores − 1, at most 4.
    analysisWorkers: Number(
      values['analysis-workers'] ?? Math.min(4, Math.max(0, availableParallelism() - 1)),
    ),
    pgAdminUrl: pgAdminUrl() ?? 'postgres://postgres@127.0.0.1:5432/test',
    ...(process.env.BENCH_CPU_PROF ? { cpuProfDir: process.env.BENCH_CPU_PROF } : {}),
    log,
  });
  if (result.ok !== true) process.exitCode = 1;
  return result;
}

try {
  const result = values.cluster
    ? await clusterRun()
    : values.fleet
      ? await fleetBench()
      : await ingestBench();
  process.stdout.write(`${JSON.stringify(result, null, values.json ? 2 : 0)}\n`);
} catch (error) {
  await stopAll();
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
