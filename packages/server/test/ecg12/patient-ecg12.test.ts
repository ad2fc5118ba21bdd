import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Ecg12Classification,
  Ecg12HistoryPage,
  Ecg12StoredClassification,
  ErrorResponse,
} from '@vigil/protocol';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { E07509_HEA, E07509_MAT, E07509_SIGNAL, e07509Body, multipart } from './ecg12-fixture.js';

/** A PTB-XL record in WFDB format 16 (.hea + .dat), the trainer's fixture (CC BY 4.0, see its NOTICE). */
const ptbxl = new URL(
  '../../../signal/src/tools/fixtures/ptbxl/records500/06000/',
  import.meta.url,
);
const PTBXL_HEA = readFileSync(new URL('06000_hr.hea', ptbxl), 'utf8');
const PTBXL_DAT = new Uint8Array(readFileSync(new URL('06000_hr.dat', ptbxl)));

/** A classification made for a patient is stored with that patient and opened again. */
describe('12-lead classifications of a patient', () => {
  let t: TestApp;
  let admin: TestUser;
  let docA: TestUser;
  let docB: TestUser;
  let patA: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    docA = await createDoctor(t, admin, 'Doctor A');
    docB = await createDoctor(t, admin, 'Doctor B');
    patA = await createPatient(t, docA, 'Patient A');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (user: TestUser, url: string) =>
    t.app.inject({ method: 'GET', url, headers: user.headers });
  const upload = (user: TestUser, files: Parameters<typeof multipart>[0], fields = {}) => {
    const form = multipart(files, fields);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/record',
      headers: { ...user.headers, ...form.headers },
      payload: form.payload,
    });
  };

  it('stores a JSON classification with the patient and gives back its result and 12 leads', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: docA.headers,
      payload: e07509Body({ patient_id: patA.user.id }),
    });
    expect(res.statusCode).toBe(200);
    const answered = res.json<Ecg12Classification>();

    const list = (
      await get(docA, `/api/v1/patients/${patA.user.id}/ecg12`)
    ).json<Ecg12HistoryPage>();
    expect(list.total).toBe(1);
    expect(list.records[0]).toMatchObject({
      id: answered.id,
      patient_id: patA.user.id,
      caller_user_id: docA.user.id,
      predicted_class_name: 'C',
      success: true,
    });

    const opened = await get(patA, `/api/v1/ecg/history/${answered.id}`);
    expect(opened.statusCode).toBe(200);
    const stored = opened.json<Ecg12StoredClassification>();
    expect(stored.result).toEqual(answered);
    expect(stored.signal?.leads).toEqual([
      'I',
      'II',
      'III',
      'aVR',
      'aVL',
      'aVF',
      'V1',
      'V2',
      'V3',
      'V4',
      'V5',
      'V6',
    ]);
    expect(stored.signal?.sampling_rate_hz).toBe(500);
    const leads = stored.signal?.samples_mv ?? [];
    expect(leads.map((l) => l.length)).toEqual(Array(12).fill(5000));
    // int16 storage: every sample within one quantisation step (≤ max|x| / 32767) plus 1 µV rounding.
    for (const l of [1, 6, 11]) {
      const original = E07509_SIGNAL.map((row) => row[l] as number);
      const step = Math.max(...original.map(Math.abs)) / 32767;
      const worst = Math.max(...original.map((v, i) => Math.abs(v - (leads[l]?.[i] ?? NaN))));
      expect(worst).toBeLessThanOrEqual(step + 0.0011);
    }
  });

  it('stores an uploaded .hea + .mat record with the patient named in the form', async () => {
    const res = await upload(
      docA,
      [
        { field: 'header', filename: 'E07509.hea', content: E07509_HEA },
        { field: 'data', filename: 'E07509.mat', content: E07509_MAT },
      ],
      { height: '175', weight: '80', patient_id: patA.user.id },
    );
    expect(res.statusCode).toBe(200);
    const id = res.json<Ecg12Classification>().id;
    const list = (
      await get(docA, `/api/v1/patients/${patA.user.id}/ecg12`)
    ).json<Ecg12HistoryPage>();
    expect(list.records[0]).toMatchObject({ id, patient_id: patA.user.id, age: 71, sex: 1 });
    const stored = (await get(docA, `/api/v1/ecg/history/${id}`)).json<Ecg12StoredClassification>();
    expect(stored.signal?.samples_mv).toHaveLength(12);
    expect(stored.result?.class_name).toBe('C');
  });

  it('stores an uploaded WFDB .hea + .dat record (PTB-XL 06000) with the patient', async () => {
    const res = await upload(
      docA,
      [
        { field: 'header', filename: '06000_hr.hea', content: PTBXL_HEA },
        { field: 'data', filename: '06000_hr.dat', content: PTBXL_DAT },
      ],
      { height: '170', weight: '70', age: '60', sex: '0', patient_id: patA.user.id },
    );
    expect(res.statusCode).toBe(200);
    const id = res.json<Ecg12Classification>().id;
    const stored = (await get(patA, `/api/v1/ecg/history/${id}`)).json<Ecg12StoredClassification>();
    expect(stored.record).toMatchObject({ patient_id: patA.user.id, n_samples: 5000, age: 60 });
    // Format 16, gain 1000/mV: lead I starts at ADC 10 → 0.010 mV.
    expect(stored.signal?.samples_mv[0]?.[0]).toBeCloseTo(0.01, 3);
    const byFilter = (
      await get(docA, `/api/v1/ecg/history?patient_id=${patA.user.id}`)
    ).json<Ecg12HistoryPage>();
    expect(byFilter.total).toBe(3);
    expect(byFilter.records.map((r) => r.id)[0]).toBe(id);
  });

  it('keeps the result but not the leads of an ECG classified for nobody', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: docA.headers,
      payload: e07509Body(),
    });
    const id = res.json<Ecg12Classification>().id;
    const stored = (await get(docA, `/api/v1/ecg/history/${id}`)).json<Ecg12StoredClassification>();
    expect(stored.record.patient_id).toBeNull();
    expect(stored.result?.id).toBe(id);
    expect(stored.signal).toBeNull();
    const list = (
      await get(docA, `/api/v1/patients/${patA.user.id}/ecg12`)
    ).json<Ecg12HistoryPage>();
    expect(list.records.map((r) => r.id)).not.toContain(id);
  });

  it('hides a patient’s classifications from another doctor (404, as if absent)', async () => {
    const id = (await get(docA, `/api/v1/patients/${patA.user.id}/ecg12`)).json<Ecg12HistoryPage>()
      .records[0]?.id;
    const list = await get(docB, `/api/v1/patients/${patA.user.id}/ecg12`);
    expect(list.statusCode).toBe(404);
    expect(list.json<ErrorResponse>().code).toBe('PATIENT_NOT_FOUND');
    const one = await get(docB, `/api/v1/ecg/history/${id}`);
    expect(one.statusCode).toBe(404);
    expect(one.json<ErrorResponse>().code).toBe('ECG12_RESULT_NOT_FOUND');
    expect((await get(docB, `/api/v1/ecg/history?patient_id=${patA.user.id}`)).statusCode).toBe(
      404,
    );
  });

  it('deletes the stored results with the history (admin)', async () => {
    const id = (await get(admin, `/api/v1/patients/${patA.user.id}/ecg12`)).json<Ecg12HistoryPage>()
      .records[0]?.id;
    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/ecg/history',
      headers: admin.headers,
    });
    expect(del.json<{ deleted_count: number }>().deleted_count).toBe(4);
    expect((await get(admin, `/api/v1/ecg/history/${id}`)).statusCode).toBe(404);
    expect(
      (await get(docA, `/api/v1/patients/${patA.user.id}/ecg12`)).json<Ecg12HistoryPage>().total,
    ).toBe(0);
  });
});
