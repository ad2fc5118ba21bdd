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
 * Seed 002's four chart endpoints (its app/routers/health.py and app/services/health_service.py):
 * `GET /health/charts/temperature-humidity`, `/cry-frequency`, `/health-distribution`,
 * `/hourly-heatmap`, on readings recorded at known instants.
 */
describe("seed 002's charts (/health/charts/…)", () => {
  let t: TestApp;
  let doctor: TestUser;
  let otherDoctor: TestUser;
  let baby: TestUser;
  let otherBaby: TestUser;
  let emptyBaby: TestUser;
  /** Wednesday 2026-01-14 12:30 UTC. */
  const NOW = Date.UTC(2026, 0, 14, 12, 30);
  const at = (day: number, hour: number, minute: number) => Date.UTC(2026, 0, day, hour, minute);

  const record = async (
    by: TestUser,
    atMs: number,
    fields: { temperature: number; humidity: number; FinalResult: string },
  ) => {
    t.clock.set(atMs);
    const res = await t.app.inject({
      method: 'POST',
      url: '/health/upload',
      headers: by.headers,
      payload: fields,
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const chart = async (by: TestUser, path: string) => {
    const res = await t.app.inject({ url: `/health/charts/${path}`, headers: by.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Record<string, unknown>>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Caregiver');
    otherDoctor = await createDoctor(t, admin, 'Dr Other');
    baby = await createPatient(t, doctor, 'Baby A');
    otherBaby = await createPatient(t, doctor, 'Baby B');
    emptyBaby = await createPatient(t, doctor, 'Baby C');
    // Baby A. Wednesday 14th: quiet at 09:10, crying at 09:40, crying at 38.6 °C (sick) at 11:05.
    await record(baby, at(14, 9, 10), { temperature: 20, humidity: 50, FinalResult: 'Silence' });
    await record(baby, at(14, 9, 40), {
      temperature: 20.5,
      humidity: 55,
      FinalResult: 'InfantCry',
    });
    await record(baby, at(14, 11, 5), {
      temperature: 38.6,
      humidity: 60,
      FinalResult: 'InfantCry',
    });
    // Monday 12th 03:20: 38.2 °C without a cry (a fever, not sick in Vigil's sense).
    await record(baby, at(12, 3, 20), { temperature: 38.2, humidity: 40, FinalResult: 'Silence' });
    // Monday 5th 10:00: crying, 9 days ago (outside 7 days, inside 30).
    await record(baby, at(5, 10, 0), { temperature: 22, humidity: 45, FinalResult: 'InfantCry' });
    // Baby B cries at 39 °C on Wednesday 09:20: never counted for baby A.
    await record(otherBaby, at(14, 9, 20), {
      temperature: 39,
      humidity: 70,
      FinalResult: 'InfantCry',
    });
    t.clock.set(NOW);
  });
  afterAll(async () => {
    await t.close();
  });

  it('temperature-humidity: hourly means of the last 24 h, labelled MM/DD HH:MM, rounded as Python rounds (20.25 → 20.2)', async () => {
    expect(await chart(baby, 'temperature-humidity')).toEqual({
      labels: ['01/14 09:00', '01/14 11:00'],
      temperature: [20.2, 38.6],
      humidity: [52.5, 60],
    });
    expect(await chart(baby, 'temperature-humidity?interval=6%20hours&days=7')).toEqual({
      labels: ['01/12 00:00', '01/14 06:00'],
      temperature: [38.2, 26.4],
      humidity: [40, 55],
    });
    expect(await chart(baby, 'temperature-humidity?interval=1%20day&days=30')).toEqual({
      labels: ['01/05 00:00', '01/12 00:00', '01/14 00:00'],
      temperature: [22, 38.2, 26.4],
      humidity: [45, 40, 55],
    });
  });

  it('cry-frequency: cries and sick readings per day of the last 7 days, labelled "%a %d"', async () => {
    expect(await chart(baby, 'cry-frequency')).toEqual({
      labels: ['Mon 12', 'Wed 14'],
      cry_count: [0, 2],
      sick_count: [0, 1],
    });
    // Hourly buckets keep the seed's day label.
    expect(await chart(baby, 'cry-frequency?interval=1%20hour&days=1')).toEqual({
      labels: ['Wed 14', 'Wed 14'],
      cry_count: [1, 1],
      sick_count: [0, 1],
    });
  });

  it('health-distribution: normal, crying, fever and critical readings of the last 7 days, with percentages and colours', async () => {
    const colors = ['#4CAF50', '#FFC107', '#FF9800', '#F44336'];
    const labels = ['Bình thường', 'Khóc', 'Sốt', 'Nguy hiểm'];
    expect(await chart(baby, 'health-distribution')).toEqual({
      labels,
      values: [1, 1, 1, 1],
      percentages: [25, 25, 25, 25],
      colors,
    });
    expect(await chart(baby, 'health-distribution?days=30')).toEqual({
      labels,
      values: [1, 2, 1, 1],
      percentages: [20, 40, 20, 20],
      colors,
    });
    expect(await chart(emptyBaby, 'health-distribution')).toEqual({
      labels,
      values: [0, 0, 0, 0],
      percentages: [0, 0, 0, 0],
      colors,
    });
  });

  it('hourly-heatmap: cries by weekday (Sunday first) and UTC hour over the last 7 days', async () => {
    const zeros = () => Array.from({ length: 24 }, () => 0);
    /** A 7 × 24 matrix of zeros with 1 at each [weekday, hour]. */
    const cries = (...at: [number, number][]) =>
      Array.from({ length: 7 }, (_, d) =>
        zeros().map((_, h) => (at.some(([ad, ah]) => ad === d && ah === h) ? 1 : 0)),
      );
    const expected = cries([3, 9], [3, 11]);
    expect(await chart(baby, 'hourly-heatmap')).toEqual({
      hours: Array.from({ length: 24 }, (_, i) => i),
      days: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
      data: expected,
    });
    // With Monday the 5th, 10:00.
    expect((await chart(baby, 'hourly-heatmap?days=30')).data).toEqual(
      cries([1, 10], [3, 9], [3, 11]),
    );
    expect((await chart(emptyBaby, 'hourly-heatmap')).data).toEqual(
      Array.from({ length: 7 }, zeros),
    );
  });

  it("scopes every chart to the caller's patients: a patient sees their own, a doctor names one, another doctor is 404", async () => {
    expect(await chart(otherBaby, 'cry-frequency')).toEqual({
      labels: ['Wed 14'],
      cry_count: [1],
      sick_count: [1],
    });
    expect(await chart(otherBaby, 'temperature-humidity')).toEqual({
      labels: ['01/14 09:00'],
      temperature: [39],
      humidity: [70],
    });
    expect(await chart(emptyBaby, 'temperature-humidity')).toEqual({
      labels: [],
      temperature: [],
      humidity: [],
    });
    expect(await chart(doctor, `health-distribution?patient_id=${baby.user.id}`)).toMatchObject({
      values: [1, 1, 1, 1],
    });
    for (const path of [
      'temperature-humidity',
      'cry-frequency',
      'health-distribution',
      'hourly-heatmap',
    ]) {
      const res = await t.app.inject({
        url: `/health/charts/${path}?patient_id=${baby.user.id}`,
        headers: otherDoctor.headers,
      });
      expect(res.statusCode, path).toBe(404);
      const unsigned = await t.app.inject({ url: `/health/charts/${path}` });
      expect(unsigned.statusCode, path).toBe(401);
    }
  });

  it('refuses an interval or a days value the seed does not take: 400 naming the parameter', async () => {
    const refused = async (path: string, field: string) => {
      const res = await t.app.inject({ url: `/health/charts/${path}`, headers: baby.headers });
      expect(res.statusCode, path).toBe(400);
      expect(res.json(), path).toMatchObject({ code: 'VALIDATION_FAILED', field });
      return res.json<{ message: string }>().message;
    };
    const message = await refused('temperature-humidity?interval=2%20hours', 'interval');
    expect(message).toContain('6 hours');
    await refused('cry-frequency?interval=6%20hours', 'interval');
    await refused('health-distribution?days=31', 'days');
    await refused('hourly-heatmap?days=0', 'days');
    await refused('cry-frequency?days=seven', 'days');
  });
});
