import { describe, expect, it } from 'vitest';
import { DomainError } from '../../errors/catalogue.js';
import {
  babyObservation,
  isSick,
  parseMonitorMessage,
  parseUploadValues,
} from './baby-monitor.assessor.js';

describe('baby monitor assessor', () => {
  it('reads the seed-002 ESP32 payload: the verdict decides, InfantCry % is the confidence', () => {
    const snoring = parseMonitorMessage({
      FinalResult: 'SNORING',
      InfantCry: 5.52,
      Snoring: 94.48,
      Temperature: 25.8,
      Humidity: 72,
    });
    expect(snoring).toEqual({
      temperatureC: 25.8,
      humidityPercent: 72,
      cry: { probability: 0.0552, detected: false, source: 'device' },
    });
    const crying = parseMonitorMessage({ FinalResult: 'InfantCry', InfantCry: 40 });
    expect(crying.cry).toEqual({ probability: 0.4, detected: true, source: 'device' });
  });

  it('stores "Err" sensors as no reading, never a default', () => {
    const r = parseMonitorMessage({
      FinalResult: 'Err',
      InfantCry: 'Err',
      Temperature: 'Err',
      Humidity: 'Err',
    });
    expect(r).toEqual({
      temperatureC: null,
      humidityPercent: null,
      cry: { probability: null, detected: false, source: null },
    });
    // No cry evidence: infant_sick cannot be judged.
    expect(babyObservation(r, r.cry, 0)).toMatchObject({
      cryDetected: null,
      infantTemperatureC: null,
    });
  });

  it('without a verdict the confidence decides at 50 %', () => {
    expect(parseMonitorMessage({ InfantCry: 50 }).cry.detected).toBe(true);
    expect(parseMonitorMessage({ InfantCry: 49.9 }).cry.detected).toBe(false);
  });

  it('refuses out-of-range values naming the field', () => {
    expect(() => parseMonitorMessage({ Humidity: 140 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'Humidity' }) as DomainError,
    );
    expect(() => parseUploadValues({ temperature: '37', humidity: '-1' })).toThrow(
      expect.objectContaining({ field: 'humidity' }) as DomainError,
    );
    expect(parseUploadValues({ temperature: ' 37.5 ', humidity: 40 })).toEqual({
      temperatureC: 37.5,
      humidityPercent: 40,
    });
  });

  it('is sick only when crying at or above the threshold', () => {
    const cry = { probability: 0.9, detected: true, source: 'server_audio' as const };
    const quiet = { probability: 0.1, detected: false, source: 'server_audio' as const };
    const at = (t: number | null) => ({ temperatureC: t, humidityPercent: 50 });
    expect(isSick(at(38), cry, 38)).toBe(true);
    expect(isSick(at(37.9), cry, 38)).toBe(false);
    expect(isSick(at(39), quiet, 38)).toBe(false);
    expect(isSick(at(null), cry, 38)).toBe(false);
  });
});
