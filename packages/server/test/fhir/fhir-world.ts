import type { DeviceWithKey } from '../../src/services/devices.service.js';
import { e07509Body } from '../ecg12/ecg12-fixture.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

export interface FhirWorld {
  admin: TestUser;
  docA: TestUser;
  docB: TestUser;
  patA: TestUser;
  patB: TestUser;
  devA: DeviceWithKey;
  /** Time of patient A's first packet (ms, a whole second); packet k is at base + k s. */
  base: number;
  /** Packets of patient A (each with heart rate, SpO2, temperature, respiratory rate, ECG). */
  packets: number;
  /** Id of patient A's 12-lead classification. */
  ecg12Id: string;
}

/**
 * A clinic with known data: doctor A's patient A wears device A, which sent `packets` one-second
 * packets (HR 70, SpO2 97 %, 36.6 °C, 16 /min, 250 Hz ECG) from `base`; doctor A classified one
 * 12-lead ECG for patient A. Doctor B and patient B see none of it.
 */
export async function buildFhirWorld(t: TestApp, packets = 30): Promise<FhirWorld> {
  const admin = await createAdmin(t);
  const docA = await createDoctor(t, admin, 'Doctor A');
  const docB = await createDoctor(t, admin, 'Doctor B');
  const patA = await createPatient(t, docA, 'Patient A');
  const patB = await createPatient(t, docB, 'Patient B');
  const devA = await registerDevice(t, docA, { patientId: patA.user.id, name: 'Chest patch' });
  const base = Math.floor(t.clock.now() / 60_000) * 60_000 - 10 * 60_000;
  const batch = syntheticPackets(devA.device_id, 70, packets, base, 7, {
    heart_rate_bpm: 70,
    temperature_c: 36.6,
    spo2_percent: 97,
    respiratory_rate: 16,
  });
  const res = await post(t, devA.api_key, batch);
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`packets refused: ${res.statusCode} ${res.body}`);
  const ecg12 = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ecg/classify',
    headers: docA.headers,
    payload: e07509Body({ patient_id: patA.user.id }),
  });
  if (ecg12.statusCode !== 200) throw new Error(`classification refused: ${ecg12.body}`);
  return {
    admin,
    docA,
    docB,
    patA,
    patB,
    devA,
    base,
    packets,
    ecg12Id: ecg12.json<{ id: string }>().id,
  };
}
