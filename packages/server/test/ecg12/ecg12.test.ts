import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEcg12Model } from '@vigil/signal';
import type {
  Ecg12BatchResult,
  Ecg12Classification,
  Ecg12HistoryDeleted,
  Ecg12HistoryPage,
  Ecg12Stats,
  ErrorResponse,
} from '@vigil/protocol';
import { createContainer } from '../../src/composition.js';
import { loadConfig } from '../../src/config/env.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { E07509_HEA, E07509_MAT, E07509_SIGNAL, e07509Body, multipart } from './ecg12-fixture.js';

/** 12-lead ECG classification: POST /api/v1/ecg/classify and its history. */
describe('12-lead ECG classification (/api/v1/ecg)', () => {
  let t: TestApp;
  let admin: TestUser;
  let docA: TestUser;
  let docB: TestUser;
  let patA: TestUser;
  let patB: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    docA = await createDoctor(t, admin, 'Doctor A');
    docB = await createDoctor(t, admin, 'Doctor B');
    patA = await createPatient(t, docA, 'Patient A');
    patB = await createPatient(t, docB, 'Patient B');
  });
  afterAll(async () => {
    await t.close();
  });

  const classify = (payload: unknown, user?: TestUser) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: user?.headers ?? {},
      payload: payload as object,
    });
  /** Uploads a record (.hea + its data file) with the form fields, as `user`. */
  const uploadRecord = (
    user: TestUser,
    files: { header: string; data: Uint8Array; name?: string; ext?: string },
    fields: Record<string, string> = { height: '175', weight: '80' },
  ) => {
    const name = files.name ?? 'E07509';
    const form = multipart(
      [
        { field: 'header', filename: `${name}.hea`, content: files.header },
        { field: 'data', filename: `${name}.${files.ext ?? 'mat'}`, content: files.data },
      ],
      fields,
    );
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/record',
      headers: { ...user.headers, ...form.headers },
      payload: form.payload,
    });
  };
  const history = (user: TestUser, query = '') =>
    t.app.inject({ method: 'GET', url: `/api/v1/ecg/history${query}`, headers: user.headers });

  it('classifies the real RBBB record E07509 as a conduction disturbance (class 3, C)', async () => {
    const res = await classify(e07509Body(), docA);
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12Classification>();
    expect(body).toMatchObject({ class_index: 3, class_name: 'C', units_assessed: 'mV' });
    expect(body.class_description).toBe('Conduction disturbance');
    expect(body.probabilities.CD).toBeGreaterThan(0.5);
    expect(body.measurements.qrs_ms).toBeGreaterThanOrEqual(120);
    expect(body.findings.some((f: { criterion: string }) => /RBBB/.test(f.criterion))).toBe(true);
    expect(body.model_version).toBe('vigil-ecg12-logistic-1:ptbxl500-folds1-9');
    expect(typeof body.id).toBe('string');
  });

  it('refuses a signal with 11 leads, naming the row and the expected shape', async () => {
    const signal = E07509_SIGNAL.map((row, i) => (i === 17 ? row.slice(0, 11) : row));
    const res = await classify(e07509Body({ ecg_signal: signal }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_SHAPE',
      field: 'ecg_signal[17]',
    });
    expect(res.json<ErrorResponse>().message).toMatch(/12 numbers.*got 11 values/);
  });

  // numpy's `ecg.T.tolist()` (leads × samples, as WFDB readers hand them) is the common slip;
  // before, the answer said only "got 12 rows".
  it('says a leads × samples signal is transposed', async () => {
    const transposed = Array.from({ length: 12 }, (_, l) => E07509_SIGNAL.map((row) => row[l]));
    const res = await classify(e07509Body({ ecg_signal: transposed }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_SHAPE',
      field: 'ecg_signal',
    });
    expect(res.json<ErrorResponse>().message).toContain(
      'got 12 rows of 5000 values: leads × samples; send it transposed, one row of 12 leads per sample',
    );
  });

  it('refuses a signal shorter than 5 s (rows = 5-60 s × sampling_rate_hz), naming the bounds', async () => {
    const res = await classify(e07509Body({ ecg_signal: E07509_SIGNAL.slice(0, 2000) }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_SHAPE',
      field: 'ecg_signal',
    });
    expect(res.json<ErrorResponse>().message).toMatch(
      /2500–30000 rows \(5–60 s at 500 Hz.*got 2000/,
    );
    const at1000 = await classify(
      e07509Body({ ecg_signal: E07509_SIGNAL.slice(0, 4000), sampling_rate_hz: 1000 }),
      docA,
    );
    expect(at1000.json<ErrorResponse>().message).toMatch(/5000–60000 rows.*got 4000/);
  });

  it('interprets records of 8 s and 20 s as it does the standard 10 s: same class and heart rate', async () => {
    // Before: anything but exactly 10 s × sampling_rate_hz rows was refused, though the
    // interpreter measures median beats over 5-60 s.
    const a = (await classify(e07509Body(), docA)).json<Ecg12Classification>();
    for (const signal of [E07509_SIGNAL.slice(0, 4000), [...E07509_SIGNAL, ...E07509_SIGNAL]]) {
      const res = await classify(e07509Body({ ecg_signal: signal }), docA);
      expect(res.statusCode).toBe(200);
      const b = res.json<Ecg12Classification>();
      expect(b.class_name).toBe(a.class_name);
      expect(b.measurements.qrs_ms).toBeGreaterThanOrEqual(120);
      expect(
        Math.abs((b.measurements.heart_rate_bpm ?? 0) - (a.measurements.heart_rate_bpm ?? 0)),
      ).toBeLessThan(5);
    }
  });

  it('refuses a non-finite sample (null in JSON), naming row and lead', async () => {
    const signal = E07509_SIGNAL.map((row, i) =>
      i === 17 ? row.map((v, l) => (l === 3 ? null : v)) : row,
    );
    const res = await classify(e07509Body({ ecg_signal: signal }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_NOT_FINITE',
      field: 'ecg_signal[17][3]',
    });
  });

  it('refuses a sample beyond the float32 range (1e300) with 400 naming row and lead, not a 422', async () => {
    const signal = E07509_SIGNAL.map((row, i) =>
      i === 10 ? row.map((v, l) => (l === 3 ? 1e300 : v)) : row,
    );
    const res = await classify(e07509Body({ ecg_signal: signal }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_NOT_FINITE',
      field: 'ecg_signal[10][3]',
    });
    expect(res.json<ErrorResponse>().message).toMatch(/within ±3\.4e38, got 1e\+300/);
  });

  it('refuses an unknown heart_axis, listing the allowed values', async () => {
    const res = await classify(e07509Body({ heart_axis: 'UP' }), docA);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'heart_axis',
    });
    expect(res.json<ErrorResponse>().message).toMatch(/MID/);
    // Refused requests are stored too, with their error.
    const last = (await history(docA, '?limit=1')).json<Ecg12HistoryPage>().records[0];
    expect(last).toMatchObject({
      success: false,
      error_code: 'VALIDATION_FAILED',
      heart_axis: 'UP',
      predicted_class_index: null,
    });
    const notJson = await classify([1, 2], docA);
    expect(notJson.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: '(body)',
    });
  });

  it('refuses an age of 1e-320 and a patient_id holding U+0000 naming the field, and records the refusal', async () => {
    // Found by fuzzing POST /api/v1/ecg/classify on PostgreSQL: both were 500s (the `real` age
    // column refused 1e-320; U+0000 failed the patient lookup), and a refused heart_axis "M\u0000"
    // failed the insert of the refused request itself.
    for (const [patch, field] of [
      [{ age: 1e-320 }, 'age'],
      [{ weight: 5e-324 }, 'weight'],
      [{ patient_id: 'p\u0000' }, 'patient_id'],
      [{ heart_axis: 'M\u0000' }, 'heart_axis'],
    ] as const) {
      const res = await classify(e07509Body(patch), docA);
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorResponse>()).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    const last = (await history(docA, '?limit=1')).json<Ecg12HistoryPage>().records[0];
    expect(last).toMatchObject({
      success: false,
      error_code: 'VALIDATION_FAILED',
      heart_axis: null,
    });
  });

  it('answers 422 for a flat ECG in which no beat can be measured', async () => {
    const flat = E07509_SIGNAL.map(() => Array.from({ length: 12 }, () => 0));
    const res = await classify(e07509Body({ ecg_signal: flat }), docA);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorResponse>().code).toBe('ECG12_NOT_INTERPRETABLE');
  });

  it('refuses a whole batch with 422 naming samples[i].ecg_signal when one sample cannot be interpreted, storing none as a success', async () => {
    const flat = E07509_SIGNAL.map(() => Array.from({ length: 12 }, () => 0));
    const before = (await history(docA, '?limit=1000')).json<Ecg12HistoryPage>();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/batch',
      headers: docA.headers,
      payload: { samples: [e07509Body(), e07509Body({ ecg_signal: flat, heart_axis: 'LAD' })] },
    });
    expect(res.statusCode).toBe(422);
    const body = res.json<ErrorResponse>();
    expect(body).toMatchObject({ code: 'ECG12_NOT_INTERPRETABLE', field: 'samples[1].ecg_signal' });
    expect(body.message).toMatch(/^samples\[1\]\.ecg_signal: /);
    const after = (await history(docA, '?limit=1000')).json<Ecg12HistoryPage>();
    expect(after.total).toBe(before.total + 1);
    expect(after.records[0]).toMatchObject({
      request_type: 'batch',
      success: false,
      error_code: 'ECG12_NOT_INTERPRETABLE',
      heart_axis: 'LAD',
    });
  });

  it('requires a token by default', async () => {
    expect((await classify(e07509Body())).statusCode).toBe(401);
  });

  it('scopes the history: own requests, a doctor’s patients, admin all; 404 for a hidden patient', async () => {
    expect((await classify(e07509Body({ patient_id: patA.user.id }), docB)).statusCode).toBe(404);
    const forPatient = await classify(e07509Body({ patient_id: patB.user.id }), docB);
    expect(forPatient.statusCode).toBe(200);
    const byPatient = await classify(e07509Body(), patA);
    expect(byPatient.statusCode).toBe(200);

    const a = (await history(docA)).json<Ecg12HistoryPage>();
    const aIds = a.records.map((r) => r.id);
    // Doctor A: their own requests and their patient A's, nothing of doctor B's patient.
    expect(aIds).toContain(byPatient.json<Ecg12Classification>().id);
    expect(aIds).not.toContain(forPatient.json<Ecg12Classification>().id);
    expect(
      a.records.every((r) => r.caller_user_id === docA.user.id || r.patient_id === patA.user.id),
    ).toBe(true);
    // Doctor B and patient B see the request about patient B.
    const b = (await history(docB)).json<Ecg12HistoryPage>();
    expect(b.records.map((r) => r.id)).toContain(forPatient.json<Ecg12Classification>().id);
    expect(b.records.map((r) => r.id)).not.toContain(byPatient.json<Ecg12Classification>().id);
    const pb = (await history(patB)).json<Ecg12HistoryPage>();
    expect(pb.records.map((r) => r.id)).toEqual([forPatient.json<Ecg12Classification>().id]);
    const pa = (await history(patA)).json<Ecg12HistoryPage>();
    expect(pa.total).toBe(1);
    expect(pa.records[0]).toMatchObject({
      id: byPatient.json<Ecg12Classification>().id,
      patient_id: patA.user.id,
      caller_user_id: patA.user.id,
      success: true,
      request_type: 'single',
      predicted_class_name: 'C',
      age: 71,
      sex: 1,
      heart_axis: 'MID',
      n_samples: 5000,
      sampling_rate_hz: 500,
    });

    const all = (await history(admin, '?limit=1000')).json<Ecg12HistoryPage>();
    // Doctor A's view already includes patient A's request.
    expect(all.total).toBe(a.total + b.total);
    expect(all.records.some((r) => !r.success && r.error_code === 'ECG12_SIGNAL_SHAPE')).toBe(true);
    const page = (await history(admin, '?limit=2&offset=1')).json<Ecg12HistoryPage>();
    expect(page).toMatchObject({ total: all.total, limit: 2, offset: 1 });
    expect(page.records.map((r) => r.id)).toEqual(all.records.slice(1, 3).map((r) => r.id));
    expect((await history(admin, '?limit=1001')).statusCode).toBe(400);
  });

  it('classifies a batch whose samples are all valid, each in its place', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/batch',
      headers: docA.headers,
      payload: { samples: [e07509Body(), e07509Body({ sex: 0 })] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12BatchResult>();
    expect(body).toMatchObject({ succeeded: 2, failed: 0 });
    expect(body.results.map((r) => [r.index, r.prediction.class_name, r.error])).toEqual([
      [0, 'C', null],
      [1, 'C', null],
    ]);
    const recs = (await history(docA, '?limit=2')).json<Ecg12HistoryPage>().records;
    expect(recs.map((r) => [r.request_type, r.success])).toEqual([
      ['batch', true],
      ['batch', true],
    ]);
  });

  it('refuses a whole batch with 400 naming samples[i].<field> when one sample is invalid, classifying and storing none of it as a success', async () => {
    const before = (await history(docA, '?limit=1000')).json<Ecg12HistoryPage>();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/batch',
      headers: docA.headers,
      payload: {
        samples: [e07509Body(), e07509Body({ heart_axis: 'NOPE' }), e07509Body({ sex: 2 })],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'samples[1].heart_axis',
      message:
        'samples[1].heart_axis must be one of "ALAD", "ARAD", "AXL", "AXR", "LAD", "MID", "RAD", "SAG", "NO_DATA"',
    });
    // One failed batch request with what the refused sample sent; no success, no stored result.
    const after = (await history(docA, '?limit=1000')).json<Ecg12HistoryPage>();
    expect(after.total).toBe(before.total + 1);
    expect(after.records[0]).toMatchObject({
      request_type: 'batch',
      success: false,
      error_code: 'VALIDATION_FAILED',
      error_message:
        'samples[1].heart_axis must be one of "ALAD", "ARAD", "AXL", "AXR", "LAD", "MID", "RAD", "SAG", "NO_DATA"',
      heart_axis: 'NOPE',
      predicted_class_name: null,
    });
    const found = await t.app.inject({
      method: 'GET',
      url: `/api/v1/ecg/history/${after.records[0]?.id}`,
      headers: docA.headers,
    });
    expect(found.json<{ result: unknown }>().result).toBeNull();

    // A sample about a patient the caller may not see: the batch is 404 naming it, none classified.
    const hidden = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify/batch',
      headers: docA.headers,
      payload: { samples: [e07509Body(), e07509Body({ patient_id: patB.user.id })] },
    });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json<ErrorResponse>()).toMatchObject({
      code: 'PATIENT_NOT_FOUND',
      field: 'samples[1].patient_id',
    });
    const last = (await history(docA, '?limit=1000')).json<Ecg12HistoryPage>();
    expect(last.total).toBe(before.total + 2);
    expect(last.records.filter((r) => r.success).length).toBe(
      before.records.filter((r) => r.success).length,
    );
  });

  it('classifies an uploaded record (.hea + .mat, multipart)', async () => {
    const res = await uploadRecord(docA, { header: E07509_HEA, data: E07509_MAT });
    expect(res.statusCode).toBe(200);
    expect(res.json<Ecg12Classification>()).toMatchObject({ class_index: 3, class_name: 'C' });
    const rec = (await history(docA, '?limit=1')).json<Ecg12HistoryPage>().records[0];
    expect(rec).toMatchObject({ age: 71, sex: 1, heart_axis: 'NO_DATA', n_samples: 5000 });

    const bad = await uploadRecord(docA, {
      header: E07509_HEA,
      data: E07509_MAT.subarray(0, 100),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorResponse>().code).toBe('ECG12_RECORD_INVALID');
  });

  it('refuses a record upload naming the form field or the file at fault and the rule, and records each refusal', async () => {
    // A PTB-XL header (seed 004's test records) has no '# Age:' / '# Sex:' comments.
    const bare = E07509_HEA.split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    const at200Hz = E07509_HEA.replace(/^(E07509 12) 500 /, '$1 200 ');
    const upload = async (header: string, fields: Record<string, string>) => {
      const res = await uploadRecord(docA, { header, data: E07509_MAT }, fields);
      return { status: res.statusCode, ...res.json<ErrorResponse>() };
    };
    const hw = { height: '175', weight: '80' };
    const before = (await history(admin)).json<Ecg12HistoryPage>().total;
    const cases: [string, Record<string, string>, Partial<ErrorResponse>][] = [
      [
        bare,
        { ...hw, sex: '1' },
        {
          code: 'VALIDATION_FAILED',
          field: 'age',
          message:
            "age is required: the record's header has no '# Age:' comment, so give the form field age (years)",
        },
      ],
      [
        bare,
        { ...hw, age: '71' },
        {
          code: 'VALIDATION_FAILED',
          field: 'sex',
          message:
            "sex is required: the record's header has no '# Sex:' comment, so give the form field sex (0 female, 1 male)",
        },
      ],
      [
        E07509_HEA,
        { ...hw, sex: 'X' },
        {
          code: 'VALIDATION_FAILED',
          field: 'sex',
          message: 'sex must be 0 (female) or 1 (male), got "X"',
        },
      ],
      [
        E07509_HEA,
        { weight: '80' },
        {
          code: 'VALIDATION_FAILED',
          field: 'height',
          message: 'height is required (form field, cm)',
        },
      ],
      [
        E07509_HEA,
        { ...hw, age: 'seventy' },
        {
          code: 'VALIDATION_FAILED',
          field: 'age',
          message: 'age must be a number (years), got "seventy"',
        },
      ],
      [
        at200Hz,
        hw,
        {
          code: 'ECG12_RECORD_INVALID',
          field: 'header',
          message: "The record's sampling rate is 200 Hz; the interpretation needs 250–1000 Hz",
        },
      ],
    ];
    for (const [header, fields, expected] of cases)
      expect(await upload(header, fields)).toMatchObject({ status: 400, ...expected });
    // A decoding failure names the file: a header with 11 signals.
    const eleven = E07509_HEA.split('\n')
      .filter((l) => !/ V6$/.test(l.trim()))
      .join('\n')
      .replace(/^E07509 12 /, 'E07509 11 ');
    expect(await upload(eleven, hw)).toMatchObject({
      status: 400,
      code: 'ECG12_RECORD_INVALID',
      field: 'header',
    });
    // A 4-s record (format 16, 2000 samples at 500 Hz): shorter than the 5 s the interpreter
    // needs, the data file is named with the bounds at the record's own rate.
    const names = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
    const shortHea = [
      'SHORT 12 500 2000',
      ...names.map((n) => `SHORT.dat 16 1000/mV 16 0 0 0 0 ${n}`),
      '# Age: 60',
      '# Sex: Male',
    ].join('\n');
    const refused = await uploadRecord(
      docA,
      { header: shortHea, data: new Uint8Array(2000 * 12 * 2), name: 'SHORT', ext: 'dat' },
      hw,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_RECORD_INVALID',
      field: 'data',
      message:
        'The record must be a resting ECG of 5–60 s: 2500–30000 samples per lead at its 500 Hz; it has 2000 (4 s)',
    });
    expect((await history(admin)).json<Ecg12HistoryPage>().total).toBe(before + cases.length + 2);
  });

  it('interprets a record longer than the standard 10 s (20 s: the same samples read at 250 Hz)', async () => {
    // Before: any record but exactly 10 s was refused, though the interpreter measures median
    // beats over 5-60 s.
    const res = await uploadRecord(docA, {
      header: E07509_HEA.replace(/^(E07509 12) 500 /, '$1 250 '),
      data: E07509_MAT,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Ecg12Classification>();
    // Read at half its rate the record's beats last twice as long: half the heart rate.
    const atRate = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: docA.headers,
      payload: e07509Body(),
    });
    const hr = atRate.json<Ecg12Classification>().measurements.heart_rate_bpm;
    expect(body.measurements.heart_rate_bpm).toBeCloseTo((hr ?? Number.NaN) / 2, 0);
  });

  it('names multipart/form-data when a record is sent as raw bytes or JSON (415 naming content-type)', async () => {
    // Before: raw bytes were told 'JSON bodies are application/json', and JSON got 'Unsupported
    // Content-Type' with no field.
    for (const [type, payload] of [
      ['application/octet-stream', Buffer.from(E07509_MAT)],
      ['application/json', '{}'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify/record',
        headers: { ...docA.headers, 'content-type': type },
        payload,
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        field: 'content-type',
        message: `Content-Type "${type}" is not accepted by this endpoint (it takes multipart/form-data, the .hea header and its .mat or .dat with the form fields)`,
      });
    }
  });

  it('lets only an admin read the statistics and delete the history', async () => {
    for (const user of [docA, patA]) {
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/ecg/stats', headers: user.headers }))
          .statusCode,
      ).toBe(403);
      expect(
        (
          await t.app.inject({
            method: 'DELETE',
            url: '/api/v1/ecg/history',
            headers: user.headers,
          })
        ).statusCode,
      ).toBe(403);
    }
    const all = (await history(admin, '?limit=1000')).json<Ecg12HistoryPage>();
    const stats = await t.app.inject({
      method: 'GET',
      url: '/api/v1/ecg/stats',
      headers: admin.headers,
    });
    expect(stats.statusCode).toBe(200);
    const s = stats.json<Ecg12Stats>();
    const ok = all.records.filter((r) => r.success);
    expect(s.total_requests).toBe(all.total);
    expect(s.successful_requests).toBe(ok.length);
    expect(s.failed_requests).toBe(all.total - ok.length);
    const byClass: Record<string, number> = {};
    for (const r of ok)
      byClass[r.predicted_class_name ?? '?'] = (byClass[r.predicted_class_name ?? '?'] ?? 0) + 1;
    expect(s.class_distribution).toEqual(byClass);
    expect(byClass.C).toBeGreaterThanOrEqual(ok.length - 1);
    // The refused request's heart axis NOPE is in its history record, not among the inputs.
    expect(s.input_stats.heart_axis_distribution.NOPE).toBeUndefined();
    expect(s.input_stats.age).toEqual({ mean: 71, min: 71, max: 71, std: 0 });
    const times = all.records.map((r) => r.processing_ms);
    const pt = s.processing_time;
    expect(pt?.max_ms).toBe(Math.max(...times));
    expect(pt?.min_ms).toBe(Math.min(...times));
    expect(pt?.p50_ms).toBeLessThanOrEqual(pt?.p95_ms ?? -1);

    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/ecg/history',
      headers: admin.headers,
    });
    expect(del.statusCode).toBe(200);
    expect(del.json<Ecg12HistoryDeleted>().deleted_count).toBe(all.total);
    expect((await history(admin)).json<Ecg12HistoryPage>().total).toBe(0);
  });
});

