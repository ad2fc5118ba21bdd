import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/index.js';
import { buildFhirWorld, type FhirWorld } from './fhir-world.js';

interface Bundle {
  resourceType: 'Bundle';
  type: string;
  total: number;
  link: { relation: string; url: string }[];
  entry?: { fullUrl: string; resource: Resource }[];
}
interface Resource {
  resourceType: string;
  id: string;
  effectiveDateTime?: string;
  effectivePeriod?: { start: string };
  code?: { coding: { system: string; code: string }[] };
  valueQuantity?: { value: number; code: string };
  [key: string]: unknown;
}

let t: TestApp;
let w: FhirWorld;

async function get(path: string, user?: TestUser) {
  const res = await t.app.inject({ url: path, headers: user?.headers ?? {} });
  return {
    status: res.statusCode,
    type: res.headers['content-type'],
    body: res.json<Bundle & Resource>(),
  };
}

/** Follows `next` links from `path`; returns every page. */
async function allPages(path: string, user: TestUser): Promise<Bundle[]> {
  const pages: Bundle[] = [];
  let url: string | undefined = path;
  while (url !== undefined) {
    const res = await get(url, user);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    const next = res.body.link.find((l) => l.relation === 'next')?.url;
    url = next === undefined ? undefined : new URL(next).pathname + new URL(next).search;
    expect(pages.length).toBeLessThan(100);
  }
  return pages;
}

const iso = (ms: number) => new Date(ms).toISOString();
const effective = (r: Resource) =>
  Date.parse(r.effectiveDateTime ?? r.effectivePeriod?.start ?? '');

