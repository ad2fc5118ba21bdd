import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, ReportsPage } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { E07509_SIGNAL } from '../ecg12/ecg12-fixture.js';
import { ecgOfPacket, insertKnownData } from './report-data.js';

/**
 * Reports over known stored data (report-data.ts): every figure is checked against the value
 * computed by hand from the inserted rows. Runs on SQLite, and on PostgreSQL with DATABASE_URL.
 */
let t: TestApp;
let admin: TestUser;
let docA: TestUser;
let docB: TestUser;
let patA: TestUser;
let patB: TestUser;
let t0: number;
let alertId: string;
let deviceId: string;

const H = 3_600_000;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createAdmin(t);
  docA = await createDoctor(t, admin, 'Doctor A');
  docB = await createDoctor(t, admin, 'Doctor B');
  patA = await createPatient(t, docA, 'Ada Lovelace');
  patB = await createPatient(t, docB, 'Patient B');
  const device = await registerDevice(t, docA, { patientId: patA.user.id });
  deviceId = device.device_id;
  // A whole hour, well in the past of the manual clock.
  t0 = Math.floor(t.clock.now() / H) * H - 48 * H;
  ({ alertId } = await insertKnownData(t.container.database.db, {
    t0,
    deviceId,
    patientId: patA.user.id,
    ackBy: docA.user.id,
  }));
});

afterAll(async () => {
  await t.close();
});

