import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
import { multipartForm } from '../helpers/multipart-form.js';
import { connectWs } from '../vitals/ws-client.js';

const fixture = (name: string) =>
  readFileSync(
    fileURLToPath(new URL(`../../../signal/src/audio/fixtures/${name}`, import.meta.url)),
  );
const CRY = { bytes: fixture('cry-donateacry-4s.wav'), name: 'cry.wav', type: 'audio/wav' };
const SPEECH = { bytes: fixture('speech-espeak-hi-4s.wav'), name: 'speech.wav', type: 'audio/wav' };

interface Reading {
  id: string;
  patient_id: string;
  cry_detected: boolean;
  cry_probability: number | null;
  cry_source: string | null;
  device_cry_detected: boolean | null;
  device_cry_probability: number | null;
  audio_cry_probability: number | null;
  sick_detected: boolean;
}

/** Retried uploads, and a monitor's own verdict beside the server's analysis of its clip. */
describe('baby monitor uploads: retries and both kinds of cry evidence', () => {
  let t: TestApp;
  let doctor: TestUser;
  let parent: TestUser;
  let otherParent: TestUser;
  let monitor: { device_id: string; api_key: string };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Retry');
    parent = await createPatient(t, doctor, 'Baby R');
    otherParent = await createPatient(t, doctor, 'Baby S');
    monitor = await registerDevice(t, doctor, { patientId: parent.user.id });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (
    headers: Record<string, string>,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string; type: string },
  ) => {
    const body = multipartForm(fields, file);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { ...body.headers, ...headers },
      payload: body.payload,
    });
  };
  const rows = async (patientId: string) =>
    Number(
      (
        await t.container.database.db
          .selectFrom('baby_readings')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('patient_id', '=', patientId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a retried upload with the same Idempotency-Key returns the first reading: one row, one push, one alert', async () => {
    const ws = await connectWs(t.app, `?token=${doctor.token}`);
    try {
      await ws.next((m) => m.type === 'ready');
      const before = await rows(parent.user.id);
      const key = { ...parent.headers, 'idempotency-key': 'upload-7f3a' };
      const first = await upload(key, { temperature: '38.6', humidity: '55' }, CRY);
      expect(first.statusCode).toBe(201);
      const retry = await upload(key, { temperature: '38.6', humidity: '55' }, CRY);
      expect(retry.statusCode).toBe(201);
      expect(retry.json()).toEqual(first.json());
      expect(await rows(parent.user.id)).toBe(before + 1);
      await t.container.services.alerts.idle();
      const alerts = await t.app.inject({
        url: `/api/v1/alerts?patient_id=${parent.user.id}`,
        headers: doctor.headers,
      });
      expect(
        alerts
          .json<{ items: { rule_kind: string }[] }>()
          .items.map((a) => a.rule_kind)
          .sort(),
      ).toEqual(['infant_fever', 'infant_sick']);
      // A later cry (another key) is pushed; by then a second push of the first would have been.
      const next = await upload(
        { ...parent.headers, 'idempotency-key': 'upload-7f3b' },
        { temperature: '37', humidity: '55' },
        CRY,
      );
      const nextId = next.json<Reading>().id;
      await ws.next((m) => m.event === 'CRY_DETECTED' && m.reading_id === nextId);
      const firstId = first.json<Reading>().id;
      expect(
        ws.messages.filter((m) => m.event === 'CRY_DETECTED' && m.reading_id === firstId),
      ).toHaveLength(1);
    } finally {
      ws.close();
    }
  });

  it('refuses a key reused for a different temperature or another clip (422), storing nothing more', async () => {
    const key = { ...parent.headers, 'idempotency-key': 'upload-reuse-1' };
    const first = await upload(key, { temperature: '37.2', humidity: '50', notes: 'nap' }, SPEECH);
    expect(first.statusCode).toBe(201);
    const before = await rows(parent.user.id);
    const otherValue = await upload(
      key,
      { temperature: '39.2', humidity: '50', notes: 'nap' },
      SPEECH,
    );
    expect(otherValue.statusCode).toBe(422);
    expect(otherValue.json()).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotency-key',
    });
    const otherClip = await upload(key, { temperature: '37.2', humidity: '50', notes: 'nap' }, CRY);
    expect(otherClip.statusCode).toBe(422);
    const noClip = await upload(key, { temperature: '37.2', humidity: '50', notes: 'nap' });
    expect(noClip.statusCode).toBe(422);
    // The same upload again is still a retry.
    const same = await upload(key, { temperature: '37.2', humidity: '50', notes: 'nap' }, SPEECH);
    expect(same.statusCode).toBe(201);
    expect(same.json<Reading>().id).toBe(first.json<Reading>().id);
    expect(await rows(parent.user.id)).toBe(before);
  });

  it('concurrent retries store one reading and all get its answer', async () => {
    const before = await rows(parent.user.id);
    const headers = { 'x-api-key': monitor.api_key, 'idempotency-key': 'esp32-boot3-seq41' };
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/readings',
          headers,
          payload: { temperature: 36.9, humidity: 48 },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json<Reading>().id)).size).toBe(1);
    expect(await rows(parent.user.id)).toBe(before + 1);
  });

  it("keys belong to their uploader: another family's same key, or no key, is a new reading", async () => {
    const mine = await upload(
      { ...parent.headers, 'idempotency-key': 'shared-key' },
      { temperature: '37', humidity: '50' },
    );
    const theirs = await upload(
      { ...otherParent.headers, 'idempotency-key': 'shared-key' },
      { temperature: '37', humidity: '50' },
    );
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json<Reading>().id).not.toBe(mine.json<Reading>().id);
    expect(theirs.json<Reading>().patient_id).toBe(otherParent.user.id);
    const before = await rows(parent.user.id);
    await upload(parent.headers, { temperature: '37', humidity: '50' });
    await upload(parent.headers, { temperature: '37', humidity: '50' });
    expect(await rows(parent.user.id)).toBe(before + 2);
  });

  it('refuses an Idempotency-Key longer than 200 characters, naming the header, and stores nothing', async () => {
    const before = await rows(parent.user.id);
    const res = await upload(
      { ...parent.headers, 'idempotency-key': 'k'.repeat(201) },
      { temperature: '37', humidity: '50' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json<{ field: string }>().field).toContain('idempotency-key');
    expect(await rows(parent.user.id)).toBe(before);
  });

  it("keeps the monitor's verdict beside the server's analysis of its clip, and says the server decided", async () => {
    const key = { 'x-api-key': monitor.api_key };
    // The monitor heard snoring; the clip is a cry: the server's analysis decides.
    const cry = await upload(
      key,
      { temperature: '38.4', humidity: '50', FinalResult: 'SNORING', InfantCry: '5.52' },
      CRY,
    );
    expect(cry.statusCode).toBe(201);
    const a = cry.json<Reading>();
    expect(a).toMatchObject({
      cry_detected: true,
      cry_source: 'server_audio',
      sick_detected: true,
      device_cry_detected: false,
      device_cry_probability: expect.closeTo(0.0552, 6) as number,
    });
    expect(a.audio_cry_probability).toBe(a.cry_probability);
    expect(a.audio_cry_probability).toBeGreaterThanOrEqual(0.5);
    // The monitor says crying; the clip is speech: not a cry, and the monitor's word is kept.
    const speech = await upload(
      key,
      { temperature: '38.4', humidity: '50', FinalResult: 'InfantCry', InfantCry: '91' },
      SPEECH,
    );
    const b = speech.json<Reading>();
    expect(b).toMatchObject({
      cry_detected: false,
      cry_source: 'server_audio',
      sick_detected: false,
      device_cry_detected: true,
      device_cry_probability: 0.91,
    });
    expect(b.audio_cry_probability).toBeLessThan(0.5);
    // Without a clip the monitor's verdict decides.
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: key,
      payload: { temperature: 38.4, humidity: 50, FinalResult: 'InfantCry', InfantCry: 88 },
    });
    expect(json.json<Reading>()).toMatchObject({
      cry_detected: true,
      cry_probability: 0.88,
      cry_source: 'device',
      device_cry_detected: true,
      device_cry_probability: 0.88,
      audio_cry_probability: null,
      sick_detected: true,
    });
    // Read back: the stored reading says the same.
    const stored = await t.app.inject({ url: `/api/v1/readings/${b.id}`, headers: doctor.headers });
    expect(stored.json()).toEqual(b);
  });

  it('rejects a humidity below 1.2e-38, a blank humidity and notes with U+0000 naming the field, storing nothing', async () => {
    // Found by fuzzing POST /api/v1/readings on PostgreSQL: humidity 1e-320 (its `real` column)
    // and notes "\u0000" (its text column) were 500s; on SQLite they were stored, and a blank
    // humidity field was stored as 0 %.
    const before = await rows(parent.user.id);
    const json = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/readings',
        headers: { 'x-api-key': monitor.api_key },
        payload,
      });
    for (const [payload, field] of [
      [{ temperature: 37, humidity: 1e-320 }, 'humidity'],
      [{ temperature: 37, humidity: '5e-324' }, 'humidity'],
      [{ temperature: 37, humidity: '0x10' }, 'humidity'],
      [{ temperature: 37, humidity: 50, notes: 'asleep\u0000' }, 'notes'],
    ] as const) {
      const res = await json(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    const blank = await upload(
      { 'x-api-key': monitor.api_key },
      { temperature: '37', humidity: '  ' },
    );
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'humidity',
      message: 'humidity is required',
    });
    expect(await rows(parent.user.id)).toBe(before);
  });

  it('names the field of a bad monitor verdict in an upload', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: { 'x-api-key': monitor.api_key },
      payload: { temperature: 37, humidity: 50, InfantCry: 140 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'InfantCry' });
  });
});
