import { createArrhythmiaMonitor, createEcgAnalyzer, detectQrs } from '@vigil/signal';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
// The packet contract lives in @vigil/protocol, shared with the server.
import { VitalsPacketSchema } from '@vigil/protocol';
import { createSimulatedDevice, type SimulatedDevice } from './create-simulated-device.js';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import type { VitalsPacket } from './vitals-packet.js';

const START = Date.UTC(2026, 0, 1);

function run(device: SimulatedDevice, seconds: number): (VitalsPacket | null)[] {
  return Array.from({ length: seconds }, () => device.nextPacket());
}

function generatorRrMs(scenario: ScenarioName, seconds: number): number[] {
  const device = createSimulatedDevice({
    deviceId: 'ESP32-T',
    scenario,
    seed: 7,
    startTimeMs: START,
  });
  const rr: number[] = [];
  for (let i = 0; i < seconds; i++) {
    device.nextPacket();
    for (const beat of device.lastTruth.beats) if (beat.rrMs !== null) rr.push(beat.rrMs);
  }
  return rr;
}

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

/** RR intervals (ms) that the library's QRS detector finds in `seconds` of a scenario's packets. */
function detectedRrMs(scenario: ScenarioName, seconds: number): number[] {
  const device = createSimulatedDevice({
    deviceId: 'ESP32-D',
    scenario,
    seed: 5,
    startTimeMs: START,
  });
  const samples: number[] = [];
  for (let i = 0; i < seconds; i++) samples.push(...(device.nextPacket()?.ecg_samples ?? []));
  const peaks = detectQrs(Float64Array.from(samples), { fs: 250 });
  const rr: number[] = [];
  for (let i = 1; i < peaks.length; i++)
    rr.push((((peaks[i] ?? 0) - (peaks[i - 1] ?? 0)) / 250) * 1000);
  return rr;
}

