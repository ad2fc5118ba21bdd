import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { partitionOf } from '../../src/cluster/device-partitions.js';
import type { TestApp } from '../helpers/app.js';
import { createMonitoredPatient } from '../helpers/builders.js';
import { post, syntheticPackets, type Packet } from '../vitals/packets.js';
import { freePort } from '../reliability/harness.js';
import { deviceOwnedBy, ownership, twoInstances } from './two-instances.js';

const url = process.env.DATABASE_URL;

interface StoredPrediction {
  ts: number;
  heart_rate_bpm: number | null;
  heart_rate_source: string | null;
  reasons: string;
}

async function rowsOf(t: TestApp, deviceId: string) {
  const db = t.container.database.db;
  const vitals = await db
    .selectFrom('vitals')
    .select(['id', 'ts'])
    .where('device_id', '=', deviceId)
    .orderBy('ts')
    .execute();
  const predictions = (await db
    .selectFrom('predictions')
    .select(['ts', 'heart_rate_bpm', 'heart_rate_source', 'reasons'])
    .where('device_id', '=', deviceId)
    .orderBy('ts')
    .execute()) as StoredPrediction[];
  return { vitals, predictions };
}

/** Posts each packet to the instance `pick` chooses, one at a time; every answer must be 2xx. */
async function send(packets: Packet[], key: string, pick: (i: number) => TestApp) {
  for (const [i, p] of packets.entries()) {
    const r = await post(pick(i), key, p);
    expect(r.statusCode, r.body).toBeLessThan(300);
  }
}

