import type { BabyMonitorReading } from './create-simulated-baby-monitor.js';
import { SendError, type DeviceCredentials } from './transports.js';

export interface BabyMonitorTransport {
  /** Resolves with the server's reading once accepted (HTTP 201); rejects with SendError. */
  send(device: DeviceCredentials, reading: BabyMonitorReading): Promise<unknown>;
  close(): Promise<void>;
}

export interface BabyMonitorHttpTransportOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** Path of the readings endpoint. Default `/api/v1/readings`. */
  path?: string;
  /** Request timeout in ms. Default 10 000. */
  timeoutMs?: number;
}

/**
 * Uploads a monitor's readings as seed 002's clients do: multipart/form-data (`temperature`,
 * `humidity`, `notes`, `audio`) when a clip goes with the reading, JSON otherwise, with the
 * monitor's `X-API-Key` and an `Idempotency-Key` per reading. A non-2xx answer becomes `http_<status>` plus the server's error code.
 */
export function createBabyMonitorHttpTransport(
  options: BabyMonitorHttpTransportOptions,
): BabyMonitorTransport {
  const url = new URL(options.path ?? '/api/v1/readings', options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pending = new Set<AbortController>();
  return {
    async send(device, reading) {
      // One key per reading, sent again on a retry: the server stores the reading once.
      const headers: Record<string, string> = {
        'x-api-key': device.apiKey,
        'idempotency-key': `${device.deviceId}-${reading.timestamp}-${reading.sequence}`,
      };
      let body: string | FormData;
      if (reading.audio === null) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({
          temperature: reading.temperature,
          humidity: reading.humidity,
          ...(reading.notes === null ? {} : { notes: reading.notes }),
        });
      } else {
        const form = new FormData();
        form.set('temperature', String(reading.temperature));
        form.set('humidity', String(reading.humidity));
        if (reading.notes !== null) form.set('notes', reading.notes);
        form.set(
          'audio',
          new Blob([reading.audio.bytes], { type: reading.audio.contentType }),
          reading.audio.name,
        );
        body = form;
      }
      const controller = new AbortController();
      pending.add(controller);
      const timer = setTimeout(() => {
        controller.abort();
      }, timeoutMs);
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
        const text = await res.text();
        if (res.ok) return text === '' ? null : (JSON.parse(text) as unknown);
        let code = '';
        try {
          const parsed = JSON.parse(text) as { code?: unknown };
          if (typeof parsed.code === 'string') code = ` ${parsed.code}`;
        } catch {
          // Not JSON: the status alone classifies it.
        }
        throw new SendError(`http_${res.status}${code}`, `HTTP ${res.status}${code}`);
      } catch (error) {
        if (error instanceof SendError) throw error;
        if (controller.signal.aborted)
          throw new SendError('timeout', `no answer in ${timeoutMs} ms`);
        const cause = (error as { cause?: { code?: string } }).cause;
        throw new SendError(
          cause?.code === 'ECONNREFUSED' ? 'connection_refused' : 'connection',
          error instanceof Error ? error.message : String(error),
        );
      } finally {
        clearTimeout(timer);
        pending.delete(controller);
      }
    },
    close() {
      for (const c of pending) c.abort();
      pending.clear();
      return Promise.resolve();
    },
  };
}
