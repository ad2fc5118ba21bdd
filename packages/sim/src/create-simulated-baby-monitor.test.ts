import { detectCry } from '@vigil/signal';
import { describe, expect, it } from 'vitest';
import { loadBabyClips, type BabyClip } from './baby-clips.js';
import { BABY_SCENARIOS } from './baby-scenarios.js';
import {
  createSimulatedBabyMonitor,
  type BabyMonitorReading,
} from './create-simulated-baby-monitor.js';

/** The samples of a committed clip: 16-bit mono PCM WAV with the 44-byte header sox writes. */
function pcm16(clip: BabyClip): { samples: Float64Array; rateHz: number } {
  const b = Buffer.from(clip.bytes);
  expect(b.toString('ascii', 0, 4)).toBe('RIFF');
  expect(b.toString('ascii', 36, 40)).toBe('data');
  expect([b.readUInt16LE(20), b.readUInt16LE(22), b.readUInt16LE(34)]).toEqual([1, 1, 16]);
  const n = b.readUInt32LE(40) / 2;
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(44 + 2 * i) / 32768;
  return { samples, rateHz: b.readUInt32LE(24) };
}

function run(scenario: 'baby-cry' | 'baby-calm', seconds: number): BabyMonitorReading[] {
  const monitor = createSimulatedBabyMonitor({
    deviceId: 'BABY-TEST-1',
    scenario,
    startTimeMs: 1_800_000_000_000,
  });
  return Array.from({ length: seconds / monitor.readingEveryS }, () => monitor.nextReading());
}

describe('simulated baby monitor', () => {
  it('ships clips the cry model classifies as the simulator says: the cries as cries, the quiet ones not', () => {
    const { cries, quiet } = loadBabyClips();
    expect(cries).toHaveLength(2);
    expect(quiet).toHaveLength(2);
    for (const clip of cries) {
      const { samples, rateHz } = pcm16(clip);
      expect(rateHz).toBe(8000);
      expect(detectCry(samples, rateHz).probability).toBeGreaterThan(0.9);
    }
    for (const clip of quiet) {
      const { samples, rateHz } = pcm16(clip);
      expect(detectCry(samples, rateHz).probability).toBeLessThan(0.1);
    }
  });

  it('baby-cry: a reading every 5 s, a fever above 38 °C by 45 s, then cry clips every 10 s for a minute', () => {
    const readings = run('baby-cry', 600);
    expect(readings[1]?.timestamp).toBe(1_800_000_005_000);
    const withCry = readings.filter((r) => r.audio?.isCry === true);
    const times = withCry.map((r) => (r.timestamp - 1_800_000_000_000) / 1000);
    expect(times).toEqual([45, 55, 65, 75, 85, 95]);
    // Every cry comes with seed 002's sick condition: temperature at or above 38.0 °C.
    for (const r of withCry) {
      expect(r.temperature).toBeGreaterThanOrEqual(38.2);
      expect(r.notes).toBe('crying');
    }
    // Before the fever and long after it, the baby is afebrile.
    expect(readings[0]?.temperature).toBeLessThan(37.3);
    expect(readings.at(-1)?.temperature).toBeLessThan(37.3);
    // Quiet clips every 30 s outside the episode (from the last cry clip on); most readings
    // carry no clip.
    const quietTimes = readings
      .filter((r) => r.audio !== null && !r.audio.isCry)
      .map((r) => (r.timestamp - 1_800_000_000_000) / 1000);
    expect(quietTimes.slice(0, 3)).toEqual([0, 30, 125]);
    expect(readings.filter((r) => r.audio === null).length).toBeGreaterThan(readings.length / 2);
    for (const r of readings) {
      expect(r.humidity).toBeGreaterThanOrEqual(0);
      expect(r.humidity).toBeLessThanOrEqual(100);
    }
  });

  it('baby-cry repeats every 15 min, so a demo left running shows the episode again', () => {
    const readings = run('baby-cry', 1800);
    const cryTimes = readings
      .filter((r) => r.audio?.isCry === true)
      .map((r) => (r.timestamp - 1_800_000_000_000) / 1000);
    expect(cryTimes.filter((t) => t >= 900)[0]).toBe(945);
    expect(BABY_SCENARIOS['baby-cry'].cycleS).toBe(900);
  });

  it('baby-calm never cries nor runs a fever', () => {
    const readings = run('baby-calm', 900);
    expect(readings.some((r) => r.audio?.isCry === true)).toBe(false);
    expect(readings.filter((r) => r.audio !== null).length).toBe(30);
    expect(Math.max(...readings.map((r) => r.temperature))).toBeLessThan(37.5);
  });

  it('is reproducible from its device id', () => {
    expect(run('baby-cry', 120)).toEqual(run('baby-cry', 120));
  });
});
