import { describe, expect, it } from 'vitest';
import { createFirmwareSource } from './firmware-source.js';

describe('createFirmwareSource (--firmware)', () => {
  it('posts 10 s windows exactly as data_sender.cpp builds them: field order, types, 12-bit counts', () => {
    const source = createFirmwareSource({
      deviceId: 'CardiacMon-SIM',
      scenario: 'normal',
      fs: 250,
      startTimeMs: Date.UTC(2026, 0, 1, 12, 0, 0, 400),
      seed: 1,
    });
    const packet = source.nextPacket();
    if (packet === null) throw new Error('no packet');
    const json = source.bodyOf?.(packet) ?? '';
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'device_id',
      'timestamp',
      'window_ms',
      'sample_rate_hz',
      'heart_rate_bpm',
      'spo2_percent',
      'ecg_lead_off',
      'ecg_samples',
      'beat_timestamps_ms',
    ]);
    const body = JSON.parse(json) as {
      timestamp: number;
      window_ms: number;
      sample_rate_hz: number;
      ecg_samples: number[];
      beat_timestamps_ms: number[];
      spo2_percent: number;
    };
    expect(
      json.startsWith(
        '{"device_id":"CardiacMon-SIM","timestamp":1767268800,"window_ms":10000,"sample_rate_hz":250,',
      ),
    ).toBe(true);
    expect(json).not.toMatch(/\s/);
    expect(body.ecg_samples).toHaveLength(2500);
    expect(body.ecg_samples.every((v) => Number.isInteger(v) && v >= 0 && v <= 4095)).toBe(true);
    // centred on 2048 with R peaks about 1 mV (1365 counts) above it
    const sorted = [...body.ecg_samples].sort((a, b) => a - b);
    expect(Math.abs((sorted[1250] ?? 0) - 2048)).toBeLessThan(200);
    expect((sorted[2499] ?? 0) - 2048).toBeGreaterThan(600);
    // a normal sinus rhythm: 10 to 14 beats in 10 s, ms from the window start, increasing
    expect(body.beat_timestamps_ms.length).toBeGreaterThanOrEqual(10);
    expect(body.beat_timestamps_ms.length).toBeLessThanOrEqual(14);
    expect(body.beat_timestamps_ms.every((v, i, a) => i === 0 || v > (a[i - 1] ?? 0))).toBe(true);
    expect(Number.isInteger(body.spo2_percent)).toBe(true);
    const next = source.nextPacket();
    expect(next?.timestamp).toBe(packet.timestamp + 10_000);
  });

  it('sends 1,000 samples per window at 100 Hz', () => {
    const source = createFirmwareSource({ deviceId: 'CardiacMon-100', fs: 100, seed: 2 });
    const packet = source.nextPacket();
    if (packet === null) throw new Error('no packet');
    const body = JSON.parse(source.bodyOf?.(packet) ?? '{}') as {
      sample_rate_hz: number;
      ecg_samples: number[];
    };
    expect(body.sample_rate_hz).toBe(100);
    expect(body.ecg_samples).toHaveLength(1000);
  });
});