async function build(by: TestUser, body: Record<string, unknown> = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/patients/${patA.user.id}/reports`,
    headers: by.headers,
    payload: { period_start: t0, period_end: t0 + H, title: 'Holter week', ...body },
  });
}

describe('a report over known stored data', () => {
  let report: Report;
  beforeAll(async () => {
    const res = await build(docA, { notes: 'Palpitations at night' });
    expect(res.statusCode, res.body).toBe(201);
    report = res.json<Report>();
  });

  it('holds the patient, the period and a draft status', () => {
    expect(report.patient_id).toBe(patA.user.id);
    expect(report.author_id).toBe(docA.user.id);
    expect(report.status).toBe('draft');
    expect(report.content.patient.name).toBe('Ada Lovelace');
    expect(report.content.devices).toEqual([deviceId]);
    expect(report.content.packets).toBe(600);
  });

  it('gives heart rate min/mean/max and the time above and below the default thresholds', () => {
    // 599 readings hold 1 s to the next packet; the last holds the 60 s cap.
    expect(report.content.heart_rate).toEqual({
      unit: 'bpm',
      count: 600,
      min: 60,
      mean: 76,
      max: 140,
      monitored_ms: 659_000,
      above: { threshold: 130, rule: 'hr_high', ms: 60_000, percent: 9.1 },
      below: { threshold: 40, rule: 'hr_low', ms: 0, percent: 0 },
    });
  });

  it('gives SpO2 and temperature the same way, and says which side has no rule', () => {
    expect(report.content.spo2).toEqual({
      unit: '%',
      count: 600,
      min: 90,
      mean: 95.83,
      max: 97,
      monitored_ms: 659_000,
      above: null,
      below: { threshold: 91, rule: 'spo2_low', ms: 100_000, percent: 15.17 },
    });
    expect(report.content.temperature).toEqual({
      unit: '°C',
      count: 10,
      min: 37,
      mean: 37.25,
      max: 39.5,
      // One reading a minute: each holds until the next (60 s), the last for the 60 s cap.
      monitored_ms: 600_000,
      above: { threshold: 39.1, rule: 'fever', ms: 60_000, percent: 10 },
      below: null,
    });
    expect(report.content.no_data['spo2.above']).toMatch(/no above-threshold alert rule/);
    expect(report.content.no_data['temperature.below']).toMatch(/no below-threshold alert rule/);
  });

  it('averages the stored HRV windows', () => {
    expect(report.content.hrv).toEqual({
      windows: 2,
      window_ms: 60_000,
      mean_nn_ms: 800,
      sdnn_index_ms: 50,
      rmssd_ms: 30,
      pnn50_percent: 10,
    });
  });

  it('gives the arrhythmia burden with VEB and SVEB per hour from the stored beat counts', () => {
    expect(report.content.arrhythmia).toEqual({
      analysed_ms: 599_000,
      af_ms: 60_000,
      af_percent: 10.02,
      longest_pause_ms: 2500,
      vt_runs: 2,
      longest_vt_run_beats: 5,
      // 50 VEB and 25 SVEB in the 499 s of packets 100–598 (packets 0–99 carry no counts).
      veb_per_hour: 360.7,
      sveb_per_hour: 180.4,
      veb_beats: 50,
      sveb_beats: 25,
      counted_ms: 499_000,
    });
    expect(report.content.no_data.veb_per_hour).toBeUndefined();
    expect(report.content.no_data['arrhythmia.counted_ms']).toMatch(/over counted_ms/);
  });

  it('says VEB and SVEB per hour are "not recorded" over packets that carry no beat counts', async () => {
    const res = await build(docA, { period_start: t0, period_end: t0 + 100_000 });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json<Report>().content;
    expect(c.arrhythmia).toMatchObject({
      analysed_ms: 100_000,
      veb_per_hour: 'not recorded',
      sveb_per_hour: 'not recorded',
      veb_beats: null,
      sveb_beats: null,
      counted_ms: 0,
    });
    expect(c.no_data.veb_per_hour).toMatch(/carries its classified beat counts/);
  });

  it('lists the alerts of the period with their acknowledgement delay', () => {
    expect(report.content.alerts.total).toBe(1);
    expect(report.content.alerts.items).toEqual([
      expect.objectContaining({
        id: alertId,
        rule_kind: 'hr_high',
        opened_at: t0 + 330_000,
        acknowledged_at: t0 + 390_000,
        acknowledged_by: docA.user.id,
        ack_delay_ms: 60_000,
      }),
    ]);
  });

  it('cuts a 10 s ECG strip around the event from the stored chunks', () => {
    expect(report.content.ecg_strips).toHaveLength(1);
    const strip = report.content.ecg_strips[0];
    expect(strip?.start).toBe(t0 + 325_000);
    expect(strip?.fs_hz).toBe(250);
    expect(strip?.samples_mv).toHaveLength(2500);
    expect(strip?.samples_mv.every((v) => v !== null)).toBe(true);
    // Slot 1 is packet 325's second sample, slot 1251 packet 330's (int16 quantisation < 1e-4 mV).
    expect(strip?.samples_mv[1]).toBeCloseTo(ecgOfPacket(325)[1] ?? NaN, 3);
    expect(strip?.samples_mv[1251]).toBeCloseTo(ecgOfPacket(330)[1] ?? NaN, 3);
  });

  it('summarises the baby-monitor readings and says there is no 12-lead result', () => {
    expect(report.content.baby_monitor).toEqual({
      readings: 2,
      temperature_c: { min: 36.5, mean: 37, max: 37.5 },
      humidity_percent: { min: 40, mean: 45, max: 50 },
      cries: 1,
      sick: 0,
    });
    expect(report.content.ecg12).toBeNull();
    expect(report.content.no_data.ecg12).toMatch(/no 12-lead/);
  });

  it('draws the trends per minute from the packets', () => {
    const points = report.content.trends.points;
    expect(report.content.trends.bucket_ms).toBe(60_000);
    expect(points).toHaveLength(10);
    expect(points[0]).toEqual({ t: t0, hr_bpm: 60, spo2_percent: 90, temperature_c: 39.5 });
    // Minute 1: 40 readings of 90 % and 20 of 97 %.
    expect(points[1]?.spo2_percent).toBe(92.3);
    expect(points[5]?.hr_bpm).toBe(140);
  });

  it('gives the same figures when the period is split over days (a 3-day report)', async () => {
    const res = await build(docA, {
      period_start: t0 - 2 * 86_400_000,
      period_end: t0 + 86_400_000 - H,
    });
    expect(res.statusCode, res.body).toBe(201);
    const wide = res.json<Report>().content;
    expect(wide.heart_rate).toEqual(report.content.heart_rate);
    expect(wide.arrhythmia).toEqual(report.content.arrhythmia);
  });

  it('renders a PDF whose text holds the patient, the period and the figures', async () => {
    const res = await t.app.inject({
      url: `/api/v1/reports/${report.id}/pdf`,
      headers: docA.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-report-'));
    try {
      const file = path.join(dir, 'report.pdf');
      writeFileSync(file, res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      const period = `${new Date(t0).toISOString().slice(0, 16).replace('T', ' ')} UTC to ${new Date(t0 + H).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      expect(text).toContain('Patient: Ada Lovelace');
      expect(text).toContain(`Period: ${period}`);
      expect(text).toContain('Heart rate: min 60 / mean 76 / max 140 bpm');
      expect(text).toContain('time above 130 bpm (hr_high): 1 min 00 s (9.1 %)');
      expect(text).toContain('SpO2: min 90 / mean 95.83 / max 97 %');
      expect(text).toContain('time below 91 % (spo2_low): 1 min 40 s (15.17 %)');
      expect(text).toContain('AF 1 min 00 s (10.02 %)');
      expect(text).toContain('HRV (2 windows of 60 s): mean NN 800 ms, SDNN index 50 ms');
      // The alerts table: acknowledged at t0 + 390 s, 60 s after it opened.
      expect(text).toContain(
        `${new Date(t0 + 390_000).toISOString().slice(11, 16)} UTC (1 min 00 s)`,
      );
      expect(text).toContain('longest pause 2500 ms');
      expect(text).toContain(
        'VEB 360.7 per hour (50 beats), SVEB 180.4 per hour (25 beats), over 8 min 19 s with beat counts',
      );
      expect(text).toContain('Palpitations at night');
      expect(text).toContain('25 mm/s, 10 mm/mV');
      // Page 1 as PNG, kept as a CI artifact in the repository's artifacts/ (gitignored, where
      // the browser tests keep their screenshots; VIGIL_ARTIFACTS_DIR overrides it).
      const pdftoppm = spawnSync('pdftoppm', ['-v']);
      if (pdftoppm.error === undefined) {
        const out =
          process.env.VIGIL_ARTIFACTS_DIR ??
          fileURLToPath(new URL('../../../../artifacts', import.meta.url));
        mkdirSync(out, { recursive: true });
        const prefix = path.join(out, `report-page1-${t.container.database.dialect}`);
        execFileSync('pdftoppm', [
          '-png',
          '-r',
          '80',
          '-f',
          '1',
          '-l',
          '1',
          '-singlefile',
          file,
          prefix,
        ]);
        const png = execFileSync('file', [`${prefix}.png`], { encoding: 'utf8' });
        expect(png).toContain('PNG image data');
        // The last page holds the ECG strip: kept too, to see the grid.
        const pages = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
        const last = pages?.[1] ?? '1';
        execFileSync('pdftoppm', [
          '-png',
          '-r',
          '80',
          '-f',
          last,
          '-l',
          last,
          '-singlefile',
          file,
          prefix.replace('page1', 'strips'),
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a report with a 12-lead result', () => {
  it('gives its intervals, axis and the criteria that fired, in the content and the PDF', async () => {
    // Before: the class alone ("C Conduction disturbance"), not the QRS that made it one.
    const classified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ecg/classify',
      headers: docA.headers,
      payload: {
        age: 71,
        sex: 1,
        height: 175,
        weight: 80,
        heart_axis: 'MID',
        patient_id: patA.user.id,
        ecg_signal: E07509_SIGNAL,
      },
    });
    expect(classified.statusCode, classified.body).toBe(200);
    const result = classified.json<{
      id: string;
      measurements: { qrs_ms: number; qtc_bazett_ms: number };
      findings: { criterion: string; text: string }[];
    }>();
    const now = t.clock.now();
    const res = await build(docA, { period_start: now - H, period_end: now + 60_000 });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json<Report>();
    expect(report.content.ecg12).toEqual([
      expect.objectContaining({
        id: result.id,
        class_name: 'C',
        measurements: result.measurements,
        findings: result.findings,
      }),
    ]);
    expect(result.findings.map((f) => f.criterion)).toContain('CRBBB');
    const pdf = await t.app.inject({
      url: `/api/v1/reports/${report.id}/pdf`,
      headers: docA.headers,
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-report-'));
    try {
      const file = path.join(dir, 'report.pdf');
      writeFileSync(file, pdf.rawPayload);
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        ' ',
      );
      expect(text).toContain(`QRS ${Math.round(result.measurements.qrs_ms)} ms`);
      expect(text).toContain(`QTc (Bazett) ${Math.round(result.measurements.qtc_bazett_ms)} ms`);
      expect(text).toContain('complete RBBB pattern');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report access', () => {
  let id: string;
  beforeAll(async () => {
    id = (await build(docA)).json<Report>().id;
  });
  const get = (by: TestUser, url: string) => t.app.inject({ url, headers: by.headers });

  it("lets the patient's doctor, the admin and the patient read it; another doctor gets 404", async () => {
    expect((await get(docA, `/api/v1/reports/${id}`)).statusCode).toBe(200);
    expect((await get(admin, `/api/v1/reports/${id}`)).statusCode).toBe(200);
    expect((await get(patA, `/api/v1/reports/${id}`)).statusCode).toBe(200);
    const other = await get(docB, `/api/v1/reports/${id}`);
    expect(other.statusCode).toBe(404);
    expect(other.json<{ code: string }>().code).toBe('REPORT_NOT_FOUND');
    expect((await get(patB, `/api/v1/reports/${id}`)).statusCode).toBe(404);
    expect((await get(docB, `/api/v1/reports/${id}/pdf`)).statusCode).toBe(404);
  });

  it('builds only for the doctor of the patient or an admin', async () => {
    expect((await build(admin)).statusCode).toBe(201);
    expect((await build(patA)).statusCode).toBe(403);
    const other = await build(docB);
    expect(other.statusCode).toBe(404);
    expect(other.json<{ code: string }>().code).toBe('PATIENT_NOT_FOUND');
  });

  it('names the field of a bad period', async () => {
    const res = await build(docA, { period_end: t0 });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ field: string }>().field).toBe('period_end');
    const long = await build(docA, { period_end: t0 + 32 * 86_400_000 });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ field: string }>().field).toBe('period_end');
  });

  it("lists a patient's reports by cursor pages, and by doctor", async () => {
    const first = await get(docA, `/api/v1/reports?patient_id=${patA.user.id}&limit=2`);
    expect(first.statusCode).toBe(200);
    const page = first.json<ReportsPage>();
    expect(page.items).toHaveLength(2);
    expect(page.next_cursor).not.toBeNull();
    const ids = new Set(page.items.map((r) => r.id));
    let cursor = page.next_cursor;
    while (cursor !== null) {
      const next = (
        await get(docA, `/api/v1/reports?patient_id=${patA.user.id}&limit=2&cursor=${cursor}`)
      ).json<ReportsPage>();
      for (const r of next.items) ids.add(r.id);
      cursor = next.next_cursor;
    }
    const all = (
      await get(admin, `/api/v1/reports?patient_id=${patA.user.id}&limit=200`)
    ).json<ReportsPage>();
    expect(ids.size).toBe(all.items.length);
    expect((await get(docB, `/api/v1/reports?patient_id=${patA.user.id}`)).statusCode).toBe(404);
    expect((await get(docB, '/api/v1/reports')).json<ReportsPage>().items).toEqual([]);
    expect((await get(patA, '/api/v1/reports?limit=200')).json<ReportsPage>().items).toHaveLength(
      all.items.length,
    );
    const byDoctor = await t.container.services.reports.listByDoctor(docA.actor, docA.user.id, {
      limit: 200,
    });
    expect(byDoctor.items.map((r) => r.id).sort()).toEqual(all.items.map((r) => r.id).sort());
    await expect(
      t.container.services.reports.listByDoctor(docB.actor, docA.user.id, { limit: 10 }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('report lifecycle', () => {
  const put = (id: string, by: TestUser, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/reports/${id}`, headers: by.headers, payload });
  const del = (id: string, by: TestUser) =>
    t.app.inject({ method: 'DELETE', url: `/api/v1/reports/${id}`, headers: by.headers });

  it('edits a draft, finalises it, then refuses changes except an addendum', async () => {
    const id = (await build(docA)).json<Report>().id;
    expect((await put(id, docA, { addendum: 'too early' })).json<{ code: string }>().code).toBe(
      'REPORT_NOT_FINAL',
    );
    expect((await put(id, patA, { notes: 'mine' })).statusCode).toBe(403);
    const edited = await put(id, docA, { title: 'Week 49', notes: 'Reviewed' });
    expect(edited.json<Report>()).toMatchObject({ title: 'Week 49', notes: 'Reviewed' });
    t.clock.advance(1000);
    const final = await put(id, docA, { status: 'final' });
    expect(final.statusCode).toBe(200);
    expect(final.json<Report>().status).toBe('final');
    expect(final.json<Report>().finalized_at).toBe(t.clock.now());

    for (const change of [{ notes: 'changed' }, { title: 'x' }, { status: 'draft' }]) {
      const res = await put(id, docA, change);
      expect(res.statusCode).toBe(409);
      expect(res.json<{ code: string }>().code).toBe('REPORT_FINAL');
    }
    const deleted = await del(id, admin);
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json<{ code: string }>().code).toBe('REPORT_FINAL');

    const added = await put(id, docA, { addendum: 'AF confirmed on Holter' });
    expect(added.statusCode).toBe(200);
    expect(added.json<Report>().addenda).toEqual([
      { text: 'AF confirmed on Holter', author_id: docA.user.id, created_at: t.clock.now() },
    ]);
    const after = (
      await t.app.inject({ url: `/api/v1/reports/${id}`, headers: patA.headers })
    ).json<Report>();
    expect(after).toMatchObject({ title: 'Week 49', notes: 'Reviewed', status: 'final' });
    expect(after.addenda).toHaveLength(1);
  });

  it('deletes a draft (doctor of the patient), not for the patient or another doctor', async () => {
    const id = (await build(docA)).json<Report>().id;
    expect((await del(id, patA)).statusCode).toBe(403);
    expect((await del(id, docB)).statusCode).toBe(404);
    expect((await del(id, docA)).statusCode).toBe(204);
    expect(
      (await t.app.inject({ url: `/api/v1/reports/${id}`, headers: docA.headers })).statusCode,
    ).toBe(404);
  });
});
