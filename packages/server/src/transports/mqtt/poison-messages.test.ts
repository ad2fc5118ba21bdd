import { describe, expect, it } from 'vitest';
import type { MqttDeadLetter } from '../../services/mqtt-dead-letters.service.js';
import { createPoisonQuarantine } from './poison-messages.js';

const silent = { warn: () => undefined, error: () => undefined };
const TOPIC = 'vigil/devices/D1/vitals';
const FAILURE = { code: 'INTERNAL_ERROR', status: 500, message: 'Error: boom' };

function quarantine(o: { attempts: number; maxKeys?: number; failStore?: () => boolean }) {
  const stored: MqttDeadLetter[] = [];
  const q = createPoisonQuarantine({
    attempts: o.attempts,
    maxKeys: o.maxKeys,
    log: silent,
    deadLetters: {
      store: (l) => {
        if (o.failStore?.() === true) return Promise.reject(new Error('down'));
        stored.push(l);
        return Promise.resolve();
      },
    },
  });
  return { q, stored };
}

describe('poison-message quarantine', () => {
  it('sets a message aside at its Nth failure with its sequence and timestamp for the device', async () => {
    const { q, stored } = quarantine({ attempts: 3 });
    const payload = Buffer.from('{"sequence":7,"timestamp":1700000000000}');
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).toBeNull();
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).toBeNull();
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).toEqual({
      ok: false,
      code: 'MESSAGE_QUARANTINED',
      status: 422,
      message: expect.any(String) as string,
      sequence: 7,
      timestamp: 1_700_000_000_000,
    });
    expect(stored).toEqual([
      {
        deviceId: 'D1',
        topic: TOPIC,
        payload,
        errorCode: 'INTERNAL_ERROR',
        errorMessage: 'Error: boom',
        attempts: 3,
      },
    ]);
  });

  it('never counts a 503, which says the server is busy or its database away', async () => {
    const { q, stored } = quarantine({ attempts: 1 });
    const unavailable = { code: 'DATABASE_UNAVAILABLE', status: 503, message: 'x' };
    for (let i = 0; i < 5; i++)
      expect(await q.failed('D1', TOPIC, Buffer.from('{}'), unavailable)).toBeNull();
    expect(stored).toEqual([]);
  });

  it('counts the same payload on another topic, or another payload, separately', async () => {
    const { q } = quarantine({ attempts: 2 });
    expect(await q.failed('D1', TOPIC, Buffer.from('a'), FAILURE)).toBeNull();
    expect(await q.failed('D1', `${TOPIC}x`, Buffer.from('a'), FAILURE)).toBeNull();
    expect(await q.failed('D1', TOPIC, Buffer.from('b'), FAILURE)).toBeNull();
    expect(await q.failed('D1', TOPIC, Buffer.from('a'), FAILURE)).not.toBeNull();
  });

  it('starts the count again after the message was acknowledged', async () => {
    const { q } = quarantine({ attempts: 2 });
    const payload = Buffer.from('a');
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).toBeNull();
    q.settled(TOPIC, payload);
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).toBeNull();
  });

  it('keeps a message unacknowledged while the dead letter cannot be stored, then sets it aside', async () => {
    let down = true;
    const { q, stored } = quarantine({ attempts: 2, failStore: () => down });
    const payload = Buffer.from('a');
    for (let i = 0; i < 4; i++) expect(await q.failed('D1', TOPIC, payload, FAILURE)).toBeNull();
    down = false;
    expect(await q.failed('D1', TOPIC, payload, FAILURE)).not.toBeNull();
    expect(stored.map((l) => l.attempts)).toEqual([5]);
  });

  it('forgets the least recently failed message when full', async () => {
    const { q } = quarantine({ attempts: 2, maxKeys: 2 });
    await q.failed('D1', TOPIC, Buffer.from('a'), FAILURE);
    await q.failed('D1', TOPIC, Buffer.from('b'), FAILURE);
    await q.failed('D1', TOPIC, Buffer.from('c'), FAILURE); // evicts a
    expect(await q.failed('D1', TOPIC, Buffer.from('a'), FAILURE)).toBeNull(); // evicts b
    expect(await q.failed('D1', TOPIC, Buffer.from('c'), FAILURE)).not.toBeNull();
  });
});
