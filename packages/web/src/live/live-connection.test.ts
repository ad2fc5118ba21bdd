import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '../api/client.js';
import { LiveConnection, type SocketLike } from './live-connection.js';
import { LiveStore } from './live-store.js';

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  receive(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  drop(code = 1006): void {
    this.onclose?.({ code } as CloseEvent);
  }
}

function alertFrame(eventId: number, id: string, status: string) {
  return {
    type: 'alert',
    event_id: eventId,
    action: 'opened',
    data: { id, patient_id: 'p1', severity: 'warning', status, message: 'HR 140 bpm' },
  };
}

let sockets: FakeSocket[];
let session: { accessToken: string } | null;
let refresh: ReturnType<typeof vi.fn<() => Promise<boolean>>>;
let store: LiveStore;
let live: LiveConnection;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  session = { accessToken: 'tok-1' };
  refresh = vi.fn(() => {
    session = { accessToken: 'tok-2' };
    return Promise.resolve(true);
  });
  store = new LiveStore();
  live = new LiveConnection(
    {
      get current() {
        return session as Session | null;
      },
      refresh,
    },
    store,
    {
      wsOrigin: () => 'ws://vigil.test',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      delayMs: () => 100,
    },
  );
});

afterEach(() => {
  live.stop();
  vi.useRealTimers();
});

describe('LiveConnection', () => {
  it('sends the access token as its first message, never in the URL, and reports the state', () => {
    live.start();
    expect(sockets[0]?.url).toBe('ws://vigil.test/api/v1/ws');
    expect(store.status).toBe('connecting');
    sockets[0]?.open();
    expect(sockets[0]?.sent.map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'auth', token: 'tok-1' },
    ]);
    expect(store.status).toBe('open');
  });

  it('reconnects after a drop and asks for the events after the last one it saw', async () => {
    live.start();
    const first = sockets[0];
    first?.open();
    first?.receive({ type: 'welcome', user_id: 'u1', last_event_id: 5 });
    first?.receive(alertFrame(6, 'a1', 'active_unack'));
    first?.drop();
    expect(store.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.url).toBe('ws://vigil.test/api/v1/ws');
    sockets[1]?.open();
    expect(JSON.parse(sockets[1]?.sent[0] ?? '')).toEqual({
      type: 'auth',
      token: 'tok-1',
      last_event_id: 6,
    });
    // The replayed event updates the store like a live one.
    sockets[1]?.receive(alertFrame(7, 'a1', 'active_ack'));
    expect(store.alerts.get('a1')?.status).toBe('active_ack');
  });

  it('refreshes the token before reconnecting when the server refused it (4401)', async () => {
    live.start();
    sockets[0]?.drop(4401);
    await vi.advanceTimersByTimeAsync(100);
    expect(refresh).toHaveBeenCalledTimes(1);
    sockets[1]?.open();
    expect(JSON.parse(sockets[1]?.sent[0] ?? '')).toEqual({ type: 'auth', token: 'tok-2' });
  });

  it('stops reconnecting once stopped (sign out)', async () => {
    live.start();
    const first = sockets[0];
    live.stop();
    expect(first?.closed).toBe(true);
    first?.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(1);
    expect(store.status).toBe('idle');
  });

  it('raises a toast event for a newly opened alert only', () => {
    const seen: string[] = [];
    store.onAlert((a, isNew) => seen.push(`${a.id}:${String(isNew)}`));
    live.start();
    sockets[0]?.receive(alertFrame(1, 'a1', 'active_unack'));
    sockets[0]?.receive(alertFrame(2, 'a1', 'active_ack'));
    expect(seen).toEqual(['a1:true', 'a1:false']);
  });
});
