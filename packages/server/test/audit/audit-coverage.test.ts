import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';

/**
 * No route can forget the audit trail: every operation of the OpenAPI document declares
 * `config.audit` (a spec, or `false` for a route that touches no patient, user or device), and
 * every route on patient data, users or devices declares a spec. Fails when a new route is added
 * without saying how it is audited.
 */
const NOT_AUDITED = new Set([
  'GET /metrics',
  'GET /health',
  'GET /ready',
  'GET /api/v1/health',
  // Seed 002's router check: a fixed answer once the cry model loads, no patient data.
  'GET /health/test/endpoint',
  'GET /fhir/R4/metadata',
]);

/** Paths whose routes read or change patient data, users or devices. */
const PATIENT_DATA =
  /^\/fhir\/R4\/(?!metadata)|^\/(api\/v1\/)?(patients|vitals|predictions|alerts|readings|ecg|forward|history|stats|rppg|users|devices|oximetry|audit|reports)\b|^\/health\/(?!test\/endpoint$)|^\/api\/v1\/auth\/|^\/api\/(auth|records|predict|realtime|mongo)\b/;

let t: TestApp;

describe('audit coverage', () => {
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('every route of the OpenAPI document declares its audit, and patient-data routes record', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const declared = new Map(
      t.app
        .auditedRoutes()
        .map((r) => [
          `${r.method} ${r.url.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`,
          r.audit,
        ]),
    );
    const missing: string[] = [];
    const unaudited: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths))
      for (const method of Object.keys(operations)) {
        const key = `${method.toUpperCase()} ${path}`;
        checked++;
        const audit = declared.get(key);
        if (audit === undefined) missing.push(key);
        else if (audit === false && !NOT_AUDITED.has(key)) unaudited.push(key);
        else if (audit !== false && NOT_AUDITED.has(key))
          unaudited.push(`${key} (listed as not audited)`);
        if (PATIENT_DATA.test(path) && audit === false) unaudited.push(key);
      }
    expect(checked).toBeGreaterThan(60);
    expect(missing).toEqual([]);
    expect(unaudited).toEqual([]);
    expect(declared.get('GET /api/v1/audit')).toMatchObject({ action: 'audit.read' });
  });
});
