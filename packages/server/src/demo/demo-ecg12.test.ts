import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ecg12HistoryPage, Ecg12StoredClassification } from '@vigil/protocol';
import { createTestApp, type TestApp } from '../../test/helpers/index.js';
import { DEMO_CLINIC, seedDemoClinic } from './demo-clinic.js';
import { DEMO_ECG12_PATIENT, seedDemoEcg12 } from './demo-ecg12.js';

const passwords = Object.fromEntries(
  DEMO_CLINIC.map((d) => [d.email, `demo-pass-${d.email.length}9`]),
);

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('demo 12-lead classification', () => {
  it("stores one classification of E07509 (RBBB) on Ben Carter's page, once", async () => {
    const { users, devices, ecg12 } = t.container.services;
    const clinic = await seedDemoClinic({
      users,
      devices,
      passwords,
      patientPassword: 'patient-pass-42',
    });
    const id = await seedDemoEcg12(ecg12, clinic);
    expect(await seedDemoEcg12(ecg12, clinic)).toBe(id); // a restart adds nothing

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'doctor@vigil.local', password: passwords['doctor@vigil.local'] },
    });
    const headers = {
      authorization: `Bearer ${login.json<{ access_token: string }>().access_token}`,
    };
    const ben = clinic.doctors[0]?.patients.find((p) => p.name === DEMO_ECG12_PATIENT);
    const list = await t.app.inject({ url: `/api/v1/patients/${ben?.id ?? ''}/ecg12`, headers });
    const page = list.json<Ecg12HistoryPage>();
    expect(page.total).toBe(1);
    expect(page.records[0]).toMatchObject({ id, predicted_class_name: 'C', age: 71, sex: 1 });
    const stored = (
      await t.app.inject({ url: `/api/v1/ecg/history/${id}`, headers })
    ).json<Ecg12StoredClassification>();
    expect(stored.signal?.samples_mv).toHaveLength(12);
    expect(stored.result?.findings.some((f) => /RBBB/.test(f.criterion))).toBe(true);
  });
});
