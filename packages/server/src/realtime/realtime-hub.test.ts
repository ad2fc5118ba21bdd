import { describe, expect, it } from 'vitest';
import type { AlertView, RealtimeEvent } from '../services/realtime-port.js';
import { DomainError } from '../errors/catalogue.js';
import { createRealtimeHub, type HubSocket } from './realtime-hub.js';

/** A socket that records what the hub sends. */
function fakeSocket(): HubSocket & {
  sent: { type: string; event_id?: number }[];
  bufferedAmount: number;
  terminated: boolean;
} {
  const sent: { type: string; event_id?: number }[] = [];
  return {
    sent,
    bufferedAmount: 0,
    terminated: false,
    readyState: 1,
    OPEN: 1,
    send(data: string) {
      sent.push(JSON.parse(data) as { type: string; event_id?: number });
    },
    close: () => undefined,
    terminate() {
      this.terminated = true;
    },
    ping: () => undefined,
    on: () => undefined,
  };
}

function alertEvent(eventId: number): RealtimeEvent {
  return {
    type: 'alert',
    patientId: 'p1',
    deviceId: 'd1',
    eventId,
    action: 'opened',
    data: { id: `a${eventId}` } as unknown as AlertView,
  };
}

async function connectedHub(
  lastEventId?: number,
  history: number[] = [],
  maxBufferedBytes?: number,
  storedAlert: (id: number) => unknown = (id) => ({ id: `a${id}` }),
) {
  const hub = createRealtimeHub({
    ...(maxBufferedBytes === undefined ? {} : { maxBufferedBytes }),
    authenticate: () => Promise.resolve({ id: 'admin', role: 'admin' }),
    visiblePatientIds: () => Promise.resolve(undefined),
    events: {
      listAfter: (after) =>
        Promise.resolve(
          history
            .filter((id) => id > after)
            .map((id) => ({
              id,
              type: 'alert',
              patient_id: 'p1',
              device_id: 'd1',
              created_at: 0,
              payload: JSON.stringify({ action: 'opened', alert: storedAlert(id) }),
            })),
        ),
      lastId: () => Promise.resolve(Math.max(0, ...history)),
    },
    log: { warn: () => undefined, debug: () => undefined },
  });
  const socket = fakeSocket();
  hub.accept(socket, { token: 't', last_event_id: lastEventId });
  for (let i = 0; i < 20 && !socket.sent.some((m) => m.type === 'ready'); i++) {
    await new Promise((r) => setImmediate(r));
  }
  return { hub, socket };
}

const alertIds = (s: { sent: { type: string; event_id?: number }[] }) =>
  s.sent.filter((m) => m.type === 'alert').map((m) => m.event_id);

describe('realtime hub alert delivery', () => {
  it('delivers an alert whose id is lower than one already sent (out-of-order commit)', async () => {
    const { hub, socket } = await connectedHub();
    hub.publish(alertEvent(101));
    hub.publish(alertEvent(100));
    await new Promise((r) => setImmediate(r));
    expect(alertIds(socket)).toEqual([101, 100]);
    await hub.close();
  });

  it('sends an event once even when the catch-up and the live path both carry it', async () => {
    const { hub, socket } = await connectedHub(5, [6, 7]);
    hub.publish(alertEvent(7));
    hub.publish(alertEvent(5));
    hub.publish(alertEvent(8));
    await new Promise((r) => setImmediate(r));
    // 6 and 7 from the log, 5 was seen before the reconnect, 8 is new.
    expect(alertIds(socket)).toEqual([6, 7, 8]);
    await hub.close();
  });

  it('gives alerts stored before onset_at existed the data time their rows were given (025)', async () => {
    const stored = (id: number) => ({
      id: `a${id}`,
      rule_kind: id === 1 ? 'af_onset' : 'device_silent',
      opened_at: 1000 * id,
    });
    const { hub, socket } = await connectedHub(0, [1, 2], undefined, stored);
    const data = socket.sent
      .filter((m) => m.type === 'alert')
      .map((m) => (m as unknown as { data: { onset_at: unknown } }).data.onset_at);
    expect(data).toEqual([1000, null]);
    await hub.close();
  });
});

describe('realtime hub and a client that does not read', () => {
  it('drops a connection whose unsent bytes pass the bound, and sends it nothing more', async () => {
    const { hub, socket } = await connectedHub(undefined, [], 1000);
    hub.publish(alertEvent(1));
    await new Promise((r) => setImmediate(r));
    expect(alertIds(socket)).toEqual([1]);
    // The client stopped reading: what the hub sent piles up in the socket's buffer.
    socket.bufferedAmount = 1001;
    hub.publish(alertEvent(2));
    await new Promise((r) => setImmediate(r));
    expect(socket.terminated).toBe(true);
    expect(hub.droppedSlowReaders).toBe(1);
    expect(hub.connections).toBe(0);
    hub.publish(alertEvent(3));
    await new Promise((r) => setImmediate(r));
    expect(alertIds(socket)).toEqual([1]);
    await hub.close();
  });

  it('keeps a connection at the bound', async () => {
    const { hub, socket } = await connectedHub(undefined, [], 1000);
    socket.bufferedAmount = 1000;
    hub.publish(alertEvent(1));
    await new Promise((r) => setImmediate(r));
    expect(socket.terminated).toBe(false);
    expect(alertIds(socket)).toEqual([1]);
    await hub.close();
  });
});

