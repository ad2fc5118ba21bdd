import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFhirWorld, type FhirWorld } from '../fhir/fhir-world.js';
import { createPatient, createTestApp, type TestApp, type TestUser } from '../helpers/index.js';

/**
 * A clinic hands a chest patch on to the next patient (PUT the device's `patient_id`). The
 * packets it sent while the first patient wore it stay that patient's: their heart-rate history,
 * FHIR Observations and reports were read through the patient's devices *now*, so the moved
 * device's rows vanished from all three (the rows were still stored, with the first patient's
 * id). The next patient sees none of them.
 */
describe('a device moved to another patient', () => {
  let t: TestApp;
  let w: FhirWorld;
  let next: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildFhirWorld(t);
    next = await createPatient(t, w.docA, 'Next Patient');
    const moved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/devices/${w.devA.id}`,
      headers: w.docA.headers,
      payload: { patient_id: next.user.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const history = (patient: TestUser) =>
    t.app.inject({
      url: `/api/v1/patients/${patient.user.id}/heart-rate?from=${w.base - 1000}&to=${w.base + 60_000}`,
      headers: w.docA.headers,
    });

  it("keeps the first patient's heart-rate history from it, and gives the next patient none", async () => {
    const first = (await history(w.patA)).json<{ observations: { bpm: number }[] }>();
    expect(first.observations).toHaveLength(w.packets);
    expect(first.observations.every((o) => o.bpm === 70)).toBe(true);
    const second = (await history(next)).json<{ observations: unknown[] }>();
    expect(second.observations).toEqual([]);
  });

  it("keeps the first patient's FHIR heart-rate Observations from it", async () => {
    const res = await t.app.inject({
      url: `/fhir/R4/Observation?patient=${w.patA.user.id}&code=http://loinc.org|8867-4&_count=100&_total=accurate`,
      headers: w.docA.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ total: number }>().total).toBe(w.packets);
    const other = await t.app.inject({
      url: `/fhir/R4/Observation?patient=${next.user.id}&code=http://loinc.org|8867-4&_total=accurate`,
      headers: w.docA.headers,
    });
    expect(other.json<{ total: number }>().total).toBe(0);
  });

  it("keeps the packets in the first patient's report of the period", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${w.patA.user.id}/reports`,
      headers: w.docA.headers,
      payload: { period_start: w.base, period_end: w.base + 60_000, title: 'Before the hand-over' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const content = res.json<{
      content: { devices: string[]; packets: number; heart_rate: { count: number; mean: number } };
    }>().content;
    expect(content.devices).toEqual([w.devA.device_id]);
    expect(content.packets).toBe(w.packets);
    expect(content.heart_rate.count).toBe(w.packets);
    // The packets say 70 bpm; the report's mean is weighted by the time each reading holds.
    expect(content.heart_rate.mean).toBeCloseTo(70, 0);
  });

  it("keeps the first patient's readings when the next patient retires it (DELETE)", async () => {
    const byPatient = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${w.devA.id}`,
      headers: next.headers,
    });
    expect(byPatient.statusCode, byPatient.body).toBe(204);
    expect((await history(w.patA)).json<{ observations: unknown[] }>().observations).toHaveLength(
      w.packets,
    );
  });
});
