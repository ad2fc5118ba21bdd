import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RealtimeEvent } from '../services/realtime-port.js';
import type { RealtimeHub } from './realtime-hub.js';

/**
 * Fan-out of real-time events across server instances through PostgreSQL LISTEN/NOTIFY: each
 * instance NOTIFYs what it publishes and delivers what others NOTIFY to its own sockets. NOTIFY
 * payloads are limited to 8000 bytes, so a vitals event whose ECG makes it larger is sent
 * without its samples (the waveform stays available from /vitals/{id}/ecg).
 */
export const FANOUT_CHANNEL = 'vigil_events';
const MAX_PAYLOAD = 7900;

export interface PgFanout {
  close(): Promise<void>;
}

export async function startPgFanout(o: {
  url: string;
  hub: RealtimeHub;
  log: { warn(obj: object, msg: string): void };
  channel?: string;
}): Promise<PgFanout> {
  const instance = randomUUID();
  const channel = o.channel ?? FANOUT_CHANNEL;
  const listener = new pg.Client({ connectionString: o.url });
  await listener.connect();
  await listener.query(`LISTEN "${channel}"`);
  // Payload: `<instance id>|<JSON array of events>`. The prefix lets an instance skip its own
  // notifications without parsing them (every instance hears its own NOTIFYs).
  const own = `${instance}|`;
  listener.on('notification', (msg) => {
    if (msg.payload === undefined || msg.payload.startsWith(own)) return;
    try {
      const bar = msg.payload.indexOf('|');
      const events = JSON.parse(msg.payload.slice(bar + 1)) as RealtimeEvent[];
      for (const event of events) o.hub.deliver(event);
    } catch (err) {
      o.log.warn({ err }, 'bad fan-out notification');
    }
  });
  listener.on('error', (err) => {
    o.log.warn({ err: err.message }, 'fan-out listener error');
  });
  const pool = new pg.Pool({ connectionString: o.url, max: 2 });

  // Events published while a NOTIFY is in flight are sent together: packed into as few payloads
  // as fit, all in one query, instead of one round trip per event (two per vitals packet).
  let queue: string[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const payloads: string[] = [];
      let current: string[] = [];
      let size = own.length + 2;
      for (const text of batch) {
        if (current.length > 0 && size + text.length + 1 > MAX_PAYLOAD) {
          payloads.push(`${own}[${current.join(',')}]`);
          current = [];
          size = own.length + 2;
        }
        current.push(text);
        size += text.length + 1;
      }
      if (current.length > 0) payloads.push(`${own}[${current.join(',')}]`);
      const calls = payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      try {
        await pool.query(`SELECT ${calls}`, [channel, ...payloads]);
      } catch (err: unknown) {
        o.log.warn({ err }, 'fan-out notify failed');
      }
    }
    flushing = false;
  };
  const maxEvent = MAX_PAYLOAD - own.length - 2;
  o.hub.onPublish((event) => {
    let text = JSON.stringify(event);
    if (text.length > maxEvent && event.type === 'vitals') {
      text = JSON.stringify({
        ...event,
        data: { ...event.data, ecg: { fs: event.data.ecg.fs, samples_mv: [] } },
      });
    }
    if (text.length > maxEvent) return;
    queue.push(text);
    if (!flushing) {
      flushing = true;
      setImmediate(() => void flush());
    }
  });
  return {
    async close() {
      while (flushing) await new Promise((r) => setImmediate(r));
      await listener.end();
      await pool.end();
    },
  };
}
