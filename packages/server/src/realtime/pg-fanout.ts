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
  listener.on('notification', (msg) => {
    if (msg.payload === undefined) return;
    try {
      const { from, event } = JSON.parse(msg.payload) as { from: string; event: RealtimeEvent };
      if (from !== instance) o.hub.deliver(event);
    } catch (err) {
      o.log.warn({ err }, 'bad fan-out notification');
    }
  });
  listener.on('error', (err) => {
    o.log.warn({ err: err.message }, 'fan-out listener error');
  });
  const pool = new pg.Pool({ connectionString: o.url, max: 2 });
  o.hub.onPublish((event) => {
    let text = JSON.stringify({ from: instance, event });
    if (text.length > MAX_PAYLOAD && event.type === 'vitals') {
      text = JSON.stringify({
        from: instance,
        event: {
          ...event,
          data: { ...event.data, ecg: { fs: event.data.ecg.fs, samples_mv: [] } },
        },
      });
    }
    if (text.length > MAX_PAYLOAD) return;
    pool.query('SELECT pg_notify($1, $2)', [channel, text]).catch((err: unknown) => {
      o.log.warn({ err }, 'fan-out notify failed');
    });
  });
  return {
    async close() {
      await listener.end();
      await pool.end();
    },
  };
}
