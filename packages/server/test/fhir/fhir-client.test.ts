import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';
import { buildFhirWorld, type FhirWorld } from './fhir-world.js';

interface Bundle {
  resourceType: 'Bundle';
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: { resource: { resourceType: string; id: string; effectiveDateTime?: string } }[];
}

let t: TestApp;
let w: FhirWorld;
let baseUrl: string;

describe('a FHIR client library (fhir-kit-client) against a listening Vigil', () => {
  beforeAll(async () => {
    t = await createTestApp();
    w = await buildFhirWorld(t, 25);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `${address}/fhir/R4`;
  });
  afterAll(async () => {
    await t.close();
  });

  it("reads a patient's heart rates page by page through the next links (10, 10, 5)", async () => {
    const client = new Client({ baseUrl, bearerToken: w.patA.token });
    const capability = (await client.capabilityStatement()) as unknown as { fhirVersion: string };
    expect(capability.fhirVersion).toBe('4.0.1');

    let page = (await client.search({
      resourceType: 'Observation',
      searchParams: {
        patient: `Patient/${w.patA.user.id}`,
        code: 'http://loinc.org|8867-4',
        _count: 10,
      },
    })) as Bundle;
    const sizes: number[] = [];
    const times: number[] = [];
    for (;;) {
      expect(page.total).toBe(25);
      sizes.push(page.entry?.length ?? 0);
      for (const e of page.entry ?? []) times.push(Date.parse(e.resource.effectiveDateTime ?? ''));
      const next = client.nextPage({ bundle: page as never });
      if (next === undefined) break;
      page = (await next) as Bundle;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(times).toEqual(Array.from({ length: 25 }, (_, k) => w.base + (24 - k) * 1000));
  });

  it('reads the patient and gets a not-found error for another patient', async () => {
    const client = new Client({ baseUrl, bearerToken: w.patA.token });
    const me = (await client.read({ resourceType: 'Patient', id: w.patA.user.id })) as unknown as {
      id: string;
    };
    expect(me.id).toBe(w.patA.user.id);
    await expect(
      client.read({ resourceType: 'Patient', id: w.patB.user.id }),
    ).rejects.toMatchObject({
      response: { status: 404 },
    });
  });
});
