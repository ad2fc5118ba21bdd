/**
 * bench/ecg12: the server path of a 12-lead classification, against the interpretation alone in
 * the same run. A real 10 s, 500 Hz record (CinC 2021 E07509, committed with its CC BY 4.0
 * notice) is sent as the seed's JSON body (5000 × 12 numbers, 3 decimals, ~0.4 MB) through
 * `app.inject` — body parsing, the service's check of the matrix, `interpretEcg12`, the history
 * write (and, with a patient, the result and its int16 leads) into a file SQLite database (WAL,
 * like the server) or a PostgreSQL schema — and the parts are timed on their own:
 *
 * - `JSON.parse` of the body string, `normalizeEcg12Body` (schema + matrix check), and
 *   `interpretEcg12` (the baseline: what the signal bench measures);
 * - one request: `POST /api/v1/ecg/classify` without and with `patient_id`;
 * - a batch of 100 (`POST /api/v1/ecg/classify/batch`, ~40 MB of JSON), median of `--batches`.
 *
 *   npm run bench:ecg12-server                 (add DATABASE_URL=… for PostgreSQL)
 *   npm run bench:ecg12-server -- --rounds 300 --batches 5
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { interpretEcg12 } from '../../packages/signal/src/ecg12/interpret-ecg12.js';
import { decodeEcg12Record } from '../../packages/signal/src/io/index.js';
import { normalizeEcg12Body } from '../../packages/server/src/services/ecg12-input.js';
import { createBenchApp } from '../common/bench-app.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    batches: { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(values.rounds);
const BATCHES = Number(values.batches);

const fixture = new URL('../../packages/signal/src/io/fixtures/cinc2021/', import.meta.url);
const record = decodeEcg12Record(
  readFileSync(new URL('E07509.hea', fixture), 'utf8'),
  new Uint8Array(readFileSync(new URL('E07509.mat', fixture))),
);
const ecgSignal = Array.from({ length: record.leadsMv[0]?.length ?? 0 }, (_, i) =>
  record.leadsMv.map((lead) => Math.round((lead[i] ?? 0) * 1000) / 1000),
);
const body = { age: 71, sex: 1, height: 175, weight: 80, heart_axis: 'MID', ecg_signal: ecgSignal };

const bench = await createBenchApp('ecg12');
const { app, container } = bench;
const { services } = container;

const q = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const f = (v: number): string => v.toFixed(1).padStart(8);

try {
  const email = `bench-${randomBytes(3).toString('hex')}@example.test`;
  await services.auth.bootstrapAdmin(email, 'bench-password-1');
  const admin = await services.auth.login(email, 'bench-password-1');
  const headers = {
    authorization: `Bearer ${admin.access_token}`,
    'content-type': 'application/json',
  };
  const adminActor = { id: admin.user.id, role: admin.user.role, email };
  const doctor = await services.users.create(adminActor, {
    email: `doc-${randomBytes(3).toString('hex')}@example.test`,
    name: 'Bench Doctor',
    password: 'bench-password-3',
    role: 'doctor',
  });
  const patient = await services.users.create(
    { id: doctor.id, role: 'doctor', email: doctor.email },
    {
      email: `pat-${randomBytes(3).toString('hex')}@example.test`,
      name: 'Bench Patient',
      password: 'bench-password-2',
      role: 'patient',
    },
  );
  const single = JSON.stringify(body);
  const forPatient = JSON.stringify({ ...body, patient_id: patient.id });
  const batch = JSON.stringify({ samples: Array.from({ length: 100 }, () => body) });

  const post = async (url: string, payload: string): Promise<void> => {
    const res = await app.inject({ method: 'POST', url, headers, payload });
    if (res.statusCode !== 200)
      throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  };

  const parts = { parse: [] as number[], check: [] as number[], interpret: [] as number[] };
  const requests = { plain: [] as number[], patient: [] as number[] };
  // Warm-up (JIT, prepared statements), not timed.
  for (let i = 0; i < 5; i++) {
    await post('/api/v1/ecg/classify', single);
    await post('/api/v1/ecg/classify', forPatient);
  }
  let singleCpu = 0;
  let patientCpu = 0;
  let interpretOnlyCpu = 0;
  const cpuOf = (since: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    const parsed: unknown = JSON.parse(single);
    parts.parse.push(performance.now() - t);
    t = performance.now();
    const input = normalizeEcg12Body(parsed);
    parts.check.push(performance.now() - t);
    t = performance.now();
    let c = process.cpuUsage();
    interpretEcg12(input.leadsMv, { samplingRateHz: 500, age: 71, sex: 'male' });
    parts.interpret.push(performance.now() - t);
    interpretOnlyCpu += cpuOf(c);
    t = performance.now();
    c = process.cpuUsage();
    await post('/api/v1/ecg/classify', single);
    requests.plain.push(performance.now() - t);
    singleCpu += cpuOf(c);
    t = performance.now();
    c = process.cpuUsage();
    await post('/api/v1/ecg/classify', forPatient);
    requests.patient.push(performance.now() - t);
    patientCpu += cpuOf(c);
  }
  const batchMs: number[] = [];
  const interpret100: number[] = [];
  const batchCpu: number[] = [];
  const interpretCpu: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  for (let b = 0; b < BATCHES; b++) {
    let t = performance.now();
    let c = process.cpuUsage();
    await post('/api/v1/ecg/classify/batch', batch);
    batchMs.push(performance.now() - t);
    batchCpu.push(cpuMs(c));
    const input = normalizeEcg12Body(JSON.parse(single));
    t = performance.now();
    c = process.cpuUsage();
    for (let i = 0; i < 100; i++)
      interpretEcg12(input.leadsMv, { samplingRateHz: 500, age: 71, sex: 'male' });
    interpret100.push(performance.now() - t);
    interpretCpu.push(cpuMs(c));
  }
  for (const a of [
    ...Object.values(parts),
    ...Object.values(requests),
    batchMs,
    interpret100,
    batchCpu,
    interpretCpu,
  ])
    a.sort((x, y) => x - y);

  const base50 = q(parts.interpret, 0.5);
  const base99 = q(parts.interpret, 0.99);
  console.log(
    `12-lead server path, ${ROUNDS} rounds on ${container.database.dialect === 'sqlite' ? 'SQLite (file, WAL)' : 'PostgreSQL'}; body ${(single.length / 1e6).toFixed(2)} MB, batch ${(batch.length / 1e6).toFixed(1)} MB`,
  );
  console.log('                                          p50 ms    p99 ms   p50 / interpret');
  const row = (label: string, a: number[]): void => {
    console.log(
      `${label.padEnd(40)} ${f(q(a, 0.5))}  ${f(q(a, 0.99))}   ${(q(a, 0.5) / base50).toFixed(2)}`,
    );
  };
  row('JSON.parse of the body', parts.parse);
  row('normalizeEcg12Body (schema + matrix)', parts.check);
  row('interpretEcg12 (baseline)', parts.interpret);
  row('POST /ecg/classify (inject)', requests.plain);
  row('POST /ecg/classify with patient_id', requests.patient);
  console.log(
    `${'batch of 100 (inject), median'.padEnd(40)} ${f(q(batchMs, 0.5))}  (slowest ${batchMs.at(-1)?.toFixed(0) ?? '?'} ms; 100 × interpretEcg12 in the same run ${q(interpret100, 0.5).toFixed(0)} ms, ratio ${(q(batchMs, 0.5) / q(interpret100, 0.5)).toFixed(2)})`,
  );
  console.log(
    `${'batch of 100, process CPU ms, median'.padEnd(40)} ${f(q(batchCpu, 0.5))}  (100 × interpretEcg12 ${q(interpretCpu, 0.5).toFixed(0)} ms CPU, ratio ${(q(batchCpu, 0.5) / q(interpretCpu, 0.5)).toFixed(2)}; CPU time is less sensitive to machine load)`,
  );
  console.log(
    `${'one request, process CPU ms, mean'.padEnd(40)} ${f(singleCpu / ROUNDS)}  (with patient_id ${(patientCpu / ROUNDS).toFixed(1)}; interpretEcg12 alone ${(interpretOnlyCpu / ROUNDS).toFixed(1)})`,
  );
  console.log(
    `interpretEcg12 p99 ${base99.toFixed(1)} ms; load average (1 min): ${loadavg()[0]?.toFixed(1) ?? '?'}`,
  );
} finally {
  await bench.close();
}
