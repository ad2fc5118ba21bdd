import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './messages.js';

describe('parseServerMessage', () => {
  it('turns a vitals event into a summary and an ECG chunk starting at the packet time', () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: 'vitals',
        data: {
          vitals_id: 'v1',
          device_id: 'ESP32-1',
          patient_id: 'p1',
          timestamp: 1_700_000_000_000,
          heart_rate_bpm: 72,
          spo2_percent: 98,
          temperature_c: null,
          respiratory_rate: null,
          battery_percent: 80,
          lead_off: false,
          ecg: { fs: 250, samples_mv: [0.1, 0.2, -0.3] },
        },
      }),
    );
    expect(msg?.kind).toBe('vitals');
    if (msg?.kind !== 'vitals') return;
    expect(msg.summary).toEqual({
      device_id: 'ESP32-1',
      timestamp: 1_700_000_000_000,
      heart_rate_bpm: 72,
      spo2_percent: 98,
      temperature_c: null,
    });
    expect(msg.chunk?.startMs).toBe(1_700_000_000_000);
    expect(msg.chunk?.fsHz).toBe(250);
    expect(Array.from(msg.chunk?.samplesMv ?? [])).toEqual([
      Math.fround(0.1),
      Math.fround(0.2),
      Math.fround(-0.3),
    ]);
  });

  it('blanks the samples of a lead-off packet', () => {
    const msg = parseServerMessage(
      JSON.stringify({
        type: 'vitals',
        data: {
          vitals_id: 'v2',
          device_id: 'ESP32-1',
          patient_id: null,
          timestamp: 1000,
          heart_rate_bpm: null,
          spo2_percent: 97,
          temperature_c: null,
          respiratory_rate: null,
          battery_percent: null,
          lead_off: true,
          ecg: { fs: 250, samples_mv: [0, 0, 0] },
        },
      }),
    );
    if (msg?.kind !== 'vitals') throw new Error('expected vitals');
    expect(Array.from(msg.chunk?.samplesMv ?? []).every(Number.isNaN)).toBe(true);
  });

  it('keeps the event id of an alert for catch-up', () => {
    const msg = parseServerMessage(
      JSON.stringify({ type: 'alert', event_id: 42, action: 'opened', data: { id: 'a1' } }),
    );
    expect(msg).toMatchObject({ kind: 'alert', eventId: 42 });
  });

  it('reads the catch-up position from welcome and ready', () => {
    expect(parseServerMessage('{"type":"ready","last_event_id":7}')).toEqual({
      kind: 'position',
      eventId: 7,
    });
  });

  it('drops malformed and unknown frames', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('{"type":"telemetry","data":{}}')).toBeNull();
    expect(parseServerMessage('{"type":"alert","data":{}}')).toBeNull();
  });
});