describe('12-lead configuration (ECG12_ANONYMOUS, ECG12_MODEL_PATH)', () => {
  it('classifies without a token when ECG12_ANONYMOUS=true and records the caller as anonymous', async () => {
    const t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        payload: e07509Body(),
      });
      expect(res.statusCode).toBe(200);
      const admin = await createAdmin(t);
      const h = await t.app.inject({
        method: 'GET',
        url: '/api/v1/ecg/history',
        headers: admin.headers,
      });
      expect(h.json<Ecg12HistoryPage>().records[0]).toMatchObject({
        id: res.json<Ecg12Classification>().id,
        caller_user_id: null,
      });
      // Anonymous callers cannot act for a patient; they read the anonymous history only (the
      // accepted request and this refusal), not the admin's.
      const p = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        payload: e07509Body({ patient_id: admin.user.id }),
      });
      expect(p.statusCode).toBe(404);
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        headers: admin.headers,
        payload: e07509Body(),
      });
      const anon = await t.app.inject({ method: 'GET', url: '/api/v1/ecg/history' });
      expect(anon.statusCode).toBe(200);
      expect(
        anon.json<Ecg12HistoryPage>().records.map((r) => [r.success, r.caller_user_id]),
      ).toEqual([
        [false, null],
        [true, null],
      ]);
      // A given token must still be valid.
      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        headers: { authorization: 'Bearer nope' },
        payload: e07509Body(),
      });
      expect(bad.statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('scores with the model file of ECG12_MODEL_PATH while the criteria still give the findings', async () => {
    // The shipped model with every weight zeroed and NORM made certain: only a model read from
    // the file can answer NORM for this RBBB.
    const shipped = loadEcg12Model();
    const flat = (bias: number) => ({ bias, weights: shipped.mean.map(() => 0) });
    const classes = { NORM: flat(6), MI: flat(-6), STTC: flat(-6), CD: flat(-6), HYP: flat(-6) };
    const dir = await mkdtemp(join(tmpdir(), 'ecg12-model-'));
    const file = join(dir, 'always-norm.json');
    await writeFile(file, JSON.stringify({ ...shipped, classes, amplitudeFree: undefined }));
    const t = await createTestApp({ env: { ECG12_MODEL_PATH: file } });
    try {
      const admin = await createAdmin(t);
      const doctor = await createDoctor(t, admin);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/ecg/classify',
        headers: doctor.headers,
        payload: e07509Body(),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<Ecg12Classification>();
      expect(body).toMatchObject({
        class_index: 0,
        class_name: 'N',
        model_version: 'vigil-ecg12-logistic-1:always-norm.json',
      });
      expect(body.probabilities.NORM).toBeCloseTo(0.9975, 4);
      expect(body.findings.some((f: { criterion: string }) => f.criterion === 'CRBBB')).toBe(true);
    } finally {
      await t.close();
      await rm(dir, { recursive: true });
    }
  });

  it('refuses to start with an ECG12_MODEL_PATH that is not a model, naming the variable', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MQTT_PORT: '0',
      ECG12_MODEL_PATH: new URL('ecg12-fixture.ts', import.meta.url).pathname,
    });
    await expect(createContainer(config, { database: { sqlitePath: ':memory:' } })).rejects.toThrow(
      /ECG12_MODEL_PATH cannot be read as JSON/,
    );
    const missing = loadConfig({
      NODE_ENV: 'test',
      MQTT_PORT: '0',
      ECG12_MODEL_PATH: '/nonexistent/m.json',
    });
    await expect(
      createContainer(missing, { database: { sqlitePath: ':memory:' } }),
    ).rejects.toThrow(/ECG12_MODEL_PATH/);
  });
});
