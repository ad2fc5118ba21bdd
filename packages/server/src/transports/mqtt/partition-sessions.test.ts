import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '@vigil/protocol';
import { startMosquitto, type MosquittoFixture } from '../../../test/mqtt/mosquitto-fixture.js';
import { MV_PROFILE } from '../../services/ecg-input-profile.js';
import {
  partitionClientId,
  sessionOfDevice,
  startPartitionSessions,
  type PartitionSessions,
} from './partition-sessions.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const T0 = 1_700_000_000_000;

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('MQTT partition sessions', () => {
  const vigil = { username: 'vigil', password: randomBytes(12).toString('hex') };
  const run = randomBytes(3).toString('hex');
  // Two devices in partition 0, one in partition 1 (the tests' own partitioning).
  const a = { username: `PS-A-${run}`, password: randomBytes(12).toString('hex') };
  const b = { username: `PS-B-${run}`, password: randomBytes(12).toString('hex') };
  const other = { username: `PS-O-${run}`, password: randomBytes(12).toString('hex') };
  const partitionOf = (deviceId: string): number => (deviceId === other.username ? 1 : 0);
  let broker: MosquittoFixture;

  beforeAll(async () => {
    broker = await startMosquitto({ vigil, devices: [a, b, other] });
  });
  afterAll(async () => {
    await broker.stop();
  });

  /** One instance's sessions; `ingested` collects the timestamps it stored, by device. */
  async function instance(o: {
    base: string;
    registered: string[];
    /** Sessions per partition (default 1: the tests of one session's behaviour). */
    sessionsPerPartition?: number;
    sessionOf?: (deviceId: string) => number;
    /** Holds the ingest of this timestamp until `release` is called (a message being stored). */
    holdTs?: number;
  }) {
    const ingested: string[] = [];
    let releaseHeld: (() => void) | undefined;
    const held = new Promise<void>((r) => (releaseHeld = r));
    const sessions: PartitionSessions = await startPartitionSessions({
      url: broker.url(vigil),
      clientIdBase: o.base,
      deviceIds: () => Promise.resolve([...o.registered]),
      partitionOf,
      sessionsPerPartition: o.sessionsPerPartition ?? 1,
      ...(o.sessionOf === undefined ? {} : { sessionOf: o.sessionOf }),
      refreshMs: 0,
      log: silent,
      devices: {
        resolveUploader: (_auth, deviceId) =>
          Promise.resolve({
            id: `row-${deviceId}`,
            device_id: deviceId,
            patient_id: null,
            owner_id: null,
            ecg_input: MV_PROFILE,
          }),
      },
      channels: {
        vitals: {
          validate: () => ({}),
          ingest: async (_auth, payloads) => {
            const results: IngestResult[] = [];
            for (const p of payloads) {
              const ts = (p as { device_id: string; timestamp?: number }).timestamp ?? 0;
              if (ts === o.holdTs) await held;
              ingested.push(`${p.device_id}@${String(ts - T0)}`);
              results.push({
                id: String(ts),
                device_id: p.device_id,
                timestamp: ts,
                sequence: null,
              });
            }
            return results;
          },
        },
      },
    });
    return { sessions, ingested, releaseHeld: () => releaseHeld?.() };
  }

  async function publish(device: { username: string; password: string }, seconds: number[]) {
    const dev = await mqtt.connectAsync(broker.url(device), { clientId: device.username });
    for (const s of seconds)
      await dev.publishAsync(
        `vigil/devices/${device.username}/vitals`,
        JSON.stringify({ device_id: device.username, timestamp: T0 + s }),
        { qos: 1 },
      );
    await dev.endAsync();
  }

  it('the new owner of a partition receives the messages queued while it had no owner, and the one in flight to the old owner', async () => {
    const base = `ps-${randomBytes(4).toString('hex')}`;
    const first = await instance({ base, registered: [a.username], holdTs: T0 + 3 });
    const second = await instance({ base, registered: [a.username] });
    try {
      first.sessions.open(0);
      await until('the first owner subscribed', () =>
        (first.sessions.connected().get(0) ?? []).includes(a.username),
      );
      await publish(a, [1, 2, 3]);
      // 1 and 2 stored; 3 is being stored (its ingest waits) when the partition is lost.
      await until('two messages stored', () => first.ingested.length === 2);
      await first.sessions.release(0);
      await publish(a, [4, 5]);

      second.sessions.open(0);
      await until('the new owner has the rest', () => second.ingested.length === 3);
      expect(first.ingested).toEqual([`${a.username}@1`, `${a.username}@2`]);
      // 3 again (unacknowledged: the broker redelivers it; storage keeps one), then the
      // messages published while the partition had no owner.
      expect(second.ingested).toEqual([`${a.username}@3`, `${a.username}@4`, `${a.username}@5`]);
    } finally {
      first.releaseHeld();
      await first.sessions.close();
      await second.sessions.close();
    }
  });

  it("a device registered after start is subscribed in its partition's session, and only its partition's devices reach it", async () => {
    const base = `ps-${randomBytes(4).toString('hex')}`;
    const registered = [a.username, other.username];
    const owner = await instance({ base, registered });
    try {
      owner.sessions.open(0);
      await until('partition 0 subscribed', () =>
        (owner.sessions.connected().get(0) ?? []).includes(a.username),
      );
      expect(owner.sessions.connected().get(0)).toEqual([a.username]);

      registered.push(b.username);
      owner.sessions.added(b.username);
      await until('the new device subscribed', () =>
        (owner.sessions.connected().get(0) ?? []).includes(b.username),
      );
      // The other partition's device first: by the time b's message is in, it would have been.
      await publish(other, [7]);
      await publish(b, [8]);
      await until("the new device's message", () => owner.ingested.length === 1);
      expect(owner.ingested).toEqual([`${b.username}@8`]);
    } finally {
      await owner.sessions.close();
    }
  });

  it("a message being stored holds only its own session: another device of the partition, on the partition's other session, is stored meanwhile, each device in order", async () => {
    const base = `ps-${randomBytes(4).toString('hex')}`;
    const owner = await instance({
      base,
      registered: [a.username, b.username],
      sessionsPerPartition: 2,
      sessionOf: (deviceId) => (deviceId === a.username ? 0 : 1),
      holdTs: T0 + 2,
    });
    try {
      owner.sessions.open(0);
      await until(
        'both sessions subscribed',
        () => owner.sessions.connected().get(0)?.length === 2,
      );
      // a's second message waits in its ingest; b's three are stored meanwhile.
      await publish(a, [1, 2, 3]);
      await until("a's first message", () => owner.ingested.length === 1);
      await publish(b, [11, 12, 13]);
      await until(
        "b's messages",
        () => owner.ingested.filter((m) => m.startsWith(b.username)).length === 3,
      );
      expect(owner.ingested).toEqual([
        `${a.username}@1`,
        `${b.username}@11`,
        `${b.username}@12`,
        `${b.username}@13`,
      ]);
      owner.releaseHeld();
      await until("a's messages", () => owner.ingested.length === 6);
      expect(owner.ingested.filter((m) => m.startsWith(a.username))).toEqual([
        `${a.username}@1`,
        `${a.username}@2`,
        `${a.username}@3`,
      ]);
    } finally {
      owner.releaseHeld();
      await owner.sessions.close();
    }
  });

  it('names the first session of a partition as before sessions were several, and spreads devices evenly over the others', () => {
    expect(partitionClientId('vigil', 7)).toBe('vigil-p07');
    expect(partitionClientId('vigil', 7, 0)).toBe('vigil-p07');
    expect(partitionClientId('vigil', 31, 3)).toBe('vigil-p31-s3');
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 4000; k++) {
      const s = sessionOfDevice(`ESP32-${String(k)}`, 4);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    // 1,000 each expected; a binomial spread (sd 27) stays well inside ±10 %.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(100);
    expect(sessionOfDevice('ESP32-1', 4)).toBe(sessionOfDevice('ESP32-1', 4));
  });

  it('a device retired is unsubscribed at the next re-read of the device list', async () => {
    const base = `ps-${randomBytes(4).toString('hex')}`;
    const registered = [a.username, b.username];
    const owner = await instance({ base, registered });
    try {
      owner.sessions.open(0);
      await until('both subscribed', () => owner.sessions.connected().get(0)?.length === 2);
      registered.splice(registered.indexOf(a.username), 1);
      await owner.sessions.refresh();
      expect(owner.sessions.connected().get(0)).toEqual([b.username]);
      await publish(a, [1]);
      await publish(b, [2]);
      await until("the remaining device's message", () => owner.ingested.length === 1);
      expect(owner.ingested).toEqual([`${b.username}@2`]);
    } finally {
      await owner.sessions.close();
    }
  });
});
