import { describe, expect, it } from 'vitest';
import { afOnsetProbe } from './af-onset-probe.js';
import type { AfOnsetSource } from './af-onset-probe.js';

/** A QRS-like spike of `amp` mV: a triangle 40 ms wide, a small negative S after it. */
function addBeat(x: Float64Array, r: number, fs: number, amp: number): void {
  const w = Math.round(0.02 * fs);
  for (let j = -w; j <= w; j++) {
    const at = r + j;
    if (at >= 0 && at < x.length) x[at] = (x[at] ?? 0) + amp * (1 - Math.abs(j) / (w + 1));
  }
  const s = r + w + 2;
  if (s < x.length) x[s] = (x[s] ?? 0) - 0.2 * amp;
}

/** 360 Hz source: sinus beats every 0.8 s (1 mV) with every fifth an SVEB 0.5 s after its predecessor. */
function ectopySource(): AfOnsetSource {
  const fs = 360;
  const peaks: number[] = [];
  const labels: number[] = [];
  let t = fs;
  for (let k = 0; k < 150; k++) {
    const sveb = k % 5 === 4;
    t += Math.round((sveb ? 0.5 : 0.8) * fs);
    peaks.push(t);
    labels.push(sveb ? 1 : 0);
  }
  const ecgMv = new Float64Array(t + 2 * fs);
  for (const p of peaks) addBeat(ecgMv, p, fs, 1);
  return { ecgMv, fs, peaks, labels, af: [] };
}

/**
 * 200 Hz donor (CPSC 2021's rate): 20 s of sinus rhythm, then 200 s of AF with RR 0.45 to 1.05 s
 * (a fixed irregular sequence), QRS 2.5 mV on a baseline 0.8 mV high.
 */
function afDonor(): AfOnsetSource {
  const fs = 200;
  const peaks: number[] = [];
  const labels: number[] = [];
  let t = fs;
  while (t < 20 * fs) {
    peaks.push(t);
    labels.push(0);
    t += Math.round(0.8 * fs);
  }
  const afStart = t - Math.round(0.3 * fs);
  for (let k = 0; t < 220 * fs; k++) {
    peaks.push(t);
    labels.push(0);
    t += Math.round((0.45 + 0.6 * (((k * 37) % 11) / 10)) * fs);
  }
  const ecgMv = new Float64Array(t + fs).fill(0.8);
  for (const p of peaks) addBeat(ecgMv, p, fs, 2.5);
  return { ecgMv, fs, peaks, labels, af: [[afStart, ecgMv.length]] };
}

/** Median over beats of max − min within R ± 60 ms. */
function medianP2p(x: Float64Array, peaks: ArrayLike<number>, fs: number): number {
  const w = Math.round(0.06 * fs);
  const v = Array.from(peaks, (p) => {
    const seg = Array.from(x.subarray(Math.max(0, p - w), p + w + 1));
    return Math.max(...seg) - Math.min(...seg);
  }).sort((a, b) => a - b);
  return v[v.length >> 1] ?? 0;
}

