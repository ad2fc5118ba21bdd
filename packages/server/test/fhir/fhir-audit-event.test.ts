import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../src/repositories/audit.repository.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/index.js';
import { buildFhirWorld, type FhirWorld } from './fhir-world.js';

/**
 * /fhir/R4/AuditEvent: the events of GET /api/v1/audit as FHIR R4 AuditEvents, for admins alone.
 * Seven events of patient A are written at known instants on 2020-01-01 (no request of the test
 * falls on that day), so searches over that day have exact answers. SQLite, and PostgreSQL with
 * DATABASE_URL.
 */
interface Bundle {
  resourceType: string;
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { fullUrl: string; resource: AuditEventResource }[];
}
interface AuditEventResource {
  resourceType: string;
  id: string;
  action: string;
  recorded: string;
  outcome: string;
  outcomeDesc: string;
  type: { system: string; code: string };
  subtype?: { system: string; code: string }[];
  agent: {
    who: { reference?: string; identifier?: { value: string } };
    role: { text: string }[];
    requestor: boolean;
    network?: { address: string; type: string };
  }[];
  source: { observer: { display: string } };
  entity: {
    what: { reference?: string; identifier?: { system: string; value: string } };
    detail?: { type: string; valueString: string }[];
  }[];
  issue?: { code: string }[];
}

let t: TestApp;
let w: FhirWorld;
const DAY = Date.UTC(2020, 0, 1);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The day's events of patient A, oldest first (event k at DAY + k minutes). */
let known: AuditEventRow[];

async function get(path: string, user?: TestUser) {
  const res = await t.app.inject({ url: path, headers: user?.headers ?? {} });
  return { status: res.statusCode, body: res.json<Bundle & AuditEventResource>() };
}

async function ids(path: string): Promise<string[]> {
  const res = await get(path, w.admin);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.entry ?? []).map((e) => e.resource.id);
}

const dayOf = (patient: string) =>
  `/fhir/R4/AuditEvent?patient=Patient/${patient}&date=ge2020-01-01&date=le2020-01-01`;

