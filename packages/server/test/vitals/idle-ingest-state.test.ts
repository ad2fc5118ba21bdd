import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Scheduler } from '../../src/adapters/scheduler.js';
import {
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

const MINUTE = 60_000;

/** Timers run by hand: `tick()` runs every registered task once (one period). */
function manualScheduler(): Scheduler & { tick(): void } {
  const tasks = new Set<() => void>();
  return {
    every(_periodMs, task) {
      tasks.add(task);
      return () => tasks.delete(task);
    },
    tick() {
      for (const task of tasks) task();
    },
  };
}

/**
 * A patch stays assigned but stops sending (taken off for the night). Before, the ingest kept its
 * state (packet order, stream analysis; a 12-lead device's 10 s window, ~0.5 MB) for as long as
 * the process ran. INGEST_IDLE_EVICT_S (default 900 s) drops it; the next packet starts as after
 * a restart.
 */
describe("an idle device's ingest state", () => {
  const scheduler = manualScheduler();
  let t: TestApp;
  let doctor: TestUser;
  let device: { device_id: string; api_key: string };
  let start: number;

  beforeAll(async () => {
    t = await createTestApp({ scheduler });
    doctor = await createDoctor(t);
    const patient = await createPatient(t, doctor);
    device = await registerDevice(t, doctor, { patientId: patient.user.id });
    start = t.clock.now() - 10_000;
  });
  afterAll(async () => {
    await t.close();
  });

  it('is kept for 15 minutes without a reading, then dropped', async () => {
    const { ingest } = t.container.services;
    for (const p of syntheticPackets(device.device_id, 70, 3, start)) {
      const res = await post(t, device.api_key, p);
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(ingest.devicesTracked).toBe(1);
    t.clock.advance(14 * MINUTE);
    scheduler.tick();
    // Not idle long enough: nothing was queued for eviction.
    expect(ingest.devicesTracked).toBe(1);
    t.clock.advance(MINUTE + 1);
    scheduler.tick();
    await vi.waitFor(() => {
      expect(ingest.devicesTracked).toBe(0);
    });
  });

  it('answers a retry and stores the next packets as after a restart', async () => {
    const { ingest } = t.container.services;
    const packets = syntheticPackets(device.device_id, 70, 5, start);
    const [, , third, fourth, fifth] = packets;
    if (third === undefined || fourth === undefined || fifth === undefined)
      throw new Error('five packets expected');
    const first = (await post(t, device.api_key, third)).json<{ id: string }>();
    for (const p of [fourth, fifth]) {
      const res = await post(t, device.api_key, p);
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(ingest.devicesTracked).toBe(1);
    // The retried third packet is the one stored before the eviction (its first id).
    expect((await post(t, device.api_key, third)).json<{ id: string }>().id).toBe(first.id);
    const stored = await t.app.inject({
      url: `/api/v1/vitals/${device.device_id}?limit=100`,
      headers: doctor.headers,
    });
    expect(
      stored
        .json<{ items: { timestamp: number }[] }>()
        .items.map((i) => i.timestamp - start)
        .sort((a, b) => a - b),
    ).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});