describe('createSimulatedDevice', () => {
  it('sends 1 s packets of 250 samples with consecutive sequence numbers and timestamps', () => {
    const device = createSimulatedDevice({
      deviceId: 'ESP32-A1',
      scenario: 'normal',
      startTimeMs: START,
    });
    const packets = run(device, 5);
    packets.forEach((packet, i) => {
      expect(packet).not.toBeNull();
      expect(packet?.device_id).toBe('ESP32-A1');
      expect(packet?.sequence).toBe(i);
      expect(packet?.timestamp).toBe(START + i * 1000);
      expect(packet?.ecg_samples).toHaveLength(250);
      expect(packet?.ecg_sample_rate_hz).toBe(250);
      expect(packet?.lead_off).toBe(false);
    });
  });

  it.each(SCENARIO_NAMES)('produces packets the server schema accepts (%s)', (scenario) => {
    const device = createSimulatedDevice({
      deviceId: `ESP32-${scenario}`,
      scenario,
      startTimeMs: START,
    });
    for (const packet of run(device, 40)) {
      if (packet !== null) expect(Value.Errors(VitalsPacketSchema, packet)).toEqual([]);
    }
  });

  it('honours another sample rate and packet length', () => {
    const device = createSimulatedDevice({
      deviceId: 'D',
      fs: 500,
      packetSeconds: 2,
      startTimeMs: START,
    });
    const [a, b] = run(device, 2);
    expect(a?.ecg_samples).toHaveLength(1000);
    expect(b?.timestamp).toBe(START + 2000);
  });

  it('is reproducible from its seed', () => {
    const a = createSimulatedDevice({ deviceId: 'X', seed: 3, startTimeMs: START }).nextPacket();
    const b = createSimulatedDevice({ deviceId: 'X', seed: 3, startTimeMs: START }).nextPacket();
    const c = createSimulatedDevice({ deviceId: 'X', seed: 4, startTimeMs: START }).nextPacket();
    expect(b).toEqual(a);
    expect(c?.ecg_samples).not.toEqual(a?.ecg_samples);
  });

  it('keeps a normal patient at normal vital signs', () => {
    const packets = run(
      createSimulatedDevice({ deviceId: 'N', scenario: 'normal', startTimeMs: START }),
      120,
    );
    for (const p of packets) {
      expect(p?.heart_rate_bpm).toBeGreaterThan(55);
      expect(p?.heart_rate_bpm).toBeLessThan(90);
      expect(p?.spo2_percent).toBeGreaterThanOrEqual(95);
      expect(p?.temperature_c).toBeGreaterThan(36.3);
      expect(p?.temperature_c).toBeLessThan(37.3);
    }
  });

  it('makes sinus tachycardia above 100 bpm from its RR intervals and reported HR', () => {
    const rr = generatorRrMs('tachycardia', 60);
    expect(60_000 / mean(rr)).toBeGreaterThan(130);
    const packets = run(
      createSimulatedDevice({ deviceId: 'T', scenario: 'tachycardia', startTimeMs: START }),
      30,
    );
    expect(packets.slice(10).every((p) => (p?.heart_rate_bpm ?? 0) > 100)).toBe(true);
  });

  it('gives a tachycardia above 100 bpm and a bradycardia below 50 bpm by the QRS detector', () => {
    expect(60_000 / mean(detectedRrMs('tachycardia', 30))).toBeGreaterThan(100);
    expect(60_000 / mean(detectedRrMs('bradycardia', 30))).toBeLessThan(50);
    const normal = 60_000 / mean(detectedRrMs('normal', 30));
    expect(normal).toBeGreaterThan(65);
    expect(normal).toBeLessThan(80);
  });

  it('gives irregular detected RR in AF', () => {
    const rr = detectedRrMs('af', 60);
    const m = mean(rr);
    expect(Math.sqrt(mean(rr.map((x) => (x - m) ** 2))) / m).toBeGreaterThan(0.12);
  });

  it('streams the demo AF patient as one AF episode through the live analyzer and monitor', () => {
    // The demo's device (seed from its id): its AF was once reported closed at 187 s and
    // reopened from 198 s, a stretch of less irregular RR with pre-QRS segments lining up.
    const device = createSimulatedDevice({
      deviceId: 'DEMO-ECG-003',
      scenario: 'af',
      startTimeMs: START,
    });
    const analyzer = createEcgAnalyzer({ fs: device.fs });
    const monitor = createArrhythmiaMonitor({ fs: device.fs });
    for (let i = 0; i < 300; i++) {
      const chunk = Float64Array.from(device.nextPacket()?.ecg_samples ?? []);
      const beats = analyzer.push(chunk).beats.map((b) => b.sample);
      monitor.push(chunk, Int32Array.from(beats));
    }
    monitor.flush();
    const af = monitor.episodes.filter((e) => e.rhythm === 'AF');
    expect(af).toHaveLength(1);
    expect((af[0]?.start ?? Infinity) / device.fs).toBeLessThan(30);
    expect((af[0]?.end ?? 0) / device.fs).toBeGreaterThan(290);
  });

  it('makes bradycardia below 50 bpm', () => {
    expect(60_000 / mean(generatorRrMs('bradycardia', 60))).toBeLessThan(50);
  });

  it('makes AF RR intervals irregular (coefficient of variation > 0.12) and sinus regular', () => {
    const cv = (rr: number[]): number => {
      const m = mean(rr);
      return Math.sqrt(mean(rr.map((x) => (x - m) ** 2))) / m;
    };
    expect(cv(generatorRrMs('af', 120))).toBeGreaterThan(0.12);
    expect(cv(generatorRrMs('normal', 120))).toBeLessThan(0.06);
  });

  it('marks PVC beats in the pvc scenario', () => {
    const device = createSimulatedDevice({
      deviceId: 'P',
      scenario: 'pvc',
      seed: 2,
      startTimeMs: START,
    });
    let pvcs = 0;
    let beats = 0;
    for (let i = 0; i < 120; i++) {
      device.nextPacket();
      beats += device.lastTruth.beats.length;
      pvcs += device.lastTruth.beats.filter((b) => b.kind === 'V').length;
    }
    expect(pvcs / beats).toBeGreaterThan(0.08);
    expect(pvcs / beats).toBeLessThan(0.2);
  });

  it('sends a flat ECG with lead_off once the electrodes come off', () => {
    const packets = run(
      createSimulatedDevice({ deviceId: 'L', scenario: 'lead-off', startTimeMs: START }),
      15,
    );
    const before = packets[5];
    const after = packets[12];
    expect(before?.lead_off).toBe(false);
    expect(Math.max(...(before?.ecg_samples ?? [0]))).toBeGreaterThan(0.5);
    expect(after?.lead_off).toBe(true);
    expect(new Set(after?.ecg_samples)).toEqual(new Set([0]));
    // The pulse oximeter still reports a heart rate.
    expect(after?.heart_rate_bpm).toBeGreaterThan(50);
  });

  it('goes silent after 30 s while its clock keeps running', () => {
    const device = createSimulatedDevice({ deviceId: 'S', scenario: 'silent', startTimeMs: START });
    const packets = run(device, 40);
    expect(packets.slice(0, 30).every((p) => p !== null)).toBe(true);
    expect(packets.slice(30).every((p) => p === null)).toBe(true);
    expect(device.elapsedS).toBe(40);
  });

  it('desaturates to at most 88% SpO2 within 130 s', () => {
    const packets = run(
      createSimulatedDevice({ deviceId: 'O', scenario: 'desaturation', startTimeMs: START }),
      140,
    );
    expect(packets[0]?.spo2_percent).toBeGreaterThanOrEqual(95);
    expect(packets[135]?.spo2_percent).toBeLessThanOrEqual(88);
  });

  it('develops a fever of at least 39 °C within 130 s', () => {
    const packets = run(
      createSimulatedDevice({ deviceId: 'F', scenario: 'fever', startTimeMs: START }),
      140,
    );
    expect(packets[0]?.temperature_c).toBeLessThan(37.5);
    expect(packets[135]?.temperature_c).toBeGreaterThanOrEqual(39);
  });

  it('drains the battery slowly', () => {
    const packets = run(createSimulatedDevice({ deviceId: 'B', startTimeMs: START }), 600);
    const first = packets[0]?.battery_percent ?? 0;
    const last = packets[599]?.battery_percent ?? 0;
    expect(first - last).toBeGreaterThan(0.5);
    expect(first - last).toBeLessThan(1.2);
  });

  it('replays a recording at the device rate with heart rate from its reference beats', () => {
    const fs = 250;
    const ecgMv = new Float64Array(fs * 20);
    const beatTimesS = Float64Array.from({ length: 25 }, (_, i) => 0.4 + i * 0.8);
    for (const t of beatTimesS) ecgMv[Math.round(t * fs)] = 1;
    const device = createSimulatedDevice({
      deviceId: 'R',
      seed: 1,
      replay: { name: 'x', fs, ecgMv, beatTimesS },
      startTimeMs: START,
    });
    const packet = device.nextPacket();
    expect(packet?.ecg_samples?.filter((v) => v === 1).length).toBeGreaterThanOrEqual(1);
    expect(packet?.heart_rate_bpm).toBe(75);
    for (const beat of device.lastTruth.beats) expect(packet?.ecg_samples?.[beat.sample]).toBe(1);
    expect(() =>
      createSimulatedDevice({ deviceId: 'R', fs: 360, replay: { name: 'x', fs, ecgMv } }),
    ).toThrow(/resample/);
  });
  it.each(['normal', 'tachycardia', 'fever', 'desaturation'] as const)(
    "gives the server's live analyzer a narrow QRS in the %s scenario (no false QRS_WIDE)",
    (scenario) => {
      // The demo's sinus tachycardia (140 bpm) once read QRS 152 ms and raised "QRS wide": the
      // synthetic P wave ran into the QRS at high rates. The synthetic QRS is about 90 ms wide;
      // the risk model calls 120 ms and more wide.
      const device = createSimulatedDevice({
        deviceId: 'ESP32-Q',
        scenario,
        seed: 3,
        startTimeMs: START,
      });
      const analyzer = createEcgAnalyzer({ fs: 250 });
      const widths: number[] = [];
      for (let i = 0; i < 60; i++) {
        const packet = device.nextPacket();
        const update = analyzer.push(Float64Array.from(packet?.ecg_samples ?? []));
        if (update.qrsDurationMs !== null) widths.push(update.qrsDurationMs);
      }
      expect(widths.length).toBeGreaterThan(40);
      expect(Math.max(...widths)).toBeLessThan(110);
      expect(Math.min(...widths)).toBeGreaterThan(80);
    },
  );
});
