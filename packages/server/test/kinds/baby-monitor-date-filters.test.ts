import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { multipartForm as form } from '../helpers/multipart-form.js';

/**
 * Seed 002's history and chart filters. Before: `start_date=2026-02-30T00:00:00Z` was taken as
 * 2 March (Date.parse rolls the day over) and an end before the start answered 200 [].
 */
describe('baby monitor history date filters', () => {
  let t: TestApp;
  let doctor: TestUser;
  let baby: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Dates');
    baby = await createPatient(t, doctor, 'Baby Dates');
    const { payload, headers } = form({
      temperature: '36.8',
      humidity: '50',
      patient_id: baby.user.id,
    });
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      payload,
      headers: { ...doctor.headers, ...headers },
    });
    expect(posted.statusCode, posted.body).toBe(201);
  });

  afterAll(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ url, headers: baby.headers });

  it('refuses a day that is not in the calendar, naming the field', async () => {
    for (const [url, field] of [
      ['/health/history?start_date=2026-02-30T00:00:00Z', 'start_date'],
      ['/api/v1/readings?end_date=2026-04-31T12:00:00', 'end_date'],
      ['/health/timeseries?interval=1%20day&start_date=2025-02-29%2000:00:00', 'start_date'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(res.json<{ message: string }>().message, url).toContain('is not a calendar date');
    }
    // A leap day is a calendar date.
    const leap = await get('/health/history?start_date=2024-02-29T00:00:00Z');
    expect(leap.statusCode, leap.body).toBe(200);
    expect(leap.json<unknown[]>()).toHaveLength(1);
  });

  it('refuses an end_date before the start_date, naming end_date', async () => {
    for (const url of [
      '/health/history?start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z',
      '/api/v1/readings?start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T23:59:59Z',
      '/health/timeseries?interval=1%20hour&start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'end_date',
        message: 'end_date must not be before start_date',
      });
    }
    // The same instant at both ends is a window (end_date is inclusive).
    const same = await get(
      '/health/history?start_date=2026-03-01T00:00:00Z&end_date=2026-03-01T00:00:00Z',
    );
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json<unknown[]>()).toEqual([]);
  });

  // Seed 002 declares these filters `Optional[datetime]` (FastAPI, pydantic 2 unpinned), which
  // also takes a date alone (midnight, its offset-less UTC) and Unix time as a number: seconds,
  // or milliseconds past 2e10 (pydantic's datetime parsing). Before: 400 for both.
  it('takes a date alone as its midnight UTC, as the seed did', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const from = await get(`/health/history?start_date=${yesterday}`);
    expect(from.statusCode, from.body).toBe(200);
    expect(from.json<unknown[]>()).toHaveLength(1);
    // Midnight at the start of yesterday: the reading, made now, is after it.
    const to = await get(`/api/v1/readings?end_date=${yesterday}`);
    expect(to.statusCode, to.body).toBe(200);
    expect(to.json<unknown[]>()).toEqual([]);
    const notADay = await get('/health/history?start_date=2026-02-30');
    expect(notADay.statusCode).toBe(400);
    expect(notADay.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'start_date' });
  });

  it('takes Unix time in seconds or milliseconds, as the seed did', async () => {
    const hourAgoMs = Date.now() - 3_600_000;
    const hourAheadMs = Date.now() + 3_600_000;
    for (const [query, expected] of [
      [`start_date=${Math.floor(hourAgoMs / 1000)}`, 1],
      [`start_date=${hourAgoMs}`, 1],
      [`start_date=${(hourAgoMs / 1000).toFixed(3)}`, 1],
      [`start_date=${hourAheadMs}`, 0],
      [`end_date=${Math.floor(hourAgoMs / 1000)}`, 0],
    ] as const) {
      const res = await get(`/health/history?${query}`);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
      expect(res.json<unknown[]>(), query).toHaveLength(expected);
    }
    const ts = await get(`/health/timeseries?interval=1%20day&start_date=${hourAgoMs}`);
    expect(ts.statusCode, ts.body).toBe(200);
    expect(ts.json<{ data: { record_count: number }[] }>().data).toMatchObject([
      { record_count: 1 },
    ]);
  });
});
