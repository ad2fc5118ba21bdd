import { describe, expect, it } from 'vitest';
import type { Prediction } from '../api/types.js';
import { LiveStore } from './live-store.js';

const at = Date.UTC(2026, 11, 7, 10, 0, 0);
const packet = (heartRate: number | null) => ({
  device_id: 'ECG-ONLY',
  timestamp: at,
  heart_rate_bpm: heartRate,
  spo2_percent: null,
  temperature_c: null,
});
const prediction = (source: 'ecg' | 'device', bpm: number) =>
  ({
    device_id: 'ECG-ONLY',
    timestamp: at,
    heart_rate_bpm: bpm,
    heart_rate_source: source,
  }) as Prediction;

// The server's rule (docs/api.md): a packet's heart rate is the device's, else the one its ECG
// analysis measured; a live packet carries only the device's, its prediction the measured one.
describe('the live heart rate of a packet', () => {
  it('is the ECG analysis rate when the device sent none, whichever arrives first', () => {
    const a = new LiveStore();
    a.applyVitals(packet(null), null);
    a.applyPrediction(prediction('ecg', 72.4));
    expect(a.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(72.4);
    const b = new LiveStore();
    b.applyPrediction(prediction('ecg', 72.4));
    b.applyVitals(packet(null), null);
    expect(b.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(72.4);
  });

  it("keeps the device's rate, and a prediction of another packet fills nothing", () => {
    const s = new LiveStore();
    s.applyVitals(packet(61), null);
    s.applyPrediction(prediction('ecg', 72.4));
    expect(s.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(61);
    const t = new LiveStore();
    t.applyPrediction({ ...prediction('ecg', 72.4), timestamp: at - 1000 });
    t.applyVitals(packet(null), null);
    expect(t.latest.get('ECG-ONLY')?.heart_rate_bpm).toBeNull();
  });
});

describe("a device's last-seen time", () => {
  it('is the later of the stored time and the last live packet this browser received', () => {
    let now = at + 45_000;
    const store = new LiveStore(() => now);
    const stored = new Date(at).toISOString();
    expect(store.lastSeenMs('ECG-ONLY', null)).toBeNull();
    expect(store.lastSeenMs('ECG-ONLY', stored)).toBe(at);
    // The packet's own timestamp is the device's clock; "seen" is when it was heard.
    store.applyVitals(packet(60), null);
    expect(store.lastSeenMs('ECG-ONLY', stored)).toBe(at + 45_000);
    expect(store.lastSeenMs('ECG-ONLY', null)).toBe(at + 45_000);
    now = at + 50_000;
    expect(store.lastSeenMs('ECG-ONLY', new Date(at + 60_000).toISOString())).toBe(at + 60_000);
    expect(store.lastSeenMs('OTHER', 'not a date')).toBeNull();
  });
});

describe('the latest packet of a device whose clock stepped back', () => {
  const stamped = (timestamp: number, heartRate: number) => ({ ...packet(heartRate), timestamp });

  it('keeps the newest while a late packet comes, and follows the stepped stream after 30 s', () => {
    let now = at;
    const store = new LiveStore(() => now);
    store.applyVitals(stamped(at, 70), null);
    now += 10_000;
    store.applyVitals(stamped(at - 60_000, 71), null); // a late packet
    expect(store.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(70);
    // The clock steps back 3 h: its windows keep coming every 10 s, stamped before `at`.
    const stepped = at - 3 * 3_600_000;
    now += 10_000;
    store.applyVitals(stamped(stepped, 150), null);
    expect(store.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(70);
    now += 10_001;
    store.applyVitals(stamped(stepped + 10_000, 151), null);
    expect(store.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(151);
    // From then on the stepped stream is the newest; its prediction is the one shown.
    now += 10_000;
    store.applyVitals(stamped(stepped + 20_000, 152), null);
    expect(store.latest.get('ECG-ONLY')?.timestamp).toBe(stepped + 20_000);
    store.applyPrediction({ ...prediction('device', 152), timestamp: stepped + 20_000 });
    expect(store.predictions.get('ECG-ONLY')?.timestamp).toBe(stepped + 20_000);
  });

  it('does not count a reading loaded over HTTP as the device heard', () => {
    const store = new LiveStore(() => at + 3_600_000);
    store.primeLatest(stamped(at, 70));
    expect(store.latest.get('ECG-ONLY')?.heart_rate_bpm).toBe(70);
    expect(store.lastSeenMs('ECG-ONLY', new Date(at).toISOString())).toBe(at);
  });
});
