import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
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
import { multipartForm as form } from '../helpers/multipart-form.js';
import { silentWav8Bit } from '../helpers/pcm-wav.js';
import { freePort } from '../mqtt/mosquitto-fixture.js';
import { connectWs } from '../vitals/ws-client.js';

const fixture = (name: string) =>
  readFileSync(
    fileURLToPath(new URL(`../../../signal/src/audio/fixtures/${name}`, import.meta.url)),
  );
const CRY_WAV = fixture('cry-donateacry-4s.wav');
const SPEECH_WAV = fixture('speech-espeak-hi-4s.wav');

interface Reading {
  id: string;
  patient_id: string;
  device_id: string | null;
  temperature: number | null;
  humidity: number | null;
  audio_url: string | null;
  cry_detected: boolean;
  cry_probability: number | null;
  cry_source: string | null;
  sick_detected: boolean;
  created_at: string;
  notes: string | null;
}

/** Seed 002: baby monitor readings as a signal kind. */
describe('baby monitor readings (/api/v1/readings, vigil/devices/{id}/readings)', () => {
  let t: TestApp;
  let doctor: TestUser;
  let parent: TestUser;
  let otherDoctor: TestUser;
  let otherParent: TestUser;
  let feverParent: TestUser;
  let monitorKey: string;
  const monitorId = `BABY-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestApp({ env: { MQTT_PORT: String(await freePort()) } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Caregiver');
    parent = await createPatient(t, doctor, 'Baby A');
    feverParent = await createPatient(t, doctor, 'Baby C');
    otherDoctor = await createDoctor(t, admin, 'Dr Other');
    otherParent = await createPatient(t, otherDoctor, 'Baby B');
    monitorKey = (
      await registerDevice(t, doctor, { patientId: parent.user.id, deviceId: monitorId })
    ).api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (
    by: TestUser,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string; type: string },
  ) => {
    const { payload, headers } = form(fields, file);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { ...headers, ...by.headers },
      payload,
    });
  };
  const rowCount = async () =>
    Number(
      (
        await t.container.database.db
          .selectFrom('baby_readings')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const activeAlerts = async (patientId: string) => {
    await t.container.services.alerts.idle();
    const res = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patientId}&state=active`,
      headers: doctor.headers,
    });
    return res
      .json<{ items: { rule_kind: string; value: number | null }[] }>()
      .items.map((a) => a.rule_kind)
      .sort();
  };

  it('a parent uploads the cry clip at 38.6 °C: cry and sick detected, alerts opened, CRY_DETECTED reaches the caregiver and not another family', async () => {
    const mine = await connectWs(t.app, `?token=${doctor.token}`);
    const theirs = await connectWs(t.app, `?token=${otherDoctor.token}`);
    try {
      await mine.next((m) => m.type === 'ready');
      await theirs.next((m) => m.type === 'ready');
      const res = await upload(
        parent,
        { temperature: '38.6', humidity: '55', notes: 'restless' },
        { bytes: CRY_WAV, name: 'cry.wav', type: 'audio/wav' },
      );
      expect(res.statusCode).toBe(201);
      const body = res.json<Reading>();
      expect(body).toMatchObject({
        patient_id: parent.user.id,
        device_id: null,
        temperature: expect.closeTo(38.6, 4) as number,
        humidity: 55,
        cry_detected: true,
        cry_source: 'server_audio',
        sick_detected: true,
        notes: 'restless',
        audio_url: `/api/v1/readings/${body.id}/audio`,
      });
      expect(body.cry_probability).toBeGreaterThanOrEqual(0.5);

      const pushed = await mine.next((m) => m.event === 'CRY_DETECTED');
      expect(pushed).toMatchObject({
        event: 'CRY_DETECTED',
        patient_id: parent.user.id,
        sick_detected: true,
        timestamp: body.created_at,
        data: { temperature: body.temperature, humidity: 55 },
      });
      // Another family's cry reaches their caregiver; by then ours would have too, had it leaked.
      const other = await upload(
        otherParent,
        { temperature: '36.8', humidity: '50' },
        { bytes: CRY_WAV, name: 'cry.wav', type: 'audio/wav' },
      );
      expect(other.statusCode).toBe(201);
      await theirs.next((m) => m.event === 'CRY_DETECTED');
      expect(theirs.messages.filter((m) => m.event === 'CRY_DETECTED')).toEqual([
        expect.objectContaining({ patient_id: otherParent.user.id, sick_detected: false }),
      ]);
      expect(await activeAlerts(parent.user.id)).toEqual(['infant_fever', 'infant_sick']);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('a speech clip at 38.6 °C is no cry: the fever alert only', async () => {
    const res = await upload(
      feverParent,
      { temperature: '38.6', humidity: '50' },
      { bytes: SPEECH_WAV, name: 'speech.wav', type: 'audio/wav' },
    );
    expect(res.statusCode).toBe(201);
    expect(res.json<Reading>()).toMatchObject({ cry_detected: false, sick_detected: false });
    expect(res.json<Reading>().cry_probability).toBeLessThan(0.5);
    expect(await activeAlerts(feverParent.user.id)).toEqual(['infant_fever']);
  });

  it('a corrupt audio file is 415 UNDECODABLE_AUDIO and nothing of the reading is stored', async () => {
    const before = await rowCount();
    const res = await upload(
      parent,
      { temperature: '37', humidity: '50' },
      { bytes: randomBytes(4000), name: 'cry.wav', type: 'audio/wav' },
    );
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNDECODABLE_AUDIO', field: 'audio' });
    expect(await rowCount()).toBe(before);
  });

  it('an audio file over 20 MB or a clip over 5 min is 413, and nothing is stored', async () => {
    const before = await rowCount();
    const large = await upload(
      parent,
      { temperature: '37', humidity: '50' },
      { bytes: Buffer.alloc(20 * 1024 * 1024 + 1), name: 'big.wav', type: 'audio/wav' },
    );
    expect(large.statusCode).toBe(413);
    expect(large.json()).toMatchObject({ code: 'AUDIO_TOO_LARGE', field: 'audio' });
    const long = await upload(
      parent,
      { temperature: '37', humidity: '50' },
      { bytes: silentWav8Bit(301, 8000), name: 'long.wav', type: 'audio/wav' },
    );
    expect(long.statusCode).toBe(413);
    expect(long.json()).toMatchObject({ code: 'AUDIO_TOO_LONG', field: 'audio' });
    expect(await rowCount()).toBe(before);
  });

  it('names the field at fault: temperature and humidity out of range, missing or not numbers', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ temperature: '80', humidity: '50' }, 'temperature'],
      [{ temperature: 'warm', humidity: '50' }, 'temperature'],
      [{ humidity: '50' }, 'temperature'],
      [{ temperature: '37', humidity: '120' }, 'humidity'],
      [{ temperature: '37' }, 'humidity'],
    ];
    const before = await rowCount();
    for (const [fields, field] of cases) {
      const res = await upload(parent, fields);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    // JSON too, and a doctor must name the patient (one they may act for).
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: doctor.headers,
      payload: { temperature: 37, humidity: 50 },
    });
    expect(json.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'patient_id' });
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: doctor.headers,
      payload: { temperature: 37, humidity: 50, patient_id: otherParent.user.id },
    });
    expect(foreign.statusCode).toBe(404);
    expect(await rowCount()).toBe(before);
  });

  it("takes a cool nursery's 17 °C and seed 002's bounds, -10 and 50 °C; refuses beyond them naming temperature", async () => {
    // Seed 002's /health/upload accepts -10 to 50 °C (app/routers/health.py): its monitors
    // measure the room. Before, Vigil refused anything under 20 °C.
    const nursery = await createPatient(t, doctor, 'Baby Cool');
    const before = await rowCount();
    for (const temperature of ['17', '-10', '50']) {
      const res = await upload(nursery, { temperature, humidity: '50' });
      expect(res.statusCode).toBe(201);
      expect(res.json<Reading>().temperature).toBe(Number(temperature));
    }
    for (const temperature of ['-10.5', '50.5']) {
      const res = await upload(nursery, { temperature, humidity: '50' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'temperature',
        message: 'temperature must be between -10 and 50 °C',
      });
    }
    expect(await rowCount()).toBe(before + 3);
  });

  it("a monitor's key records a JSON reading for its patient", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { 'x-api-key': monitorKey },
      payload: { temperature: 36.9, humidity: 45 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<Reading>()).toMatchObject({
      patient_id: parent.user.id,
      device_id: monitorId,
      cry_detected: false,
      cry_source: null,
      audio_url: null,
    });
  });

  it('scopes the list, one reading, stats, time series and audio to who may see the patient', async () => {
    const get = (by: TestUser, url: string) => t.app.inject({ url, headers: by.headers });
    const mine = (await get(parent, '/api/v1/readings')).json<Reading[]>();
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(new Set(mine.map((r) => r.patient_id))).toEqual(new Set([parent.user.id]));
    const cries = (
      await get(doctor, `/api/v1/readings?patient_id=${parent.user.id}&cry_detected=true`)
    ).json<Reading[]>();
    expect(cries).toHaveLength(1);
    const cry = cries[0];
    if (cry === undefined) throw new Error('no cry reading');
    expect(cry.sick_detected).toBe(true);

    const theirs = (await get(otherDoctor, '/api/v1/readings')).json<Reading[]>();
    expect(theirs.map((r) => r.patient_id)).toEqual([otherParent.user.id]);
    expect(
      (await get(otherDoctor, `/api/v1/readings?patient_id=${parent.user.id}`)).statusCode,
    ).toBe(404);
    expect((await get(otherDoctor, `/api/v1/readings/${cry.id}`)).statusCode).toBe(404);
    expect((await get(doctor, `/api/v1/readings/${cry.id}`)).json()).toEqual(cry);

    const audio = await get(parent, `/api/v1/readings/${cry.id}/audio`);
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    expect(audio.rawPayload.equals(CRY_WAV)).toBe(true);
    expect((await get(otherParent, `/api/v1/readings/${cry.id}/audio`)).statusCode).toBe(404);
    expect((await get(otherDoctor, `/api/v1/readings/${cry.id}/audio`)).statusCode).toBe(404);

    const stats = (await get(parent, '/api/v1/readings/stats')).json<{
      total_records: number;
      cry_detected_count: number;
      sick_detected_count: number;
      avg_temperature: number;
      latest_record: Reading;
    }>();
    expect(stats).toMatchObject({
      total_records: mine.length,
      cry_detected_count: 1,
      sick_detected_count: 1,
    });
    const temps = mine.map((r) => r.temperature ?? 0);
    expect(stats.avg_temperature).toBeCloseTo(temps.reduce((a, x) => a + x, 0) / temps.length, 2);
    expect(stats.latest_record.id).toBe(mine[0]?.id);
    const otherStats = (await get(otherDoctor, '/api/v1/readings/stats')).json<{
      total_records: number;
    }>();
    expect(otherStats.total_records).toBe(1);

    const series = (
      await get(doctor, `/api/v1/readings/timeseries?interval=1%20day&patient_id=${parent.user.id}`)
    ).json<{ data: { record_count: number; cry_count: number; sick_count: number }[] }>();
    expect(series.data.reduce((a, b) => a + b.record_count, 0)).toBe(mine.length);
    expect(series.data.reduce((a, b) => a + b.cry_count, 0)).toBe(1);
    expect(series.data.reduce((a, b) => a + b.sick_count, 0)).toBe(1);
    const bad = await get(doctor, '/api/v1/readings/timeseries?interval=2%20days');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'interval' });
  });

  it("answers seed 002's router check GET /health/test/endpoint as its README shows, unsigned", async () => {
    // Endpoint 10 of the seed's README; it was 404.
    const res = await t.app.inject({ url: '/health/test/endpoint' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      message: 'Health router is working!',
      cry_detection: 'AI model ready',
    });
  });

  it("serves seed 002's own paths as aliases, and GET /health stays the liveness probe", async () => {
    const health = await t.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    const { payload, headers } = form({
      temperature: '37.2',
      humidity: '48',
      patient_id: feverParent.user.id,
    });
    const posted = await t.app.inject({
      method: 'POST',
      url: '/health/upload',
      headers: { ...headers, ...doctor.headers },
      payload,
    });
    expect(posted.statusCode).toBe(201);
    const reading = posted.json<Reading>();
    expect(reading).toMatchObject({ patient_id: feverParent.user.id, temperature: 37.2 });
    const one = await t.app.inject({ url: `/health/${reading.id}`, headers: doctor.headers });
    expect(one.json()).toEqual(reading);
    expect(
      (await t.app.inject({ url: `/health/${reading.id}`, headers: otherDoctor.headers }))
        .statusCode,
    ).toBe(404);
    const history = await t.app.inject({
      url: '/health/history?limit=1',
      headers: feverParent.headers,
    });
    expect(history.json()).toEqual([reading]);
    const stats = await t.app.inject({ url: '/health/stats', headers: feverParent.headers });
    expect(stats.json()).toMatchObject({ total_records: 2, latest_record: reading });
    const series = await t.app.inject({
      url: '/health/timeseries?interval=1%20hour',
      headers: feverParent.headers,
    });
    expect(
      series
        .json<{ data: { record_count: number }[] }>()
        .data.reduce((a, b) => a + b.record_count, 0),
    ).toBe(2);
  });

  it("takes seed 002's ISO date-times without an offset (UTC, as its Python backend stores and filters them)", async () => {
    const parentOfOne = await createPatient(t, doctor, 'Baby D');
    const posted = await upload(doctor, {
      temperature: '36.9',
      humidity: '50',
      patient_id: parentOfOne.user.id,
    });
    expect(posted.statusCode).toBe(201);
    const at = Date.parse(posted.json<Reading>().created_at);
    /** `ms` as Python's datetime.utcnow().isoformat() (microseconds, no offset) or str() (space). */
    const naive = (ms: number, sep = 'T') =>
      new Date(ms).toISOString().replace('Z', '123').replace('T', sep);
    const history = async (query: string) => {
      const res = await t.app.inject({
        url: `/health/history?${query}`,
        headers: parentOfOne.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Reading[]>().length;
    };
    expect(await history(`start_date=${naive(at - 60_000)}`)).toBe(1);
    expect(await history(`start_date=${naive(at + 60_000)}`)).toBe(0);
    expect(await history(`end_date=${naive(at - 60_000, '%20')}`)).toBe(0);
    expect(await history(`end_date=${naive(at + 60_000, '%20')}`)).toBe(1);
    // With an offset, as before.
    expect(await history(`start_date=${new Date(at - 60_000).toISOString()}`)).toBe(1);
    expect(await history(`start_date=${new Date(at + 60_000).toISOString()}`)).toBe(0);
    // An offset whose '+' came unencoded (curl): the query decodes it to a space. Before: 400.
    const india = (ms: number) =>
      new Date(ms + 5.5 * 3_600_000).toISOString().replace('Z', '+05:30');
    expect(await history(`start_date=${india(at - 60_000)}`)).toBe(1);
    expect(await history(`start_date=${india(at + 60_000)}`)).toBe(0);
    const series = await t.app.inject({
      url: `/health/timeseries?interval=1%20day&start_date=${naive(at - 86_400_000)}&end_date=${naive(at + 60_000)}`,
      headers: parentOfOne.headers,
    });
    expect(series.statusCode, series.body).toBe(200);
    expect(
      series.json<{ data: { record_count: number }[] }>().data.map((d) => d.record_count),
    ).toEqual(expect.arrayContaining([1]));
    // Not a date-time at all: still 400 naming the parameter.
    const bad = await t.app.inject({
      url: '/health/history?start_date=yesterday',
      headers: parentOfOne.headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'start_date' });
  });

  it("gives every record seed 002's user_id (its HealthDataRead field), the account the reading belongs to", async () => {
    const owner = await createPatient(t, doctor, 'Baby E');
    const { payload, headers } = form({ temperature: '37.1', humidity: '55' });
    const posted = await t.app.inject({
      method: 'POST',
      url: '/health/upload',
      headers: { ...headers, ...owner.headers },
      payload,
    });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ user_id: owner.user.id, patient_id: owner.user.id });
    const history = await t.app.inject({ url: '/health/history', headers: owner.headers });
    expect(history.json<{ user_id: string }[]>().map((r) => r.user_id)).toEqual([owner.user.id]);
    const stats = await t.app.inject({ url: '/health/stats', headers: owner.headers });
    expect(stats.json()).toMatchObject({ latest_record: { user_id: owner.user.id } });
  });

  it('takes the seed-002 ESP32 payload over MQTT, "Err" sensors stored as no reading', async () => {
    const port = t.container.mqttPort;
    if (port === null) throw new Error('the embedded broker is not running');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: monitorId,
      password: monitorKey,
      reconnectPeriod: 0,
    });
    const fromDevice = () =>
      t.container.database.db
        .selectFrom('baby_readings')
        .select([
          'temperature_c',
          'humidity_percent',
          'cry_detected',
          'cry_probability',
          'cry_source',
          'sick_detected',
        ])
        .where('device_id', '=', monitorId)
        .where('cry_source', '=', 'device')
        .orderBy('ts')
        .execute();
    try {
      const topic = `vigil/devices/${monitorId}/readings`;
      await client.publishAsync(
        topic,
        JSON.stringify({
          FinalResult: 'SNORING',
          InfantCry: 5.52,
          Snoring: 94.48,
          Temperature: 25.8,
          Humidity: 72,
        }),
        { qos: 1 },
      );
      await client.publishAsync(
        topic,
        JSON.stringify({
          FinalResult: 'InfantCry',
          InfantCry: 91.2,
          Snoring: 8.8,
          Temperature: 'Err',
          Humidity: 'Err',
        }),
        { qos: 1 },
      );
      const deadline = Date.now() + 10_000;
      while ((await fromDevice()).length < 2) {
        if (Date.now() > deadline) throw new Error('the MQTT readings were not stored within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const [snore, cry] = await fromDevice();
      expect(snore).toMatchObject({
        temperature_c: expect.closeTo(25.8, 4) as number,
        humidity_percent: 72,
        cry_detected: 0,
        cry_probability: expect.closeTo(0.0552, 4) as number,
        sick_detected: 0,
      });
      expect(cry).toMatchObject({
        temperature_c: null,
        humidity_percent: null,
        cry_detected: 1,
        cry_probability: expect.closeTo(0.912, 4) as number,
        sick_detected: 0,
      });
      // The 72 % reading opened the humidity alert.
      expect(await activeAlerts(parent.user.id)).toContain('humidity_high');
    } finally {
      await client.endAsync();
    }
  });

  it("seed 002's WebSocket /ws/{user_id}?token= gets CRY_DETECTED in the seed's shape, for its own baby only", async () => {
    // Families of their own; last in the file, so the other tests' counts stay as they are.
    const baby = await createPatient(t, doctor, 'Baby D');
    const otherBaby = await createPatient(t, otherDoctor, 'Baby E');
    // As the seed's JavaScript client: new WebSocket(`ws://host/ws/${userId}?token=${token}`).
    const seedClient = await connectWs(
      t.app,
      `?token=${baby.token}`,
      `/ws/${encodeURIComponent(baby.user.id)}`,
    );
    // Another family's client that puts the first family's id in the path still sees only its own.
    const prying = await connectWs(
      t.app,
      `?token=${otherBaby.token}`,
      `/ws/${encodeURIComponent(baby.user.id)}`,
    );
    try {
      await seedClient.next((m) => m.type === 'ready');
      await prying.next((m) => m.type === 'ready');
      const res = await upload(
        baby,
        { temperature: '38.4', humidity: '60' },
        { bytes: CRY_WAV, name: 'cry.wav', type: 'audio/wav' },
      );
      expect(res.statusCode).toBe(201);
      const pushed = await seedClient.next((m) => m.event === 'CRY_DETECTED');
      expect(pushed).toMatchObject({
        event: 'CRY_DETECTED',
        sick_detected: true,
        timestamp: res.json<Reading>().created_at,
        data: { temperature: expect.closeTo(38.4, 4) as number, humidity: 60 },
      });
      const theirs = await upload(
        otherBaby,
        { temperature: '36.7', humidity: '50' },
        { bytes: CRY_WAV, name: 'cry.wav', type: 'audio/wav' },
      );
      expect(theirs.statusCode).toBe(201);
      await prying.next((m) => m.event === 'CRY_DETECTED');
      expect(prying.messages.filter((m) => m.event === 'CRY_DETECTED')).toEqual([
        expect.objectContaining({ patient_id: otherBaby.user.id, sick_detected: false }),
      ]);
    } finally {
      seedClient.close();
      prying.close();
    }
  });
});
