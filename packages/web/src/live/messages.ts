/**
 * Turns a WebSocket text frame (schemas in @vigil/protocol, ws.ts) into a
 * dashboard event. Unknown or malformed frames are dropped: a newer server may add event types
 * this page does not know yet.
 */
import type { EcgChunk } from '../ecg/ecg-geometry.js';
import type { LeadsChunk } from './live-store.js';
import type { Alert, Prediction, VitalsSummary, WsVitals } from '../api/types.js';

export type LiveMessage =
  | { kind: 'vitals'; summary: VitalsSummary; chunk: EcgChunk | null; leads: LeadsChunk | null }
  | { kind: 'prediction'; prediction: Prediction }
  | { kind: 'alert'; eventId: number; alert: Alert }
  /** Catch-up position: `welcome` and `ready` carry the newest event id the server has sent. */
  | { kind: 'position'; eventId: number };

interface Frame {
  type?: unknown;
  event_id?: unknown;
  last_event_id?: unknown;
  data?: unknown;
}

export function parseServerMessage(text: string): LiveMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const frame = parsed as Frame;
  switch (frame.type) {
    case 'welcome':
    case 'ready':
      return typeof frame.last_event_id === 'number'
        ? { kind: 'position', eventId: frame.last_event_id }
        : null;
    case 'vitals': {
      if (typeof frame.data !== 'object' || frame.data === null) return null;
      const d = frame.data as WsVitals['data'];
      // The packet timestamp is the time of its first sample (seed 000 firmware stamps the
      // start of the acquisition window).
      // With the electrodes off the samples are meaningless (often a flat 0): they become NaN,
      // which the strip leaves blank, so lead-off never looks like asystole.
      const samplesMv =
        d.lead_off === true
          ? new Float32Array(d.ecg.samples_mv.length).fill(Number.NaN)
          : Float32Array.from(d.ecg.samples_mv);
      const chunk: EcgChunk | null =
        samplesMv.length > 0 && d.ecg.fs > 0
          ? { startMs: d.timestamp, fsHz: d.ecg.fs, samplesMv }
          : null;
      const summary: VitalsSummary = {
        device_id: d.device_id,
        timestamp: d.timestamp,
        heart_rate_bpm: d.heart_rate_bpm,
        spo2_percent: d.spo2_percent,
        temperature_c: d.temperature_c,
      };
      // A multi-lead packet (seed 004's 12-lead sensors): every lead, for the 12-lead strip.
      const leads: LeadsChunk | null =
        d.leads !== undefined && d.leads.names.length > 0 && d.ecg.fs > 0
          ? {
              startMs: d.timestamp,
              fsHz: d.ecg.fs,
              names: d.leads.names,
              samplesMv: d.leads.samples_mv.map((l) => Float32Array.from(l)),
            }
          : null;
      return { kind: 'vitals', summary, chunk, leads };
    }
    case 'prediction':
      if (typeof frame.data !== 'object' || frame.data === null) return null;
      return { kind: 'prediction', prediction: frame.data as Prediction };
    case 'alert':
      if (typeof frame.data !== 'object' || frame.data === null) return null;
      if (typeof frame.event_id !== 'number') return null;
      return { kind: 'alert', eventId: frame.event_id, alert: frame.data as Alert };
    default:
      return null;
  }
}