describe("realtime hub and a doctor's changing list of patients", () => {
  function vitalsEvent(patientId: string): RealtimeEvent {
    return { type: 'vitals', patientId, deviceId: 'd1', data: {} } as unknown as RealtimeEvent;
  }

  async function doctorHub() {
    let clock = 0;
    let patients = ['p1', 'p2'];
    let reloads = 0;
    const hub = createRealtimeHub({
      authenticate: () => Promise.resolve({ id: 'doc', role: 'doctor' }),
      visiblePatientIds: () => {
        reloads++;
        return Promise.resolve([...patients]);
      },
      events: { listAfter: () => Promise.resolve([]), lastId: () => Promise.resolve(0) },
      log: { warn: () => undefined, debug: () => undefined },
      scopeTtlMs: 5_000,
      now: () => clock,
    });
    const socket = fakeSocket();
    hub.accept(socket, { token: 't' });
    for (let i = 0; i < 20 && !socket.sent.some((m) => m.type === 'ready'); i++)
      await new Promise((r) => setImmediate(r));
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    const vitalsSent = () => socket.sent.filter((m) => m.type === 'vitals').length;
    return {
      hub,
      vitalsSent,
      settle,
      advance: (ms: number) => (clock += ms),
      setPatients: (ids: string[]) => (patients = ids),
      reloads: () => reloads,
    };
  }

  it('stops streaming a patient moved away from the doctor once the list is older than its TTL', async () => {
    const d = await doctorHub();
    d.hub.publish(vitalsEvent('p1'));
    await d.settle();
    expect(d.vitalsSent()).toBe(1);
    // p1 is given to another doctor (or this doctor's account is deleted).
    d.setPatients(['p2']);
    d.advance(6_000);
    d.hub.publish(vitalsEvent('p1'));
    d.hub.publish(vitalsEvent('p2'));
    await d.settle();
    expect(d.vitalsSent()).toBe(2);
    await d.hub.close();
  });

  it('reloads the list once for a burst of events, and not again within the TTL', async () => {
    const d = await doctorHub();
    const before = d.reloads();
    d.advance(6_000);
    for (let i = 0; i < 10; i++) d.hub.publish(vitalsEvent('p1'));
    await d.settle();
    d.advance(1_000);
    d.hub.publish(vitalsEvent('p2'));
    await d.settle();
    expect(d.reloads() - before).toBe(1);
    expect(d.vitalsSent()).toBe(11);
    await d.hub.close();
  });
});

describe('realtime hub and a token that stops being valid', () => {
  async function hubWithToken() {
    let verdict: 'ok' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'DATABASE_UNAVAILABLE' = 'ok';
    const hub = createRealtimeHub({
      authenticate: () =>
        verdict === 'ok'
          ? Promise.resolve({ id: 'doc', role: 'doctor' })
          : Promise.reject(new DomainError(verdict)),
      visiblePatientIds: () => Promise.resolve(['p1']),
      events: { listAfter: () => Promise.resolve([]), lastId: () => Promise.resolve(0) },
      log: { warn: () => undefined, debug: () => undefined },
      heartbeatMs: 10,
    });
    const closed: number[] = [];
    const socket = { ...fakeSocket(), close: (code?: number) => void closed.push(code ?? 1000) };
    hub.accept(socket, { token: 't' });
    /** Waits (a bounded number of heartbeats, no timing asserted) until `done` holds. */
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => socket.sent.some((m) => m.type === 'ready'));
    return { hub, socket, closed, until, refuse: (v: typeof verdict) => (verdict = v) };
  }

  it('closes a socket whose access token expired with 4401 and TOKEN_EXPIRED', async () => {
    const h = await hubWithToken();
    h.refuse('TOKEN_EXPIRED');
    await h.until(() => h.closed.length > 0);
    expect(h.closed).toEqual([4401]);
    expect(h.socket.sent.at(-1)).toMatchObject({ type: 'error', code: 'TOKEN_EXPIRED' });
    expect(h.hub.connections).toBe(0);
    await h.hub.close();
  });

  it('closes a socket whose user was deleted (TOKEN_INVALID) and sends it no more events', async () => {
    const h = await hubWithToken();
    h.refuse('TOKEN_INVALID');
    await h.until(() => h.closed.length > 0);
    h.hub.publish({ type: 'vitals', patientId: 'p1', deviceId: 'd1', data: {} } as never);
    expect(h.closed).toEqual([4401]);
    expect(h.socket.sent.filter((m) => m.type === 'vitals')).toEqual([]);
    await h.hub.close();
  });

  it('keeps the socket when the check fails for another reason (database unavailable)', async () => {
    const h = await hubWithToken();
    h.refuse('DATABASE_UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 60));
    expect(h.closed).toEqual([]);
    expect(h.hub.connections).toBe(1);
    await h.hub.close();
  });
});