describe('afOnsetProbe', () => {
  const options = { seed: 7, svebShare: 0.5, prefixS: 60, afS: 60 };

  it('puts the reference AF where the AF part starts, after the last prefix beat, at 250 Hz', () => {
    const p = afOnsetProbe(ectopySource(), afDonor(), options);
    if (p === null) throw new Error('no probe');
    expect(p.fs).toBe(250);
    const firstAf = p.peaks.findIndex((r) => r >= p.afStart);
    const lastPrefix = p.peaks[firstAf - 1] ?? 0;
    // The prefix ends 450 ms after its last beat (where that beat's copy ends).
    expect(p.afStart - lastPrefix).toBe(Math.round(0.45 * 250));
    expect(p.afStart / 250).toBeGreaterThan(58);
    expect(p.afStart / 250).toBeLessThan(60.5);
    expect(p.ecgMv.length - p.afStart).toBe(60 * 250);
    // The AF part was taken from inside the donor's AF, clear of its onset at 20 s by 5 s.
    expect(p.donorStartS).toBeGreaterThanOrEqual(24.5);
    expect(p.donorStartS).toBeLessThanOrEqual(220 - 65);
    // The first AF beat follows the join by 35 % of a donor RR (0.6 s or more).
    expect((p.peaks[firstAf] ?? 0) - p.afStart).toBeGreaterThanOrEqual(
      Math.round(0.35 * 0.6 * 250) - 1,
    );
  });

  it('matches the AF part to the prefix: QRS peak-to-peak within 10 %, baseline at the join', () => {
    const p = afOnsetProbe(ectopySource(), afDonor(), options);
    if (p === null) throw new Error('no probe');
    const firstAf = p.peaks.findIndex((r) => r >= p.afStart);
    const prefixQrs = medianP2p(p.ecgMv, p.peaks.subarray(0, firstAf), p.fs);
    const afQrs = medianP2p(p.ecgMv, p.peaks.subarray(firstAf), p.fs);
    // Donor 2.5 mV, prefix about 1 mV: the gain brings the AF part down.
    expect(p.gain).toBeGreaterThan(0.3);
    expect(p.gain).toBeLessThan(0.5);
    expect(afQrs / prefixQrs).toBeGreaterThan(0.9);
    expect(afQrs / prefixQrs).toBeLessThan(1.1);
    // The donor's 0.8-mV baseline is taken off: no step at the join.
    expect(Math.abs(p.ecgMv[p.afStart] ?? 1)).toBeLessThan(0.02);
    expect(Math.abs(p.ecgMv[p.afStart - 1] ?? 1)).toBeLessThan(0.02);
  });

  it("labels the beats: the prefix's N and SVEB at about the share, then the donor's", () => {
    const p = afOnsetProbe(ectopySource(), afDonor(), options);
    if (p === null) throw new Error('no probe');
    expect(p.labels.length).toBe(p.peaks.length);
    for (let k = 1; k < p.peaks.length; k++) {
      expect(p.peaks[k] ?? 0).toBeGreaterThan(p.peaks[k - 1] ?? 0);
    }
    const firstAf = p.peaks.findIndex((r) => r >= p.afStart);
    const prefix = Array.from(p.labels.subarray(0, firstAf));
    expect(prefix.every((l) => l === 0 || l === 1)).toBe(true);
    const share = prefix.filter((l) => l === 1).length / prefix.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
    // The AF part's beats are the donor's 60 s at RR 0.45 to 1.05 s, labelled as the donor's (N).
    const af = Array.from(p.labels.subarray(firstAf));
    expect(af.every((l) => l === 0)).toBe(true);
    expect(af.length).toBeGreaterThan(60 / 1.05);
    expect(af.length).toBeLessThan(60 / 0.45 + 1);
  });

  it('with a suffix, makes the AF part a run inside the ectopy, ending at a TQ point', () => {
    const p = afOnsetProbe(ectopySource(), afDonor(), { ...options, afS: 10, suffixS: 30 });
    if (p === null) throw new Error('no probe');
    expect(p.afEnd - p.afStart).toBeLessThanOrEqual(10 * 250);
    expect(p.afEnd - p.afStart).toBeGreaterThan(8 * 250);
    const inAf = Array.from(p.peaks).filter((r) => r >= p.afStart && r < p.afEnd);
    expect(inAf.length).toBeGreaterThan(10 / 1.05 - 2);
    // The suffix: 30 s of the prefix's rhythm after the AF part, its first beat 600 ms in.
    const after = Array.from(p.peaks.keys()).filter((k) => (p.peaks[k] ?? 0) >= p.afEnd);
    expect((p.peaks[after[0] ?? 0] ?? 0) - p.afEnd).toBe(Math.round(0.6 * 250));
    expect(after.every((k) => p.labels[k] === 0 || p.labels[k] === 1)).toBe(true);
    expect(after.some((k) => p.labels[k] === 1)).toBe(true);
    expect((p.ecgMv.length - p.afEnd) / 250).toBeGreaterThan(28);
    // No step at either join.
    for (const at of [p.afStart, p.afEnd - 1, p.afEnd]) {
      expect(Math.abs(p.ecgMv[at] ?? 1)).toBeLessThan(0.02);
    }
  });

  it('is the same for the same seed, another for another seed', () => {
    const a = afOnsetProbe(ectopySource(), afDonor(), options);
    const b = afOnsetProbe(ectopySource(), afDonor(), options);
    const c = afOnsetProbe(ectopySource(), afDonor(), { ...options, seed: 8 });
    expect(b?.peaks).toEqual(a?.peaks);
    expect(b?.ecgMv).toEqual(a?.ecgMv);
    expect(c?.peaks).not.toEqual(a?.peaks);
  });

  it('joins flutter with 2:1 conduction (every RR 400 ms, no TQ segment) 65 % into an RR', () => {
    const fs = 200;
    const peaks: number[] = [];
    for (let t = fs; t < 150 * fs; t += Math.round(0.4 * fs)) peaks.push(t);
    const ecgMv = new Float64Array(151 * fs);
    for (const p of peaks) addBeat(ecgMv, p, fs, 1);
    const flutter = {
      ecgMv,
      fs,
      peaks,
      labels: peaks.map(() => 0),
      af: [[0, ecgMv.length]] as [number, number][],
    };
    const p = afOnsetProbe(ectopySource(), flutter, options);
    if (p === null) throw new Error('no probe');
    const firstAf = p.peaks.findIndex((r) => r >= p.afStart);
    // 35 % of a 400-ms RR from the join to the first flutter beat (at 250 Hz, ± a sample).
    expect(Math.abs((p.peaks[firstAf] ?? 0) - p.afStart - 0.35 * 0.4 * 250)).toBeLessThanOrEqual(2);
  });

  it('gives null when the donor has no AF interval long enough', () => {
    const donor = { ...afDonor(), af: [[0, 30 * 200]] as [number, number][] };
    expect(afOnsetProbe(ectopySource(), donor, options)).toBeNull();
  });

  it('rejects an SVEB share outside (0, 1)', () => {
    expect(() => afOnsetProbe(ectopySource(), afDonor(), { ...options, svebShare: 0 })).toThrow(
      RangeError,
    );
  });
});
