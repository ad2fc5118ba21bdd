import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from '../vitals/packets.js';

interface Observation {
  id: string;
  effectiveDateTime: string;
  valueQuantity: { value: number; code: string };
  method?: { text: string };
  device?: { reference: string };
}
interface Bundle {
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { resource: Observation }[];
}

// A device that streams ECG alone (no pulse sensor, no heart_rate_bpm): Vigil measures its
// heart rate from the ECG (the upload's prediction, the report, the dashboard), and FHIR must
// carry that rate too: an EHR reading FHIR got no heart rate at all for such a patient.
describe('FHIR heart rate of an ECG-only device', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  const base = Date.UTC(2026, 11, 6, 23, 59, 30);
  const rates = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, 'ESP32-ECGONLY');
    doctor = clinic.doctor;
    patient = clinic.patient;
    // 40 s at 72 bpm, then one packet whose device sent its own rate (61 bpm).
    const packets = syntheticPackets('ESP32-ECGONLY', 72, 41, base);
    const last = packets.pop();
    const res = await post(t, clinic.key, packets);
    expect(res.statusCode).toBe(200);
    const one = await post(t, clinic.key, { ...last, heart_rate_bpm: 61 });
    expect(one.statusCode).toBe(201);
    for (const item of res.json<{
      items: {
        timestamp: number;
        prediction: { heart_rate_bpm: number | null; heart_rate_source: string | null } | null;
      }[];
    }>().items)
      if (item.prediction?.heart_rate_source === 'ecg' && item.prediction.heart_rate_bpm !== null)
        rates.set(item.timestamp, item.prediction.heart_rate_bpm);
  });
  afterAll(async () => {
    await t.close();
  });

  async function pages(url: string, user: TestUser): Promise<Bundle[]> {
    const out: Bundle[] = [];
    let next: string | undefined = url;
    while (next !== undefined) {
      const res = await t.app.inject({ url: next, headers: user.headers });
      expect(res.statusCode).toBe(200);
      const bundle: Bundle = res.json();
      out.push(bundle);
      const link: string | undefined = bundle.link.find((l) => l.relation === 'next')?.url;
      next = link === undefined ? undefined : new URL(link).pathname + new URL(link).search;
    }
    return out;
  }

  it('lists the rate measured from the ECG of each packet, and the device rate where it sent one', async () => {
    expect(rates.size).toBeGreaterThan(20);
    const bundles = await pages(
      `/fhir/R4/Observation?patient=${patient.user.id}&code=8867-4&_count=7`,
      doctor,
    );
    const items = bundles.flatMap((b) => b.entry ?? []).map((e) => e.resource);
    expect(bundles[0]?.total).toBe(rates.size + 1);
    expect(new Set(items.map((o) => o.id)).size).toBe(rates.size + 1);
    const fromEcg = items.filter((o) => o.method?.text.startsWith('ECG') === true);
    expect(fromEcg).toHaveLength(rates.size);
    for (const o of fromEcg) {
      const rate = rates.get(Date.parse(o.effectiveDateTime));
      expect(rate).toBeDefined();
      expect(o.valueQuantity.value).toBe(Math.round((rate ?? 0) * 10) / 10);
      expect(o.valueQuantity.code).toBe('/min');
      expect(Math.abs(o.valueQuantity.value - 72)).toBeLessThan(3);
      expect(o.device?.reference).toMatch(/^Device\//);
    }
    // The packet with its own rate keeps it, once: no second heart rate at that second.
    const own = items.filter((o) => Date.parse(o.effectiveDateTime) === base + 40_000);
    expect(own.map((o) => o.valueQuantity.value)).toEqual([61]);
    // Midnight UTC cuts the stream: the day before holds the first 30 s.
    const before = await pages(
      `/fhir/R4/Observation?patient=${patient.user.id}&code=8867-4&date=lt2026-12-07T00:00:00Z`,
      doctor,
    );
    expect(before[0]?.total).toBe([...rates.keys()].filter((ts) => ts < base + 30_000).length);
  });

  it('reads each one by id, identical, for the patient too', async () => {
    const [bundle] = await pages(
      `/fhir/R4/Observation?patient=${patient.user.id}&code=8867-4&_count=3`,
      patient,
    );
    for (const entry of bundle?.entry ?? []) {
      const read = await t.app.inject({
        url: `/fhir/R4/Observation/${entry.resource.id}`,
        headers: patient.headers,
      });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(entry.resource);
    }
  });
});