describe('FHIR R4 AuditEvent', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await buildFhirWorld(t, 5);
    const row = (
      k: number,
      action: string,
      outcome: string,
      status: number,
      actor: TestUser | null,
    ): AuditEventRow => ({
      id: `0170000${k}-0000-7000-8000-000000000000`,
      at: DAY + k * MIN,
      actor_id: actor?.user.id ?? null,
      actor_kind: actor?.user.role ?? 'anonymous',
      ip: '192.0.2.7',
      user_agent: 'audit-fhir-test/1',
      action,
      resource_type: action.split('.')[0] ?? '',
      resource_id: `res-${k}`,
      patient_id: w.patA.user.id,
      outcome,
      status,
      request_id: `req-${k}`,
      count: 1,
    });
    known = [
      row(0, 'vitals.read', 'success', 200, w.docA),
      row(1, 'report.create', 'success', 201, w.docA),
      row(2, 'report.update', 'success', 200, w.docA),
      row(3, 'report.delete', 'success', 204, w.admin),
      row(4, 'vitals.read', 'denied', 404, w.docB),
      row(5, 'auth.login', 'success', 200, w.patA),
      row(6, 'vitals.read', 'failed', 500, w.docA),
    ];
    await t.container.repositories.audit.insertBatch(known);
  });
  afterAll(async () => {
    await t.close();
  });

  it('maps an event field by field: type, subtype, action, recorded, outcome, agent, source, entities', async () => {
    const res = await get(`/fhir/R4/AuditEvent/${known[4]?.id ?? ''}`, w.admin);
    expect(res.status).toBe(200);
    const e = res.body;
    expect(e.resourceType).toBe('AuditEvent');
    expect(e.type.code).toBe('rest');
    expect(e.subtype).toEqual([
      { system: 'http://hl7.org/fhir/restful-interaction', code: 'read' },
    ]);
    expect(e.action).toBe('R');
    expect(e.recorded).toBe('2020-01-01T00:04:00.000Z');
    expect(e.outcome).toBe('4');
    expect(e.outcomeDesc).toBe('HTTP 404 (denied)');
    expect(e.agent).toHaveLength(1);
    expect(e.agent[0]?.who).toEqual({ reference: `Practitioner/${w.docB.user.id}` });
    expect(e.agent[0]?.role[0]?.text).toBe('doctor');
    expect(e.agent[0]?.requestor).toBe(true);
    expect(e.agent[0]?.network).toEqual({ address: '192.0.2.7', type: '2' });
    expect(e.source.observer.display).toMatch(/^Vigil /);
    expect(e.entity[0]?.what).toEqual({ reference: `Patient/${w.patA.user.id}` });
    expect(e.entity[1]?.what).toEqual({
      identifier: { system: 'urn:vigil:vitals', value: 'res-4' },
    });
    expect(e.entity[1]?.detail).toEqual([
      { type: 'action', valueString: 'vitals.read' },
      { type: 'http-status', valueString: '404' },
      { type: 'count', valueString: '1' },
      { type: 'request-id', valueString: 'req-4' },
      { type: 'user-agent', valueString: 'audit-fhir-test/1' },
    ]);
    // A sign-in is a DICOM user authentication, action E; a failure is outcome 8.
    const login = (await get(`/fhir/R4/AuditEvent/${known[5]?.id ?? ''}`, w.admin)).body;
    expect([login.type.code, login.subtype?.[0]?.code, login.action]).toEqual([
      '110114',
      '110122',
      'E',
    ]);
    expect(login.agent[0]?.who).toEqual({ reference: `Patient/${w.patA.user.id}` });
    const failed = (await get(`/fhir/R4/AuditEvent/${known[6]?.id ?? ''}`, w.admin)).body;
    expect(failed.outcome).toBe('8');
  });

  it('pages a patient’s events newest first by the next link (_count=3: 3, 3, 1), as GET /api/v1/audit lists them', async () => {
    const pages: string[][] = [];
    let url: string | undefined = `${dayOf(w.patA.user.id)}&_count=3`;
    while (url !== undefined) {
      const res = await get(url, w.admin);
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('searchset');
      pages.push((res.body.entry ?? []).map((e) => e.resource.id));
      const next = res.body.link.find((l) => l.relation === 'next')?.url;
      url = next === undefined ? undefined : new URL(next).pathname + new URL(next).search;
      expect(pages.length).toBeLessThan(10);
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const newestFirst = known.map((e) => e.id).reverse();
    expect(pages.flat()).toEqual(newestFirst);
    const rest = await t.app.inject({
      url: `/api/v1/audit?patient_id=${w.patA.user.id}&from=${DAY}&to=${DAY + 86_400_000}`,
      headers: w.admin.headers,
    });
    expect(rest.json<{ items: { id: string }[] }>().items.map((e) => e.id)).toEqual(newestFirst);
  });

  it('filters by date with ge, gt, le and lt at minute precision', async () => {
    const base = `/fhir/R4/AuditEvent?patient=${w.patA.user.id}`;
    const at = (k: number) => encodeURIComponent(iso(DAY + k * MIN).slice(0, 16) + 'Z');
    // A minute without seconds is the whole minute: ge 1 → events 1…; gt 1 → 2…; lt 3 → …2.
    expect(await ids(`${base}&date=ge${at(1)}&date=lt${at(3)}`)).toEqual(
      [known[2], known[1]].map((e) => e?.id),
    );
    expect(await ids(`${base}&date=gt${at(1)}&date=le${at(3)}`)).toEqual(
      [known[3], known[2]].map((e) => e?.id),
    );
    expect(await ids(`${base}&date=2020-01-02`)).toEqual([]);
  });

  it('filters by agent, action (C/R/U/D/E) and outcome (0/4/8)', async () => {
    const day = dayOf(w.patA.user.id);
    const id = (k: number) => known[k]?.id;
    expect(await ids(`${day}&agent=Practitioner/${w.docB.user.id}`)).toEqual([id(4)]);
    expect(await ids(`${day}&action=R`)).toEqual([id(6), id(4), id(0)]);
    expect(await ids(`${day}&action=C,D`)).toEqual([id(3), id(1)]);
    expect(await ids(`${day}&action=E`)).toEqual([id(5)]);
    expect(await ids(`${day}&action=U,E`)).toEqual([id(5), id(2)]);
    expect(await ids(`${day}&outcome=4`)).toEqual([id(4)]);
    expect(await ids(`${day}&outcome=8`)).toEqual([id(6)]);
    expect(await ids(`${day}&outcome=0&action=R`)).toEqual([id(0)]);
    const bad = await get(`${day}&action=X`, w.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
  });

  it('is the admin’s alone: 403 OperationOutcome for a doctor or patient, 401 without a token, 404 for an unknown id', async () => {
    for (const user of [w.docA, w.patA]) {
      for (const path of ['/fhir/R4/AuditEvent', `/fhir/R4/AuditEvent/${known[0]?.id ?? ''}`]) {
        const res = await get(path, user);
        expect(res.status, path).toBe(403);
        expect(res.body.issue?.[0]?.code).toBe('forbidden');
      }
    }
    expect((await get('/fhir/R4/AuditEvent')).status).toBe(401);
    expect(
      (await get('/fhir/R4/AuditEvent/01700009-0000-7000-8000-000000000000', w.admin)).status,
    ).toBe(404);
  });

  it('puts its own reads on record, with the patient a Patient/<id> reference names', async () => {
    const requestId = 'fhir-audit-self';
    await t.app.inject({
      url: `/fhir/R4/AuditEvent?patient=Patient/${w.patA.user.id}&_count=1`,
      headers: { ...w.admin.headers, 'x-request-id': requestId },
    });
    const denied = 'fhir-audit-denied';
    await t.app.inject({
      url: `/fhir/R4/AuditEvent/${known[0]?.id ?? ''}`,
      headers: { ...w.docA.headers, 'x-request-id': denied },
    });
    await new Promise((r) => setImmediate(r));
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list({}, 10_000);
    const search = events.filter((e) => e.request_id === requestId);
    expect(
      search.map((e) => [e.action, e.resource_type, e.patient_id, e.actor_id, e.outcome]),
    ).toEqual([['fhir.search', 'fhir.AuditEvent', w.patA.user.id, w.admin.user.id, 'success']]);
    const refused = events.filter((e) => e.request_id === denied);
    expect(
      refused.map((e) => [e.action, e.resource_id, e.patient_id, e.status, e.outcome]),
    ).toEqual([['fhir.read', known[0]?.id, w.patA.user.id, 403, 'denied']]);
  });
});
