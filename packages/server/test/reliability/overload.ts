/**
 * `npm run test:reliability`, overload: a real server process (SQLite in a temporary folder,
 * default limits) is first offered 400 packets/s for 5 s to measure the rate it carries (what it
 * accepts per second when saturated); then it is offered 3× that rate, open loop (requests are sent on
 * schedule whatever the answers), from 24 devices for RELIABILITY_OVERLOAD_S seconds (default
 * 60). It must shed what it cannot carry with 503/429 and Retry-After (never another 5xx, never
 * a hang past the 10 s client timeout), keep answering /health and /ready (polled every 500 ms,
 * 5 s timeout), keep its peak RSS under RSS_CEILING_MB, recover by itself (within 10 s of the
 * load stopping, /ready is 200 and a packet is accepted) and then stop on SIGTERM with exit 0.
 *
 *   tsx --conditions=vigil-source packages/server/test/reliability/overload.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ecgPacket,
  finish,
  freePort,
  log,
  percentile,
  postJson,
  type PostOutcome,
  setUpClinic,
  sleep,
  startServer,
  stopGracefully,
  waitReady,
} from './harness.js';

const DURATION_S = Number(process.env.RELIABILITY_OVERLOAD_S ?? 60);
/** Documented in docs/reliability.md: the server's peak RSS under 3× overload stays below this. */
const RSS_CEILING_MB = 768;
const CLIENT_TIMEOUT_MS = 10_000;
const started = performance.now();
const failures: string[] = [];

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-overload-'));
const port = await freePort();
const server = startServer({ PORT: String(port), VIGIL_DATA_DIR: dir });
await waitReady(server);
const deviceIds = Array.from({ length: 24 }, (_, i) => `LOAD-${String(i + 1).padStart(2, '0')}`);
const clinic = await setUpClinic(server.base, deviceIds);
const startMs = Date.now() - 12 * 3600_000;
const seqs = new Map(deviceIds.map((id) => [id, 0]));
/**
 * Keep-alive connections, as many as requests need (up to the server's MAX_CONNECTIONS): requests
 * must queue in the server, where shedding is tested, not in this client's agent.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1000 });

interface Answer extends PostOutcome {
  ms: number;
}

async function send(i: number): Promise<Answer> {
  const d = clinic.devices[i % clinic.devices.length];
  if (d === undefined) throw new Error('no device');
  const seq = seqs.get(d.deviceId) ?? 0;
  seqs.set(d.deviceId, seq + 1);
  const body = ecgPacket(d.deviceId, seq, startMs);
  const t0 = performance.now();
  const r = await postJson(
    agent,
    `${server.base}/api/v1/vitals`,
    { 'x-api-key': d.apiKey },
    body,
    CLIENT_TIMEOUT_MS,
  );
  return { ...r, ms: performance.now() - t0 };
}

/** Sends at `ratePerS` for `seconds` on schedule, whatever the answers; resolves with them. */
async function openLoop(ratePerS: number, seconds: number): Promise<Answer[]> {
  const out: Answer[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < seconds * 1000; i++) {
    const wait = t0 + (i * 1000) / ratePerS - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      send(i).then((a) => {
        out.push(a);
      }),
    );
  }
  await Promise.all(pending);
  return out;
}
const ok2xx = (a: Answer): boolean => a.status >= 200 && a.status < 300;

// 1. The rate it carries: what it accepts per second when offered more (400/s for 5 s).
const probeStart = performance.now();
const probe = await openLoop(400, 5);
const capacityPerS = Math.max(
  (probe.filter(ok2xx).length * 1000) / (performance.now() - probeStart),
  5,
);
const offeredPerS = 3 * capacityPerS;
log(`carries ${capacityPerS.toFixed(0)}/s; offering ${offeredPerS.toFixed(0)}/s`);
await sleep(3000);

