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
import { E07509_MAT, e07509MatWith, multipart, uploadE07509 } from './ecg12-fixture.js';

/** E07509.mat with one lead's samples set to 0. */
const withLeadZeroed = (lead: number): Uint8Array =>
  e07509MatWith((row) => row.map((v, l) => (l === lead ? 0 : v)));

/**
 * A clinic uploads a WFDB record whose lead II electrode was off (the recorder wrote zeros).
 * Before: 200 with `units_assessed: "relative"`, the finding "III ≠ II − I (residual 1.59):
 * leads scaled individually", voltage criteria off, and "without a measurable upright P wave in
 * II (P hidden in T, junctional or ectopic atrial)"; nothing said lead II was flat. A zeroed V1
 * gave no finding at all.
 */
describe('a 12-lead record upload with a flat lead', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Leads');
    patient = await createPatient(t, doctor, 'Patient Leads');
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (data: Uint8Array) => uploadE07509(t, doctor, patient.user.id, data);

  it('names lead II as flat, stays in mV and does not classify the rhythm from it', async () => {
    const res = await upload(withLeadZeroed(1));
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12Classification>();
    expect(body.units_assessed).toBe('mV');
    expect(body.class_name).toBe('C');
    const byCriterion = new Map(body.findings.map((f) => [f.criterion, f.text]));
    expect(byCriterion.get('LEAD_FLAT')).toBe(
      'lead II flat: disconnected electrode or lead not recorded; no criterion can fire in it',
    );
    expect(byCriterion.get('RHYTHM_UNDETERMINED')).toMatch(
      /^\d+ bpm; lead II is flat, so its P waves cannot be judged: rhythm not classified$/,
    );
    expect(byCriterion.has('UNITS_RELATIVE')).toBe(false);
    expect(byCriterion.has('CRBBB')).toBe(true);

    // Kept with the patient as answered.
    const stored = await t.app.inject({
      url: `/api/v1/ecg/history/${body.id}`,
      headers: doctor.headers,
    });
    expect(stored.statusCode).toBe(200);
    expect(JSON.stringify(stored.json())).toContain('lead II flat');
  });

  it('names a flat V1, which before went unmentioned', async () => {
    const res = await upload(withLeadZeroed(6));
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12Classification>();
    expect(body.findings.filter((f) => f.criterion === 'LEAD_FLAT').map((f) => f.text)).toEqual([
      'lead V1 flat: disconnected electrode or lead not recorded; no criterion can fire in it',
    ]);
  });

  it("refuses a lead of WFDB's missing samples naming the data file and the lead", async () => {
    // E07509 as a format-16 .dat (gain 1000/mV) whose lead II is all -32768, WFDB's "no sample".
    // Before: 400 ECG12_SIGNAL_NOT_FINITE naming `ecg_signal[0][1]`, a field the upload has not.
    const leads = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
    const mat = E07509_MAT;
    const n = (mat.length - 24) / 2 / 12;
    const view = new DataView(mat.buffer, mat.byteOffset, mat.byteLength);
    const dat = new DataView(new ArrayBuffer(n * 12 * 2));
    for (let c = 0; c < n; c++)
      for (let l = 0; l < 12; l++)
        dat.setInt16(
          2 * (c * 12 + l),
          l === 1 ? -32768 : view.getInt16(24 + 2 * (c * 12 + l), true),
          true,
        );
    const header = [
      `REC 12 500 ${n}`,
      ...leads.map((name) => `REC.dat 16 1000(0)/mV 16 0 0 0 0 ${name}`),
      '# Age: 71',
      '# Sex: Male',
    ].join('\n');
    const form = multipart(
      [
        { field: 'header', filename: 'REC.hea', content: header },
        { field: 'data', filename: 'REC.dat', content: new Uint8Array(dat.buffer) },
      ],
      { height: '175', weight: '80' },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/record',
      headers: { ...doctor.headers, ...form.headers },
      payload: form.payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'ECG12_RECORD_INVALID',
      field: 'data',
      message: `Lead II has ${n} missing samples (WFDB's invalid-sample value), the first at sample 0: the interpretation needs every sample of the 12 leads`,
    });
  });

  it('reports no flat lead for the intact record', async () => {
    const res = await upload(E07509_MAT);
    expect(res.statusCode).toBe(200);
    const criteria = res.json<Ecg12Classification>().findings.map((f) => f.criterion);
    expect(criteria).not.toContain('LEAD_FLAT');
  });
});
