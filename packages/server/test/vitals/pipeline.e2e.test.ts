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
import { loadMitdb101, referenceHr } from '../fixtures/mitdb-101.js';
import { post, syntheticPackets, toPackets } from './packets.js';
import { connectWs } from './ws-client.js';

const { fs: FS, ecgMv, beatsMs } = loadMitdb101();

interface PredictionItem {
  timestamp: number;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  risk_label: string;
  reasons: { code: string; text: string }[];
}

describe('vitals pipeline end to end (MIT-BIH 101 excerpt, tachycardia alert, WebSocket, ack, clear)', () => {
  let t: TestApp;
  let doctorA: TestUser;
  let doctorB: TestUser;
  let patient: TestUser;
  let key: string;
  const deviceId = 'ESP32-E2E';
  let start: number;

  beforeAll(async () => {
    // As in production: a database file on SQLite (durable commits, checkpoint worker) and the
    // ECG analysis in a worker thread.
    t = await createTestApp({ sqliteFile: true, env: { ANALYSIS_WORKERS: '1' } });
    const admin = await createAdmin(t);
    doctorA = await createDoctor(t, admin, 'Dr A');
    doctorB = await createDoctor(t, admin, 'Dr B');
    patient = await createPatient(t, doctorA);
    key = (await registerDevice(t, doctorA, { patientId: patient.user.id, deviceId })).api_key;
    start = t.clock.now() - 10 * 60_000;
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the whole flow', async () => {
    const wsA = await connectWs(t.app, `?token=${doctorA.token}`);
    const wsB = await connectWs(t.app, '');
    wsB.send({ type: 'auth', token: doctorB.token });
    await wsA.next((m) => m.type === 'ready');
    await wsB.next((m) => m.type === 'ready');

    // 1. One minute of a real recording, posted as 1 s packets.
    const real = toPackets(deviceId, ecgMv, FS, start);
    for (const p of real) expect((await post(t, key, p)).statusCode).toBe(201);

    const page = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}?limit=100&from=${start}`,
      headers: doctorA.headers,
    });
    const preds = page.json<{ items: PredictionItem[] }>().items.reverse();
    expect(preds).toHaveLength(real.length);
    // 2. HR within 2 bpm of the reference annotations, from 15 s on (the analyser needs a
    // 10 s window that ends 2 s before the newest sample).
    let compared = 0;
    for (const p of preds) {
      const end = p.timestamp - start + 1000;
      if (end < 15_000) continue;
      expect(p.heart_rate_source).toBe('ecg');
      expect(p.heart_rate_bpm).not.toBeNull();
      expect(
        Math.abs((p.heart_rate_bpm ?? 0) - referenceHr(beatsMs, end - 12_000, end - 2000)),
      ).toBeLessThanOrEqual(2);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(40);
    expect(preds.at(-1)?.risk_label).toBe('normal');

    // 3. A tachycardia (150 bpm for 50 s): the default hr_high rule (> 130 bpm for 30 s)
    // opens exactly one alert, updated while it lasts. The synthetic ECG is another heart's
    // morphology, so it follows a 10 s gap (electrodes re-attached: the analysis restarts).
    // Spliced straight onto record 101, its beats differ from the patient's template and arrive
    // early, which the beat classifier rightly reads as a run of ventricular beats.
    const tachyStart = start + real.length * 1000 + 10_000;
    const tachy = syntheticPackets(deviceId, 150, 50, tachyStart, 11, {}, real.length);
    for (const p of tachy) expect((await post(t, key, p)).statusCode).toBe(201);
    const opened = await wsA.next((m) => m.type === 'alert' && m.action === 'opened');
    expect(opened.data).toMatchObject({
      rule_kind: 'hr_high',
      patient_id: patient.user.id,
      status: 'active_unack',
    });
    const list = await t.app.inject({
      url: '/api/v1/alerts?state=active',
      headers: doctorA.headers,
    });
    const active = list.json<{ items: { id: string; rule_kind: string }[] }>().items;
    expect(active.filter((a) => a.rule_kind === 'hr_high')).toHaveLength(1);
    const latest = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}/latest`,
      headers: doctorA.headers,
    });
    const lp = latest.json<PredictionItem>();
    expect(lp.reasons.find((r) => r.code === 'HR_HIGH')?.text).toMatch(
      /^HR 1[45]\d bpm for \d+ s$/,
    );

    // 4. The other doctor's socket saw nothing of this patient; their alert list is empty.
    expect(
      wsB.messages.filter(
        (m) => m.type === 'alert' || m.type === 'vitals' || m.type === 'prediction',
      ),
    ).toEqual([]);
    const listB = await t.app.inject({ url: '/api/v1/alerts', headers: doctorB.headers });
    expect(listB.json<{ items: unknown[] }>().items).toEqual([]);
    const alertId = (opened.data as { id: string }).id;
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/alerts/${alertId}/ack`,
          headers: doctorB.headers,
        })
      ).statusCode,
    ).toBe(404);

    // 5. Doctor A acknowledges; the patient cannot.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/alerts/${alertId}/ack`,
          headers: patient.headers,
        })
      ).statusCode,
    ).toBe(403);
    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/ack`,
      headers: doctorA.headers,
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'active_ack', acknowledged_by: doctorA.user.id });
    await wsA.next((m) => m.type === 'alert' && m.action === 'acknowledged');

    // 6. Back to 70 bpm: the alert clears by itself, once the rate has been below the threshold
    //    for the rule's 30 s.
    const calmStart = tachyStart + tachy.length * 1000;
    const calm = syntheticPackets(deviceId, 70, 50, calmStart, 12, {}, real.length + tachy.length);
    for (const p of calm) expect((await post(t, key, p)).statusCode).toBe(201);
    const cleared = await wsA.next(
      (m) =>
        m.type === 'alert' && m.action === 'cleared' && (m.data as { id: string }).id === alertId,
    );
    expect(cleared.data).toMatchObject({ status: 'cleared_ack', cleared_by: 'rule' });
    const all = await t.app.inject({
      url: `/api/v1/alerts?patient_id=${patient.user.id}`,
      headers: doctorA.headers,
    });
    expect(
      all.json<{ items: { rule_kind: string }[] }>().items.filter((a) => a.rule_kind === 'hr_high'),
    ).toHaveLength(1);

    // 7. A client that reconnects with the last event id it saw gets what it missed.
    const firstEventId = opened.event_id ?? 0;
    wsA.close();
    const again = await connectWs(t.app, `?token=${doctorA.token}&last_event_id=${firstEventId}`);
    await again.next((m) => m.type === 'ready');
    const replayed = again.messages.filter((m) => m.type === 'alert').map((m) => m.action);
    expect(replayed).toEqual(['acknowledged', 'cleared']);
    again.close();
    wsB.close();
  });
});