// 2. 3× for DURATION_S, open loop, with health/ready polls and RSS samples.
const probes = { health: 0, ready: 0, unanswered: 0, worstMs: 0 };
const state = { running: true };
const poller = (async () => {
  while (state.running) {
    for (const p of ['/health', '/ready'] as const) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${server.base}${p}`, { signal: AbortSignal.timeout(5000) });
        await r.arrayBuffer();
        if (p === '/health') probes.health++;
        else probes.ready++;
        probes.worstMs = Math.max(probes.worstMs, performance.now() - t0);
      } catch {
        probes.unanswered++;
      }
    }
    await sleep(500);
  }
})();
const answers = await openLoop(offeredPerS, DURATION_S);
state.running = false;
await poller;
const peakRssMb = server.peakRssMb();

// 3. Recovery: /ready 200 and a packet accepted within 10 s of the load stopping.
const stoppedAt = performance.now();
let recoveredMs = Number.NaN;
while (performance.now() - stoppedAt < 10_000) {
  const ready = await fetch(`${server.base}/ready`).catch(() => undefined);
  const a = await send(0);
  if (ready?.status === 200 && a.status === 201) {
    recoveredMs = performance.now() - stoppedAt;
    break;
  }
  await sleep(250);
}
// The server's own view (Fastify's elapsed time from the request's arrival, /metrics histogram):
// the share of accepted packets it answered within 1 s and 5 s. Client-side latency also holds
// this client's own queueing on a loaded machine.
const metrics = await (await fetch(`${server.base}/metrics`)).text();
const bucket = (le: string): number =>
  metrics
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_request_duration_seconds_bucket{') &&
        l.includes('route="/api/v1/vitals"') &&
        /status_code="2\d\d"/.test(l) &&
        l.includes(`le="${le}"`),
    )
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
const serverWithin = (le: string): string =>
  `${((100 * bucket(le)) / Math.max(1, bucket('+Inf'))).toFixed(1)} %`;
agent.destroy();
const stopT0 = performance.now();
const how = await stopGracefully(server);
const stopS = (performance.now() - stopT0) / 1000;
rmSync(dir, { recursive: true, force: true });

const accepted = answers.filter(ok2xx);
const shed = answers.filter((a) => a.status === 503 || a.status === 429);
const shedWithoutRetryAfter = shed.filter((a) => a.retryAfter === null).length;
const otherErrors = answers.filter((a) => a.status >= 500 && a.status !== 503);
const timeouts = answers.filter((a) => a.failure === 'timeout').length;
const refused = answers.filter((a) => a.failure === 'refused').length;
const clientQueued = answers.filter((a) => a.failure === 'queued').length;
const p99 = percentile(
  accepted.map((a) => a.ms),
  99,
);
if (shedWithoutRetryAfter > 0)
  failures.push(`${String(shedWithoutRetryAfter)} 503/429 without Retry-After`);
if (otherErrors.length > 0)
  failures.push(
    `${String(otherErrors.length)} other 5xx (${[...new Set(otherErrors.map((a) => a.status))].join(', ')})`,
  );
// Latency of what is accepted, as the server measures it (from arrival to answer): 95 % within
// 5 s. The client's own figure (p99, unanswered) is reported too, but this client shares the
// machine's cores with the server and adds its own queueing on a loaded machine.
const within5s = bucket('5') / Math.max(1, bucket('+Inf'));
if (within5s < 0.95)
  failures.push(`only ${(100 * within5s).toFixed(1)} % of accepted packets answered within 5 s`);
if (probes.unanswered > 0)
  failures.push(`${String(probes.unanswered)} /health or /ready polls unanswered within 5 s`);
if (peakRssMb > RSS_CEILING_MB)
  failures.push(
    `peak RSS ${peakRssMb.toFixed(0)} MB over the ${String(RSS_CEILING_MB)} MB ceiling`,
  );
if (Number.isNaN(recoveredMs)) failures.push('not recovered within 10 s of the load stopping');
// The graceful stop refuses queued uploads instead of draining them: exit 0 within its 10 s.
if (how !== '0')
  failures.push(`SIGTERM after the overload: exit ${how} after ${stopS.toFixed(1)} s`);

finish({
  test: `overload (3× the carried rate for ${String(DURATION_S)} s)`,
  database: 'SQLite',
  ok: failures.length === 0,
  figures: {
    carried: `${capacityPerS.toFixed(0)}/s`,
    offered: `${offeredPerS.toFixed(0)}/s (${String(answers.length)})`,
    accepted: accepted.length,
    shed: `${String(shed.length)} (all with Retry-After: ${shedWithoutRetryAfter === 0 ? 'yes' : 'no'})`,
    'other 5xx': otherErrors.length,
    'connections refused': refused,
    unanswered: timeouts,
    'not sent (client queue)': clientQueued,
    'p99 accepted': `${p99.toFixed(0)} ms (server: ${serverWithin('1')} ≤ 1 s, ${serverWithin('5')} ≤ 5 s)`,
    'peak RSS': `${peakRssMb.toFixed(0)} MB (ceiling ${String(RSS_CEILING_MB)})`,
    'health/ready': `${String(probes.health + probes.ready)} answered, worst ${probes.worstMs.toFixed(0)} ms`,
    recovered: Number.isNaN(recoveredMs) ? 'no' : `${(recoveredMs / 1000).toFixed(1)} s`,
    'SIGTERM after': `exit ${how} in ${stopS.toFixed(1)} s`,
  },
  seconds: (performance.now() - started) / 1000,
  notes: failures,
});
