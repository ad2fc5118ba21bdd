import { describe, expect, it } from 'vitest';
import type { Device } from './api/types.js';
import { isBabyMonitorOnly, loadClinic, sendsVitals } from './data.js';
import { LiveStore } from './live/live-store.js';

function device(deviceId: string, lastSeenAt: string | null, kinds: Device['kinds']): Device {
  return {
    id: `id-${deviceId}`,
    device_id: deviceId,
    name: null,
    patient_id: 'p1',
    owner_id: null,
    api_key_prefix: 'vk_',
    created_at: '2026-12-07T04:00:00.000Z',
    updated_at: '2026-12-07T04:00:00.000Z',
    last_seen_at: lastSeenAt,
    ecg_input: {
      preset: 'auto',
      units: 'mV',
      adc_bits: null,
      zero_counts: null,
      counts_per_mv: null,
    },
    label: null,
    registered_at: '2026-12-07T04:00:00.000Z',
    retired_at: null,
    kinds,
  };
}

const SEEN = '2026-12-07T04:10:00.000Z';
const strap = device('DEMO-ECG-001', SEEN, ['ecg-vitals']);
const babyMonitor = device('DEMO-BABY-001', SEEN, ['baby-monitor']);
const oximeter = device('OXI-7', SEEN, ['pulse-oximetry']);
const neverSent = device('NEW-CAM-1', null, []);

/**
 * A server with one chest strap that posted vitals, one baby monitor that posted readings and
 * one pulse oximeter; each device says what it has sent (`kinds`).
 */
function fakeApi() {
  const asked: string[] = [];
  const answers: Record<string, unknown> = {
    '/api/v1/users/patients': [],
    '/api/v1/devices': [strap, babyMonitor, oximeter, neverSent],
    '/api/v1/alerts?state=active': { items: [], next_cursor: null },
    '/api/v1/vitals/DEMO-ECG-001/latest': {
      device_id: 'DEMO-ECG-001',
      timestamp: 1,
      heart_rate_bpm: 72,
      spo2_percent: 98,
      temperature_c: null,
    },
    '/api/v1/predictions/DEMO-ECG-001/latest': null,
  };
  return {
    asked,
    api: {
      get<T>(path: string): Promise<T> {
        asked.push(path);
        if (!(path in answers)) return Promise.reject(new Error(`404 ${path}`));
        return Promise.resolve(answers[path] as T);
      },
    },
  };
}

describe('priming the live store asks only for what each device sends', () => {
  it('asks the vitals and prediction of the ECG device only, not of the baby monitor, the pulse oximeter or a device that never sent', async () => {
    const { api, asked } = fakeApi();
    const store = new LiveStore();
    await loadClinic(api, store);
    expect(asked.filter((p) => p.endsWith('/latest')).sort()).toEqual([
      '/api/v1/predictions/DEMO-ECG-001/latest',
      '/api/v1/vitals/DEMO-ECG-001/latest',
    ]);
    expect(store.latest.get('DEMO-ECG-001')?.heart_rate_bpm).toBe(72);
  });

  it('reads which devices are baby monitors from their kinds, not from readings', async () => {
    const { api, asked } = fakeApi();
    await loadClinic(api, new LiveStore());
    expect(asked.some((p) => p.startsWith('/api/v1/readings'))).toBe(false);
    expect(asked.some((p) => p.includes('DEMO-BABY-001') || p.includes('OXI-7'))).toBe(false);
  });

  it('shows a strap that also sent oximetry in the ECG view, and a monitor only device not', () => {
    const both = device('ESP32-BOTH', SEEN, ['ecg-vitals', 'pulse-oximetry']);
    expect(sendsVitals(both)).toBe(true);
    expect(isBabyMonitorOnly(both)).toBe(false);
    expect(isBabyMonitorOnly(babyMonitor)).toBe(true);
    expect(isBabyMonitorOnly(neverSent)).toBe(false);
  });
});
