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
import { pcmWav } from '../helpers/pcm-wav.js';

/** A 16-bit mono PCM WAV of `n` samples at `rateHz`: a 440 Hz tone at half scale. */
const toneWav = (n: number, rateHz: number): Buffer =>
  pcmWav(
    Array.from({ length: n }, (_, i) => 0.49 * Math.sin((2 * Math.PI * 440 * i) / rateHz)),
    rateHz,
  );

/**
 * A valid WAV shorter than the cry model's one analysis frame. Before: 415 UNDECODABLE_AUDIO
 * "The audio could not be decoded", though it decodes; the uploader was not told what was wrong.
 */
describe('a baby monitor audio clip too short to analyse', () => {
  let t: TestApp;
  let doctor: TestUser;
  let baby: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin, 'Dr Short');
    baby = await createPatient(t, doctor, 'Baby Short');
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (audio: Buffer) => {
    const { payload, headers } = form(
      { temperature: '36.8', humidity: '50', patient_id: baby.user.id },
      { bytes: audio, name: 'clip.wav', type: 'audio/wav' },
    );
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      payload,
      headers: { ...doctor.headers, ...headers },
    });
  };

  it('is 422 AUDIO_TOO_SHORT naming audio, with its duration and the minimum; nothing stored', async () => {
    const res = await upload(toneWav(320, 16_000)); // 0.02 s
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'AUDIO_TOO_SHORT',
      field: 'audio',
      message: 'The audio is too short to analyse (0.02 s; at least 0.032 s)',
    });
    const listed = await t.app.inject({
      url: `/api/v1/readings?patient_id=${baby.user.id}`,
      headers: doctor.headers,
    });
    expect(listed.json()).toEqual([]);
  });

  it('takes a clip of the minimum length, and a header without samples stays undecodable', async () => {
    const ok = await upload(toneWav(512, 16_000)); // 0.032 s
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json<{ cry_probability: number }>().cry_probability).toBeLessThan(0.5);
    const empty = await upload(toneWav(0, 16_000));
    expect(empty.statusCode).toBe(415);
    expect(empty.json()).toMatchObject({ code: 'UNDECODABLE_AUDIO', field: 'audio' });
  });
});
