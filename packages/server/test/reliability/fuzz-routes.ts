/**
 * `npm run test:reliability`, first part: a property-based fuzzer (fast-check) over every route
 * of the served OpenAPI document. Each request picks a route and method, fills its path
 * parameters with real ids (own and another clinic's), random strings or nothing, sends a valid
 * or hostile JSON body (random values, deep nesting, `__proto__` keys, numbers like 1e309) and a
 * credential of every kind (none, garbage, admin, doctor, patient, another clinic's doctor, a
 * device key), through `app.inject`. It asserts: no 5xx, and every 4xx in the error catalogue's
 * shape `{code, message, statusCode[, field]}` with a catalogued code and the status it declares.
 * Bounded: RELIABILITY_FUZZ_REQUESTS requests (default 20,000) on an in-memory SQLite database
 * (or DATABASE_URL's PostgreSQL). Prints its result line for run.ts and exits 1 on any failure.
 */
import { ERROR_CATALOGUE } from '@vigil/protocol';
import fc from 'fast-check';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
} from '../helpers/index.js';
import { finish } from './harness.js';

const REQUESTS = Number(process.env.RELIABILITY_FUZZ_REQUESTS ?? 20_000);
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20_261_204);

interface Route {
  method: string;
  path: string;
}

const t = await createTestApp();
const admin = await createAdmin(t);
const doctor = await createDoctor(t, admin);
const patient = await createPatient(t, doctor);
const otherDoctor = await createDoctor(t, admin, 'Dr Other');
const otherPatient = await createPatient(t, otherDoctor, 'Other Pat');
const device = await registerDevice(t, doctor, { patientId: patient.user.id, deviceId: 'FUZZ-1' });
const otherDevice = await registerDevice(t, otherDoctor, {
  patientId: otherPatient.user.id,
  deviceId: 'FUZZ-2',
});

const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
const routes: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    // The WebSocket upgrade is exercised by the WebSocket tests, not by plain requests.
    .filter(() => !path.endsWith('/ws'))
    .map((m) => ({ method: m.toUpperCase(), path })),
);

const credentials: Record<string, Record<string, string>> = {
  none: {},
  garbage: { authorization: 'Bearer not.a.token' },
  admin: admin.headers,
  doctor: doctor.headers,
  patient: patient.headers,
  otherDoctor: otherDoctor.headers,
  device: { 'x-api-key': device.api_key },
  otherDevice: { 'x-api-key': otherDevice.api_key },
};

const idValue = fc.oneof(
  fc.constantFrom(
    patient.user.id,
    otherPatient.user.id,
    doctor.user.id,
    device.id,
    otherDevice.id,
    'FUZZ-1',
    'FUZZ-2',
  ),
  fc.string({ maxLength: 40 }),
  // '%00' is sent encoded (a literal "%00"); 'a\u0000b' reaches the route as U+0000, which
  // PostgreSQL text cannot hold (36 requests answered 500 with it before the validator refused it).
  fc.constantFrom('', '..', '%00', 'a\u0000b', '9'.repeat(400), "'; drop table users; --"),
);

const nasty = fc.constantFrom(
  '{"__proto__":{"role":"admin"}}',
  '{"a":{"constructor":{"prototype":{"x":1}}}}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  '{"heart_rate_bpm":1e309,"timestamp":-1e400}',
  '{"email":',
  '\uFFFF\uD800',
  '{"email":"a\\u0000@example.test","name":"\\u0000","patient_id":"\\u0000"}',
  'null',
  '[]',
  '"string"',
);
const body = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  nasty,
  fc.constant(undefined),
);

const request = fc.record({
  route: fc.constantFrom(...routes),
  credential: fc.constantFrom(...Object.keys(credentials)),
  id: idValue,
  body,
  query: fc.dictionary(
    fc.constantFrom(
      'limit',
      'offset',
      'cursor',
      'state',
      'from',
      'to',
      'patient_id',
      'role',
      // FHIR search parameters (/fhir/R4)
      '_count',
      '_cursor',
      'patient',
      'code',
      'date',
      '_lastUpdated',
    ),
    fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constant('a\u0000b')),
    { maxKeys: 3 },
  ),
});

const statuses = new Map<number, number>();
let sent = 0;
const failures: string[] = [];
const started = performance.now();

await fc
  .assert(
    fc.asyncProperty(request, async (r) => {
      const url = r.route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.id));
      const qs = new URLSearchParams(r.query).toString();
      const res = await t.app.inject({
        method: r.route.method as 'GET',
        url: qs === '' ? url : `${url}?${qs}`,
        headers: {
          ...credentials[r.credential],
          ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(r.body === undefined ? {} : { payload: r.body }),
      });
      sent++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const where = `${r.route.method} ${url} as ${r.credential}`;
      if (res.statusCode >= 500) {
        failures.push(`${where}: ${String(res.statusCode)} ${res.body.slice(0, 200)}`);
        return false;
      }
      if (res.statusCode >= 400 && url.startsWith('/fhir/')) {
        // FHIR routes answer errors as OperationOutcome: the catalogue code is the issue's
        // details coding, with the status the catalogue declares.
        const o = res.json<{
          resourceType?: string;
          issue?: { details?: { coding?: { code?: string }[]; text?: string } }[];
        }>();
        const code = o.issue?.[0]?.details?.coding?.[0]?.code;
        const entry =
          code === undefined ? undefined : ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE];
        if (o.resourceType !== 'OperationOutcome' || entry?.status !== res.statusCode) {
          failures.push(
            `${where}: ${String(res.statusCode)} not an OperationOutcome of the catalogue: ${res.body.slice(0, 200)}`,
          );
          return false;
        }
      } else if (res.statusCode >= 400) {
        const e = res.json<{ code?: string; message?: string; statusCode?: number }>();
        const entry =
          e.code === undefined
            ? undefined
            : ERROR_CATALOGUE[e.code as keyof typeof ERROR_CATALOGUE];
        const ok =
          entry !== undefined &&
          typeof e.message === 'string' &&
          e.statusCode === res.statusCode &&
          entry.status === res.statusCode;
        if (!ok) {
          failures.push(
            `${where}: ${String(res.statusCode)} not in the catalogue shape: ${res.body.slice(0, 200)}`,
          );
          return false;
        }
      }
      return true;
    }),
    { numRuns: REQUESTS, seed: SEED, endOnFailure: true },
  )
  .catch(() => undefined);

const seconds = (performance.now() - started) / 1000;
await t.close();
const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
const dist = [...statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${String(s)}:${String(c)}`);
finish({
  test: `route fuzzer (fast-check, seed ${String(SEED)})`,
  database: process.env.DATABASE_URL === undefined ? 'SQLite' : 'PostgreSQL',
  ok: failures.length === 0 && sent === REQUESTS,
  figures: {
    routes: routes.length,
    requests: sent,
    '5xx': fiveXx,
    'outside the catalogue shape': failures.filter((f) => f.includes('catalogue shape')).length,
    statuses: dist.join(' '),
  },
  seconds,
  notes: failures,
});
