import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

// The numbers a device sent, as REST gives them back, must be the numbers FHIR exports: an EHR
// comparing the two must not find 62.3 where the device said 62.25.
describe('FHIR vital-sign values are the values stored', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  const sent = {
    heart_rate_bpm: 62.25,
    spo2_percent: 97.35,
    temperature_c: 36.65,
    respiratory_rate: 16.5,
  };

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, 'ESP32-VALUES');
    doctor = clinic.doctor;
    patient = clinic.patient;
    const [packet] = syntheticPackets('ESP32-VALUES', 70, 1, t.clock.now() - 5_000);
    expect((await post(t, clinic.key, { ...packet, ...sent })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('exports HR 62.25, SpO2 97.35, temperature 36.65 and respiration 16.5 as sent and as REST reads them', async () => {
    const rest = await t.app.inject({
      url: '/api/v1/vitals/ESP32-VALUES/latest',
      headers: doctor.headers,
    });
    expect(rest.json()).toMatchObject(sent);
    const res = await t.app.inject({
      url: `/fhir/R4/Observation?patient=${patient.user.id}`,
      headers: doctor.headers,
    });
    const values = Object.fromEntries(
      res
        .json<{
          entry: {
            resource: { code: { coding: { code: string }[] }; valueQuantity?: { value: number } };
          }[];
        }>()
        .entry.filter((e) => e.resource.valueQuantity !== undefined)
        .map((e): [string, number | undefined] => [
          e.resource.code.coding[0]?.code ?? '',
          e.resource.valueQuantity?.value,
        ]),
    );
    expect(values).toMatchObject({
      '8867-4': 62.25,
      '2708-6': 97.35,
      '8310-5': 36.65,
      '9279-1': 16.5,
    });
  });
});
