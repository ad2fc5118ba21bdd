import { createBabyMonitorHttpTransport, createSimulatedBabyMonitor } from '@vigil/sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/index.js';
import { connectWs } from '../../test/vitals/ws-client.js';
import { DEMO_CLINIC, seedDemoClinic, withEcg12Stream, type SeededClinic } from './demo-clinic.js';
import { readDemoEcg12Stream } from './demo-ecg12.js';
import { startDemoFleet } from './demo-fleet.js';

const passwords = Object.fromEntries(
  DEMO_CLINIC.map((d) => [d.email, `demo-pass-${d.email.length}9`]),
);

let t: TestApp;
let clinic: SeededClinic;
let baseUrl: string;

beforeEach(async () => {
  t = await createTestApp();
  const { users, devices } = t.container.services;
  clinic = await seedDemoClinic({ users, devices, passwords, patientPassword: 'patient-pass-42' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await t.close();
});

function baby() {
  const device = clinic.devices.find((d) => d.scenario === 'baby-cry');
  if (device === undefined) throw new Error('the demo clinic has no baby monitor');
  return device;
}

async function tokenOf(email: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: passwords[email] },
  });
  return res.json<{ access_token: string }>().access_token;
}

describe('the demo baby monitor', () => {
  it("raises CRY_DETECTED with sick_detected for the baby's doctor 45 s into its scenario, and the fever and sick alerts", async () => {
    const device = baby();
    const doctor = clinic.doctors.find((d) => d.patients.some((p) => p.id === device.patientId));
    expect(doctor?.email).toBe('doctor2@vigil.local');
    const token = await tokenOf(doctor?.email ?? '');
    const ws = await connectWs(t.app, `?token=${token}`);
    const otherDoctor = await connectWs(t.app, `?token=${await tokenOf('doctor@vigil.local')}`);
    const monitor = createSimulatedBabyMonitor({ deviceId: device.deviceId, scenario: 'baby-cry' });
    const transport = createBabyMonitorHttpTransport({ baseUrl });
    try {
      await ws.next((m) => m.type === 'ready');
      await otherDoctor.next((m) => m.type === 'ready');
      // The scenario's first 45 s (10 readings), sent back to back through the real HTTP path.
      const creds = { deviceId: device.deviceId, apiKey: device.apiKey };
      const answers: { cry_detected: boolean; audio_url: string | null }[] = [];
      for (let i = 0; i < 10; i++)
        answers.push(
          (await transport.send(creds, monitor.nextReading())) as (typeof answers)[number],
        );
      expect(answers.map((a) => a.cry_detected)).toEqual([...Array<boolean>(9).fill(false), true]);
      // Clips at 0 s (room), 30 s (speech) and 45 s (the first cry).
      expect(answers.map((a) => a.audio_url !== null)).toEqual([
        true,
        false,
        false,
        false,
        false,
        false,
        true,
        false,
        false,
        true,
      ]);
      const pushed = await ws.next((m) => m.event === 'CRY_DETECTED');
      expect(pushed).toMatchObject({ patient_id: device.patientId, sick_detected: true });
      expect(otherDoctor.messages.some((m) => m.event === 'CRY_DETECTED')).toBe(false);
      await t.container.services.alerts.idle();
      const alerts = await t.app.inject({
        url: `/api/v1/alerts?patient_id=${device.patientId}&state=active`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(
        alerts
          .json<{ items: { rule_kind: string }[] }>()
          .items.map((a) => a.rule_kind)
          .sort(),
      ).toEqual(['infant_fever', 'infant_sick']);
    } finally {
      ws.close();
      otherDoctor.close();
      await transport.close();
    }
  });

  it('startDemoFleet uploads its first reading at once, with the monitor key', async () => {
    const device = baby();
    const fleet = startDemoFleet({ baseUrl, devices: [device], log: { warn: () => undefined } });
    try {
      const deadline = Date.now() + 10_000;
      while (fleet.sent < 1) {
        if (Date.now() > deadline) throw new Error('no reading accepted within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await fleet.close();
    }
    const rows = await t.container.database.db
      .selectFrom('baby_readings')
      .select(['device_id', 'patient_id', 'audio_content_type'])
      .execute();
    expect(rows).toEqual([
      { device_id: device.deviceId, patient_id: device.patientId, audio_content_type: 'audio/wav' },
    ]);
  });

  it('the 12-lead sensor streams its first packet of 12 leads at once, stored as a multi-lead chunk', async () => {
    const { users, devices } = t.container.services;
    const withStream = await seedDemoClinic({
      users,
      devices,
      passwords,
      patientPassword: 'patient-pass-42',
      clinic: withEcg12Stream(DEMO_CLINIC),
    });
    const device = withStream.devices.find((d) => d.ecg12);
    if (device === undefined) throw new Error('the demo clinic has no 12-lead sensor');
    const fleet = startDemoFleet({
      baseUrl,
      devices: [device],
      ecg12Records: readDemoEcg12Stream(),
      log: { warn: () => undefined },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (fleet.sent < 1) {
        if (Date.now() > deadline) throw new Error('no packet accepted within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await fleet.close();
    }
    const rows = await t.container.database.db
      .selectFrom('ecg_lead_chunks')
      .select(['device_id', 'patient_id', 'n_samples', 'sample_rate_hz', 'rhythm_lead'])
      .execute();
    expect(rows[0]).toEqual({
      device_id: device.deviceId,
      patient_id: device.patientId,
      n_samples: 500,
      sample_rate_hz: 500,
      rhythm_lead: 'II',
    });
  });
});