describe('FHIR R4 API', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await buildFhirWorld(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves a public CapabilityStatement listing the six resource types as application/fhir+json', async () => {
    const res = await get('/fhir/R4/metadata');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/fhir+json; charset=utf-8');
    expect(res.body.resourceType).toBe('CapabilityStatement');
    const rest = (res.body as unknown as { rest: { resource: { type: string }[] }[] }).rest[0];
    expect(rest?.resource.map((r) => r.type)).toEqual([
      'Patient',
      'Practitioner',
      'Device',
      'Observation',
      'DiagnosticReport',
      'AuditEvent',
    ]);
  });

  it('pages the heart rates of a patient newest first with total and next links (_count=7: 7,7,7,7,2)', async () => {
    const pages = await allPages(
      `/fhir/R4/Observation?patient=Patient/${w.patA.user.id}&code=http://loinc.org|8867-4&_count=7`,
      w.docA,
    );
    expect(pages.map((p) => p.entry?.length ?? 0)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.every((p) => p.total === w.packets && p.type === 'searchset')).toBe(true);
    const items = pages.flatMap((p) => p.entry ?? []).map((e) => e.resource);
    expect(items.map(effective)).toEqual(
      Array.from({ length: w.packets }, (_, k) => w.base + (w.packets - 1 - k) * 1000),
    );
    expect(new Set(items.map((r) => r.id)).size).toBe(w.packets);
    expect(
      items.every((r) => r.valueQuantity?.value === 70 && r.valueQuantity.code === '/min'),
    ).toBe(true);
  });

  it('leaves total out with _total=none and keeps it so along the next links', async () => {
    const pages = await allPages(
      `/fhir/R4/Observation?patient=${w.patA.user.id}&code=8867-4&_count=12&_total=none`,
      w.docA,
    );
    expect(pages.map((p) => p.entry?.length ?? 0)).toEqual([12, 12, 6]);
    expect(pages.every((p) => !('total' in p))).toBe(true);
  });

  it('pages every Observation of a patient exactly once across kinds (no code)', async () => {
    const pages = await allPages(
      `/fhir/R4/Observation?subject=Patient/${w.patA.user.id}&_count=13`,
      w.docA,
    );
    const items = pages.flatMap((p) => p.entry ?? []).map((e) => e.resource);
    const total = pages[0]?.total ?? -1;
    expect(items).toHaveLength(total);
    expect(new Set(items.map((r) => r.id)).size).toBe(total);
    // 5 per packet (HR, SpO2, temperature, respiratory rate, ECG strip) and the 12-lead ECG,
    // plus an HRV value for every analysis window that had one.
    const kinds = new Map<string, number>();
    for (const r of items)
      kinds.set(r.id.split('-')[0] ?? '', (kinds.get(r.id.split('-')[0] ?? '') ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toMatchObject({
      hr: w.packets,
      spo2: w.packets,
      temp: w.packets,
      resp: w.packets,
      ecg: w.packets,
      ecg12: 1,
    });
    expect(total).toBe(5 * w.packets + 1 + (kinds.get('hrv') ?? 0));
    const times = items.map(effective);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters on date with ge/lt and gt/le (10 packets each) and on _lastUpdated', async () => {
    const hr = `/fhir/R4/Observation?patient=${w.patA.user.id}&code=8867-4`;
    const a = await get(
      `${hr}&date=ge${iso(w.base + 10_000)}&date=lt${iso(w.base + 20_000)}`,
      w.docA,
    );
    expect(a.body.total).toBe(10);
    expect(a.body.entry?.map((e) => effective(e.resource)).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => w.base + (10 + k) * 1000),
    );
    const b = await get(
      `${hr}&date=gt${iso(w.base + 10_000)}&date=le${iso(w.base + 20_000)}`,
      w.docA,
    );
    expect(b.body.entry?.map((e) => effective(e.resource)).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => w.base + (11 + k) * 1000),
    );
    // A whole-minute precision value is the whole minute: eq to the base's minute holds all 30.
    const minute = iso(w.base).slice(0, 16) + 'Z';
    expect((await get(`${hr}&date=${minute}`, w.docA)).body.total).toBe(30);
    expect((await get(`${hr}&date=gt${minute}`, w.docA)).body.total).toBe(0);
    const later = iso(t.clock.now() + 3_600_000);
    expect((await get(`${hr}&_lastUpdated=gt${later}`, w.docA)).body.total).toBe(0);
    expect((await get(`${hr}&_lastUpdated=lt${later}`, w.docA)).body.total).toBe(30);
  });

  it('reads each Observation of a search by id, identical', async () => {
    const bundle = await get(`/fhir/R4/Observation?patient=${w.patA.user.id}&_count=6`, w.patA);
    for (const entry of bundle.body.entry ?? []) {
      const read = await get(`/fhir/R4/Observation/${entry.resource.id}`, w.patA);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(entry.resource);
    }
  });

  it('gives the 12-lead interpretation as a DiagnosticReport whose result is the 12-lead Observation', async () => {
    const bundle = await get(`/fhir/R4/DiagnosticReport?patient=${w.patA.user.id}`, w.patA);
    expect(bundle.body.total).toBe(1);
    const report = bundle.body.entry?.[0]?.resource as Resource & {
      result: { reference: string }[];
    };
    expect(report.id).toBe(w.ecg12Id);
    expect(report.result).toEqual([{ reference: `Observation/ecg12-${w.ecg12Id}` }]);
    const obs = await get(`/fhir/R4/${report.result[0]?.reference ?? ''}`, w.patA);
    const components = obs.body.component as {
      code: { coding: { code: string }[] };
      valueSampledData: { data: string; period: number };
    }[];
    expect(components.map((c) => c.code.coding[0]?.code)).toEqual([
      '131329',
      '131330',
      '131389',
      '131390',
      '131391',
      '131392',
      '131331',
      '131332',
      '131333',
      '131334',
      '131335',
      '131336',
    ]);
    expect(components[0]?.valueSampledData.period).toBe(2);
    expect(components[0]?.valueSampledData.data.split(' ')).toHaveLength(5000);
  });

  it("answers 404 OperationOutcome for another doctor's patient, their data and unknown ids alike", async () => {
    const hr = (await get(`/fhir/R4/Observation?patient=${w.patA.user.id}&_count=1`, w.docA)).body
      .entry?.[0]?.resource.id;
    for (const path of [
      `/fhir/R4/Patient/${w.patA.user.id}`,
      `/fhir/R4/Observation/${hr ?? ''}`,
      `/fhir/R4/Device/${w.devA.id}`,
      `/fhir/R4/DiagnosticReport/${w.ecg12Id}`,
      `/fhir/R4/Observation?patient=${w.patA.user.id}`,
      '/fhir/R4/Patient/00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await get(path, w.docB);
      expect(res.status, path).toBe(404);
      expect(res.type).toBe('application/fhir+json; charset=utf-8');
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(res.body)).not.toContain('Patient A');
    }
  });

  it('refuses a search parameter it does not implement with 400 naming it', async () => {
    const res = await get(
      `/fhir/R4/Observation?patient=${w.patA.user.id}&category=vital-signs`,
      w.docA,
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', expression: ['category'] }],
    });
    for (const [query, field] of [
      ['date=ap2026-01-01', 'date'],
      ['date=ge2026-13-01', 'date'],
      ['_count=0', '_count'],
      ['_cursor=nonsense', '_cursor'],
    ] as const) {
      const bad = await get(`/fhir/R4/Observation?patient=${w.patA.user.id}&${query}`, w.docA);
      expect(bad.status, query).toBe(400);
      expect((bad.body.issue as { expression: string[] }[])[0]?.expression).toEqual([field]);
    }
    const noPatient = await get('/fhir/R4/Observation?code=8867-4', w.docA);
    expect(noPatient.status).toBe(400);
  });

  it("answers the router's own refusals under /fhir/R4 as OperationOutcome too", async () => {
    const long = await get(`/fhir/R4/Patient/${'9'.repeat(150)}`, w.docA);
    expect(long.status).toBe(400);
    expect(long.type).toBe('application/fhir+json; charset=utf-8');
    expect(long.body.resourceType).toBe('OperationOutcome');
    const unknown = await get('/fhir/R4/Encounter/1', w.docA);
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
  });

  it('answers 401 OperationOutcome without a token and to a device API key', async () => {
    const anon = await get(`/fhir/R4/Patient/${w.patA.user.id}`);
    expect(anon.status).toBe(401);
    expect(anon.body.resourceType).toBe('OperationOutcome');
    const device = await t.app.inject({
      url: `/fhir/R4/Observation?patient=${w.patA.user.id}`,
      headers: { 'x-api-key': w.devA.api_key },
    });
    expect(device.statusCode).toBe(401);
  });

  it('lists only the patients a doctor may see', async () => {
    const a = await get('/fhir/R4/Patient', w.docA);
    expect(a.body.entry?.map((e) => e.resource.id)).toEqual([w.patA.user.id]);
    expect(a.body.total).toBe(1);
    const self = await get('/fhir/R4/Patient', w.patB);
    expect(self.body.entry?.map((e) => e.resource.id)).toEqual([w.patB.user.id]);
  });
});
