import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ConnectionErrorReporter } from '../db/connection-errors.js';
import type { RealtimeEvent } from '../services/realtime-port.js';
import type { RealtimeHub } from './realtime-hub.js';

/**
 * Fan-out of real-time events across server instances through PostgreSQL LISTEN/NOTIFY: each
 * instance NOTIFYs what it publishes and delivers what others NOTIFY to its own sockets. NOTIFY
 * payloads are limited to 8000 bytes; an event larger than one payload (a 12-lead packet's
 * vitals event is 40-60 kB) is split into numbered parts sent in one statement (so one
 * transaction, delivered together and in order) and put back together by the receiver, whole:
 * every lead reaches every instance.
 */
export const FANOUT_CHANNEL = 'vigil_events';
/** Bytes of one payload (PostgreSQL refuses 8000 or more); payloads are ASCII, so chars = bytes. */
const MAX_PAYLOAD = 7900;
/** An event above this many bytes is not fanned out (a warning says so): 128 payloads. */
const MAX_EVENT_BYTES = 128 * 7800;
/** Parts of a split event still missing after this long are dropped (a LISTEN connection lost). */
const PARTIAL_TTL_MS = 30_000;

/** JSON with every non-ASCII character escaped (\uXXXX): its length is its size in bytes. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface PgFanout {
  close(): Promise<void>;
}

/** Delays between attempts to re-open a lost LISTEN connection: doubling from MIN to MAX, ms. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 30_000;

export async function startPgFanout(o: {
  url: string;
  hub: RealtimeHub;
  log: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
  channel?: string;
  /** Told of every lost connection (logged and counted by the caller). */
  onConnectionError?: ConnectionErrorReporter;
}): Promise<PgFanout> {
  const instance = randomUUID();
  const channel = o.channel ?? FANOUT_CHANNEL;
  const report = o.onConnectionError ?? (() => undefined);
  // Payload: `<instance id>|<number><JSON array of events>` (the number differs from payload to
  // payload: PostgreSQL delivers identical payloads of one transaction once), or for one part of
  // a split event
  // `<instance id>|#<event number>:<part>:<parts>|<text>`. The prefix lets an instance skip its
  // own notifications without parsing them (every instance hears its own NOTIFYs).
  const own = `${instance}|`;
  const partial = new Map<string, { parts: string[]; got: number; atMs: number }>();
  const onPart = (sender: string, header: string, text: string): void => {
    const [number, part, parts] = header.split(':');
    const index = Number(part);
    const total = Number(parts);
    if (!(Number.isInteger(index) && Number.isInteger(total) && index >= 0 && index < total))
      throw new Error(`bad part header ${header}`);
    const key = `${sender}|${String(number)}`;
    const now = Date.now();
    let entry = partial.get(key);
    if (entry === undefined) {
      for (const [k, e] of partial) if (now - e.atMs > PARTIAL_TTL_MS) partial.delete(k);
      entry = { parts: new Array<string>(total), got: 0, atMs: now };
      partial.set(key, entry);
    }
    if (entry.parts[index] === undefined) {
      entry.parts[index] = text;
      entry.got++;
    }
    if (entry.got < total) return;
    partial.delete(key);
    o.hub.deliver(JSON.parse(entry.parts.join('')) as RealtimeEvent);
  };
  const onNotification = (msg: pg.Notification): void => {
    if (msg.payload === undefined || msg.payload.startsWith(own)) return;
    try {
      const bar = msg.payload.indexOf('|');
      if (msg.payload[bar + 1] === '#') {
        const end = msg.payload.indexOf('|', bar + 1);
        onPart(
          msg.payload.slice(0, bar),
          msg.payload.slice(bar + 2, end),
          msg.payload.slice(end + 1),
        );
        return;
      }
      const events = JSON.parse(
        msg.payload.slice(msg.payload.indexOf('[', bar + 1)),
      ) as RealtimeEvent[];
      for (const event of events) o.hub.deliver(event);
    } catch (err) {
      o.log.warn({ err }, 'bad fan-out notification');
    }
  };

  // The LISTEN connection. When PostgreSQL restarts or fails over it is terminated: without a
  // new one this instance would silently stop receiving other instances' events, so it is
  // re-opened with exponential backoff. Notifications sent while it is down are lost (LISTEN has
  // no replay); clients catch up through the REST history.
  let listener: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = RECONNECT_MIN_MS;
  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: o.url });
    const lost = (err: Error): void => {
      if (client !== listener) return;
      listener = undefined;
      report('fanout_listener', err);
      client.end().catch(() => undefined);
      scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => {
      lost(new Error('fan-out LISTEN connection ended'));
    });
    client.on('notification', onNotification);
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await client.end();
      return;
    }
    listener = client;
  };
  const scheduleReconnect = (): void => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connectListener().then(
        () => {
          delayMs = RECONNECT_MIN_MS;
          o.log.info?.({ channel }, 'fan-out LISTEN connection re-opened');
        },
        (err: unknown) => {
          report('fanout_listener', err instanceof Error ? err : new Error(String(err)));
          scheduleReconnect();
        },
      );
    }, delayMs);
    retry.unref();
    delayMs = Math.min(RECONNECT_MAX_MS, delayMs * 2);
  };
  // The first connection fails loudly: a server that cannot LISTEN at start-up is misconfigured.
  await connectListener();

  const pool = new pg.Pool({ connectionString: o.url, max: 2 });
  // Same as the main pool (db/database.ts): a lost connection is reported, never fatal.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      report('fanout_pool', err);
    });
  });

  // Events published while a NOTIFY is in flight are sent together: packed into as few payloads
  // as fit, all in one query, instead of one round trip per event (two per vitals packet). An
  // event too big for one payload goes as its parts, each a payload of its own.
  let queue: ({ text: string } | { parts: string[] })[] = [];
  let packed = 0;
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const payloads: string[] = [];
      let current: string[] = [];
      // Room for the payload number too (up to 16 digits).
      let size = own.length + 18;
      for (const item of batch) {
        if ('parts' in item) {
          // Publication order is kept: the events packed so far go first.
          if (current.length > 0) payloads.push(`${own}${String(packed++)}[${current.join(',')}]`);
          current = [];
          size = own.length + 18;
          payloads.push(...item.parts);
          continue;
        }
        const { text } = item;
        if (current.length > 0 && size + text.length + 1 > MAX_PAYLOAD) {
          payloads.push(`${own}${String(packed++)}[${current.join(',')}]`);
          current = [];
          size = own.length + 18;
        }
        current.push(text);
        size += text.length + 1;
      }
      if (current.length > 0) payloads.push(`${own}${String(packed++)}[${current.join(',')}]`);
      const calls = payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      try {
        await pool.query(`SELECT ${calls}`, [channel, ...payloads]);
      } catch (err: unknown) {
        o.log.warn({ err }, 'fan-out notify failed');
      }
    }
    flushing = false;
  };
  const maxEvent = MAX_PAYLOAD - own.length - 18;
  let splitEvents = 0;
  o.hub.onPublish((event) => {
    const text = asciiJson(event);
    if (text.length <= maxEvent) queue.push({ text });
    else if (text.length > MAX_EVENT_BYTES) {
      o.log.warn({ type: event.type, bytes: text.length }, 'real-time event too big to fan out');
      return;
    } else {
      const number = splitEvents++;
      // Room for the header: `#<number>:<part>:<parts>|`, at most ~30 characters.
      const per = MAX_PAYLOAD - own.length - 40;
      const n = Math.ceil(text.length / per);
      queue.push({
        parts: Array.from(
          { length: n },
          (_, i) =>
            `${own}#${String(number)}:${String(i)}:${String(n)}|${text.slice(i * per, (i + 1) * per)}`,
        ),
      });
    }
    if (!flushing) {
      flushing = true;
      setImmediate(() => void flush());
    }
  });
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      while (flushing) await new Promise((r) => setImmediate(r));
      const current = listener;
      listener = undefined;
      await current?.end();
      await pool.end();
    },
  };
}
