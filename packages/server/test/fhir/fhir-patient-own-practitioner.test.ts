import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

/**
 * A reference Vigil emits resolves for the reader it was emitted to. Before: a patient's own
 * Patient resource named `generalPractitioner: Practitioner/<their doctor>`, and reading that
 * Practitioner as the patient was 404.
 */
describe("a patient reading their own doctor's Practitioner over FHIR", () => {
  let t: TestApp;
  let doctor: TestUser;
  let other: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Own');
    other = await createDoctor(t, admin, 'Dr Other');
    patient = await createPatient(t, doctor, 'Pat Own');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ url, headers: patient.headers });

  it('resolves the generalPractitioner of their Patient resource', async () => {
    const self = await get(`/fhir/R4/Patient/${patient.user.id}`);
    expect(self.statusCode, self.body).toBe(200);
    const ref = self.json<{ generalPractitioner: { reference: string }[] }>().generalPractitioner[0]
      ?.reference;
    expect(ref).toBe(`Practitioner/${doctor.user.id}`);
    const practitioner = await get(`/fhir/R4/${ref ?? ''}`);
    expect(practitioner.statusCode, practitioner.body).toBe(200);
    expect(practitioner.json()).toMatchObject({
      resourceType: 'Practitioner',
      id: doctor.user.id,
    });
    const search = await get('/fhir/R4/Practitioner');
    expect(search.statusCode, search.body).toBe(200);
    const bundle = search.json<{ total: number; entry?: { resource: { id: string } }[] }>();
    expect(bundle.total).toBe(1);
    expect(bundle.entry?.map((e) => e.resource.id)).toEqual([doctor.user.id]);
  });

  it('still gets 404 for any other doctor', async () => {
    const res = await get(`/fhir/R4/Practitioner/${other.user.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