describe.skipIf(url === undefined)('per-device ownership of live analysis (PostgreSQL)', () => {
  const open: TestApp[] = [];
  afterEach(async () => {
    // The last one drops the schema.
    for (const t of open.splice(0)) await t.close();
  });

  it('splits the partitions between two instances, each held by one', async () => {
    const { a, b } = await twoInstances('vigil_own');
    open.push(a, b);
    const heldA = ownership(a).held();
    const heldB = ownership(b).held();
    expect(heldA.length).toBe(16);
    expect(heldB.length).toBe(16);
    expect(new Set([...heldA, ...heldB]).size).toBe(32);
  }, 60_000);

  it('analyses a device in order on its owner whichever instance receives its packets, stores each once, and moves it when the owner closes', async () => {
    const { a, b } = await twoInstances('vigil_own');
    open.push(a, b);
    // A device whose partition `a` holds.
    const deviceId = deviceOwnedBy(a, (i) => `ESP32-own-${String(i)}`);
    expect(ownership(b).owns(deviceId)).toBe(false);
    const { key } = await createMonitoredPatient(a, deviceId);
    const start = a.clock.now() - 60_000;
    const packets = syntheticPackets(deviceId, 75, 40, start);

    // Alternately at the owner and at the other instance (a load balancer's round robin).
    await send(packets.slice(0, 20), key, (i) => (i % 2 === 0 ? a : b));
    await vi.waitFor(
      async () => {
        expect((await rowsOf(a, deviceId)).predictions.length).toBe(20);
      },
      { timeout: 10_000 },
    );
    // A retry of a stored packet at the other instance is answered, not stored again.
    const retry = await post(b, key, packets[3]);
    expect(retry.statusCode).toBe(201);
    let { vitals, predictions } = await rowsOf(a, deviceId);
    expect(retry.json<{ id: string }>().id).toBe(vitals[3]?.id);
    expect(vitals.map((v) => v.ts)).toEqual(packets.slice(0, 20).map((p) => p.timestamp));
    // One assessment per packet, in order: none arrived "late" at the analysis.
    expect(predictions.map((p) => p.ts)).toEqual(vitals.map((v) => v.ts));
    expect(predictions.filter((p) => p.reasons.includes('LATE_PACKET'))).toEqual([]);
    const ecgRates = predictions.filter((p) => p.heart_rate_source === 'ecg');
    expect(ecgRates.length).toBeGreaterThan(10);
    for (const p of ecgRates) expect(Math.abs((p.heart_rate_bpm ?? 0) - 75)).toBeLessThan(5);

    // The owner goes: `b` takes its partitions and continues from the stored ECG.
    await a.close();
    open.splice(open.indexOf(a), 1);
    await ownership(b).heartbeat();
    expect(ownership(b).owns(deviceId)).toBe(true);
    await send(packets.slice(20), key, () => b);
    ({ vitals, predictions } = await rowsOf(b, deviceId));
    expect(vitals.length).toBe(40);
    expect(predictions.map((p) => p.ts)).toEqual(vitals.map((v) => v.ts));
    const after = predictions.slice(20);
    expect(after.filter((p) => p.reasons.includes('LATE_PACKET'))).toEqual([]);
    // Rebuilt from the stored seconds: the heart rate from ECG is there from the first packet.
    expect(after[0]?.heart_rate_source).toBe('ecg');
    expect(Math.abs((after[0]?.heart_rate_bpm ?? 0) - 75)).toBeLessThan(5);
    expect(partitionOf(deviceId)).toBeGreaterThanOrEqual(0);
    const { rows } = await sql<{ n: string }>`select count(*) as n from vitals`.execute(
      b.container.database.db,
    );
    expect(Number(rows[0]?.n)).toBe(40);
  }, 120_000);

  it('analyses in order a packet another instance stored whose notice has not reached the owner when the next one arrives', async () => {
    const { a, b } = await twoInstances('vigil_own');
    open.push(a, b);
    const deviceId = deviceOwnedBy(a, (i) => `ESP32-slow-${String(i)}`);
    const { key } = await createMonitoredPatient(a, deviceId);
    const packets = syntheticPackets(deviceId, 75, 16, a.clock.now() - 60_000);

    await send(packets.slice(0, 6), key, () => a);
    // The owner hears nothing of what `b` stores (a notice seconds late on a loaded machine).
    const notices = vi.spyOn(a.container.services.ingest, 'storedElsewhere');
    notices.mockImplementation(() => undefined);
    await send(packets.slice(6, 7), key, () => b);
    await send(packets.slice(7), key, () => a);
    notices.mockRestore();

    const { vitals, predictions } = await rowsOf(a, deviceId);
    expect(vitals.map((v) => v.ts)).toEqual(packets.map((p) => p.timestamp));
    // Packet 6 was read back when packet 7 left a gap: every packet assessed once, in order,
    // none as late, each with its heart rate from the ECG.
    expect(predictions.map((p) => p.ts)).toEqual(vitals.map((v) => v.ts));
    expect(predictions.filter((p) => p.reasons.includes('LATE_PACKET'))).toEqual([]);
    for (const p of predictions.slice(4)) {
      expect(p.heart_rate_source).toBe('ecg');
      expect(Math.abs((p.heart_rate_bpm ?? 0) - 75)).toBeLessThan(5);
    }
  }, 120_000);

  it('analyses the windows another instance stored after the device clock stepped back hours', async () => {
    const { a, b } = await twoInstances('vigil_own');
    open.push(a, b);
    const deviceId = deviceOwnedBy(a, (i) => `ESP32-step-${String(i)}`);
    const { key } = await createMonitoredPatient(a, deviceId);
    // No sequence numbers (as the cardiac-monitor firmware): only the clock orders packets.
    const unsequenced = (packets: Packet[]) => packets.map(({ sequence: _, ...p }) => p);
    const tick = () => {
      a.clock.advance(1000);
      b.clock.advance(1000);
    };
    const start = a.clock.now() - 60_000;
    for (const p of unsequenced(syntheticPackets(deviceId, 75, 10, start))) {
      await send([p], key, () => a);
      tick();
    }
    // The clock steps back 3 h; the owner is out of reach, so `b` stores the windows (sent in
    // real time, one a second) and tells the owner, whose catch-up reads them back.
    const stepped = unsequenced(
      syntheticPackets(deviceId, 75, 6, start + 10_000 - 3 * 3_600_000, 8),
    );
    for (const p of stepped) {
      await send([p], key, () => b);
      tick();
    }
    // Before, the catch-up looked only 60 s behind the stream's timestamps: none was assessed.
    await vi.waitFor(
      async () => {
        const { predictions } = await rowsOf(a, deviceId);
        expect(predictions.filter((p) => p.ts < start).map((p) => p.ts)).toEqual(
          stepped.map((p) => p.timestamp),
        );
      },
      { timeout: 20_000 },
    );
    const { predictions } = await rowsOf(a, deviceId);
    // Analysed as a new stream, not set aside as late packets.
    expect(predictions.filter((p) => p.reasons.includes('LATE_PACKET'))).toEqual([]);
  }, 120_000);

  it("hands an upload that reaches another instance to the device's owner, which answers with its prediction, and handles it where it arrived when the owner is gone", async () => {
    const ports = { a: await freePort(), b: await freePort() };
    const { a, b } = await twoInstances('vigil_fwd', (name) => ({
      PORT: String(ports[name]),
      HOST: '127.0.0.1',
    }));
    open.push(a, b);
    await a.app.listen({ port: ports.a, host: '127.0.0.1' });
    await b.app.listen({ port: ports.b, host: '127.0.0.1' });
    const deviceId = deviceOwnedBy(a, (i) => `ESP32-fwd-${String(i)}`);
    const { key } = await createMonitoredPatient(a, deviceId);
    const packets = syntheticPackets(deviceId, 75, 12, a.clock.now() - 60_000);
    const storedAtB = vi.spyOn(b.container.services.ingest, 'ingest');

    // Every packet at the instance that does not own the device: each answered by the owner,
    // with the prediction a packet sent to the owner gets (a stored-and-handed-over one has none).
    for (const p of packets.slice(0, 8)) {
      const r = await post(b, key, p);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json<{ prediction: unknown }>().prediction).not.toBeNull();
    }
    expect(storedAtB).not.toHaveBeenCalled();
    const forwarded = await b.container.metrics.getSingleMetricAsString(
      'vigil_ingest_forwarded_total',
    );
    expect(forwarded).toContain('vigil_ingest_forwarded_total{outcome="answered"} 8');
    let { vitals, predictions } = await rowsOf(a, deviceId);
    expect(vitals.map((v) => v.ts)).toEqual(packets.slice(0, 8).map((p) => p.timestamp));
    expect(predictions.map((p) => p.ts)).toEqual(vitals.map((v) => v.ts));
    expect(predictions.filter((p) => p.reasons.includes('LATE_PACKET'))).toEqual([]);

    // A bad upload is refused by the owner, naming the field, and the refusal is the answer.
    const bad = await post(b, key, { ...packets[8], ecg_samples: 'no' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ field: string }>().field).toBe('ecg_samples');

    // The owner goes; until `b` reads the owners again it still names `a`, which refuses the
    // connection: the upload is handled where it arrived (stored once, handed over).
    await a.close();
    open.splice(open.indexOf(a), 1);
    const r = await post(b, key, packets[8]);
    expect(r.statusCode, r.body).toBe(201);
    expect(storedAtB).toHaveBeenCalledTimes(1);
    expect(
      await b.container.metrics.getSingleMetricAsString('vigil_ingest_forwarded_total'),
    ).toContain('vigil_ingest_forwarded_total{outcome="failed"} 1');
    // Then `b` takes the partition over, and analyses the rest itself.
    await ownership(b).heartbeat();
    await send(packets.slice(9), key, () => b);
    ({ vitals, predictions } = await rowsOf(b, deviceId));
    expect(vitals.map((v) => v.ts)).toEqual(packets.map((p) => p.timestamp));
    await vi.waitFor(
      async () => {
        expect((await rowsOf(b, deviceId)).predictions.length).toBe(12);
      },
      { timeout: 10_000 },
    );
  }, 120_000);

  it('answers a packet that another instance stored while this one was storing it as a retry, not as a server error', async () => {
    const { a, b } = await twoInstances('vigil_race');
    open.push(a, b);
    const deviceId = deviceOwnedBy(a, (i) => `ESP32-race-${String(i)}`);
    const { key } = await createMonitoredPatient(a, deviceId);
    const [first, second] = syntheticPackets(deviceId, 75, 2, a.clock.now() - 60_000);
    const stored = await post(a, key, first);
    expect(stored.statusCode).toBe(201);
    // `b` reads the stored packets as they were before `a` committed (the race's window).
    const repository = b.container.services.ingest.kind.repository;
    vi.spyOn(repository, 'latest').mockResolvedValueOnce(undefined);
    const again = await post(b, key, first);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json<{ id: string }>().id).toBe(stored.json<{ id: string }>().id);
    const next = await post(b, key, second);
    expect(next.statusCode).toBe(201);
    expect((await rowsOf(a, deviceId)).vitals.map((v) => v.ts)).toEqual([
      first?.timestamp,
      second?.timestamp,
    ]);
  }, 60_000);
});
