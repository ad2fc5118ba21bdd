import { describe, expect, it } from 'vitest';
import type { Device } from './api/types.js';
import { loadClinic, primeDevices } from './data.js';
import { LiveStore } from './live/live-store.js';

function device(deviceId: string, lastSeenAt: string | null): Device {
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
  };
}

const SEEN = '2026-12-07T04:10:00.000Z';
const strap = device('DEMO-ECG-001', SEEN);
const babyMonitor = device('DEMO-BABY-001', SEEN);
const neverSent = device('NEW-CAM-1', null);

/** A server with one chest strap that posted vitals and one baby monitor that posted readings. */
function fakeApi() {
  const asked: string[] = [];
  const answers: Record<string, unknown> = {
    '/api/v1/users/patients': [],
    '/api/v1/devices': [strap, babyMonitor, neverSent],
    '/api/v1/alerts?state=active': { items: [], next_cursor: null },
    '/api/v1/readings?limit=1000': [{ device_id: 'DEMO-BABY-001', patient_id: 'p1' }],
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
  it("asks the patient list's vitals and prediction of the ECG device only, not of the baby monitor or a device that never sent", async () => {
    const { api, asked } = fakeApi();
    const store = new LiveStore();
    await loadClinic(api, store);
    expect(asked.filter((p) => p.endsWith('/latest')).sort()).toEqual([
      '/api/v1/predictions/DEMO-ECG-001/latest',
      '/api/v1/vitals/DEMO-ECG-001/latest',
    ]);
    expect(store.latest.get('DEMO-ECG-001')?.heart_rate_bpm).toBe(72);
  });

  it('skips the devices it is told are baby monitors', async () => {
    const { api, asked } = fakeApi();
    await primeDevices(api, new LiveStore(), [strap, babyMonitor], new Set(['DEMO-BABY-001']));
    expect(asked.some((p) => p.includes('DEMO-BABY-001'))).toBe(false);
    expect(asked).toContain('/api/v1/vitals/DEMO-ECG-001/latest');
  });
});
