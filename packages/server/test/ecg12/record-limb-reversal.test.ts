import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ecg12Classification } from '@vigil/protocol';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import {
  E07509_MAT,
  E07509_SIGNAL,
  e07509Body,
  e07509MatWith,
  uploadE07509,
} from './ecg12-fixture.js';

/** E07509 as recorded with the left- and right-arm electrodes interchanged: I → −I, II ↔ III, aVR ↔ aVL, aVF and V1–V6 unchanged. */
const armsSwapped = ([i = 0, ii = 0, iii = 0, avr = 0, avl = 0, ...rest]: number[]): number[] => [
  -i,
  iii,
  ii,
  avl,
  avr,
  ...rest,
];

/**
 * A clinic uploads a 12-lead record taken with the arm electrodes interchanged, the commonest
 * technical error of 12-lead recording. Before: 200 with no word of it; lead I inverted read as
 * an axis of 76° instead of 104°, as a real patient's ECG.
 */
describe('a 12-lead record with the arm electrodes interchanged', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Electrodes');
    patient = await createPatient(t, doctor, 'Patient Electrodes');
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (data: Uint8Array) => uploadE07509(t, doctor, patient.user.id, data);

  it('names the LA/RA interchange first, says why it is not dextrocardia, and keeps it with the patient', async () => {
    const res = await upload(e07509MatWith(armsSwapped));
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12Classification>();
    expect(body.findings[0]).toEqual({
      class: 'NOTE',
      criterion: 'LIMB_REVERSAL',
      text: 'LA/RA electrode reversal suspected: QRS of I opposite to V6 (cosine -0.81), aVR with it (0.25), P inverted in I, P upright in aVR; with LA/RA swapped back the limb leads agree with V1–V6 (score 1.41 against -0.93 as recorded); V6 R-dominant (R/(R+S) 0.85) as in a left-sided heart, unlike dextrocardia, whose R waves fall from V1 to V6. Check the limb electrodes and repeat the recording: axis and limb-lead findings may be wrong',
    });
    // The RBBB, read from the precordial leads, is still found.
    expect(body.findings.map((f) => f.criterion)).toContain('CRBBB');

    const stored = await t.app.inject({
      url: `/api/v1/ecg/history/${body.id}`,
      headers: doctor.headers,
    });
    expect(stored.statusCode).toBe(200);
    expect(JSON.stringify(stored.json())).toContain('LA/RA electrode reversal suspected');
  });

  it('names it for the JSON signal too', async () => {
    const swapped = E07509_SIGNAL.map(armsSwapped);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: doctor.headers,
      payload: e07509Body({ ecg_signal: swapped, patient_id: patient.user.id }),
    });
    expect(res.statusCode).toBe(200);
    const findings = res.json<Ecg12Classification>().findings;
    expect(findings.find((f) => f.criterion === 'LIMB_REVERSAL')?.text).toMatch(
      /^LA\/RA electrode reversal suspected: QRS of I opposite to V6/,
    );
  });

  it('reports no reversal for the record as taken', async () => {
    const res = await upload(E07509_MAT);
    expect(res.statusCode).toBe(200);
    const criteria = res.json<Ecg12Classification>().findings.map((f) => f.criterion);
    expect(criteria).not.toContain('LIMB_REVERSAL');
  });
});
