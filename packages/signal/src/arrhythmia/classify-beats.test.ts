import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectQrs } from '../ecg/detect-qrs.js';
import { aamiClass } from './aami-class.js';
import { classifyBeats } from './classify-beats.js';
import { SECOND_LEAD_RELIABILITIES } from './create-beat-classifier.js';
import type { SecondLeadReliability } from './create-beat-classifier.js';
import { loadBeatModel } from './load-beat-model.js';
import { normalLookingVebs } from './__tests__/normal-looking-vebs.js';
import type { BeatClass } from './types.js';

interface Excerpt {
  fs: number;
  gain: number;
  baseline: number;
  digital: number[];
  beats: { sample: number; symbol: string }[];
}

const excerpt = JSON.parse(
  readFileSync(new URL('./fixtures/mitdb-119-excerpt.json', import.meta.url), 'utf8'),
) as Excerpt;
const ecgMv = Float64Array.from(excerpt.digital, (d) => (d - excerpt.baseline) / excerpt.gain);
const refPeaks = Int32Array.from(excerpt.beats, (b) => b.sample);
const refClasses = excerpt.beats.map((b) => aamiClass(b.symbol));

describe('classifyBeats on MIT-BIH record 119 (ventricular bigeminy)', () => {
  it('ships a model file under 2 MB that loads', () => {
    const size = statSync(new URL('./model/beat-model.json', import.meta.url)).size;
    expect(size).toBeLessThan(2 * 1024 * 1024);
    const model = loadBeatModel();
    expect(model.classes).toEqual(['N', 'SVEB', 'VEB', 'F']);
  });

  it('was trained on DS1 and the SVDB records of the QT Database only, never on a judge or held-out record', () => {
    const records = (loadBeatModel().training as { records?: string[] }).records ?? [];
    const ds2 =
      '100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234';
    // 22 DS1 records + 13 QT Database excerpts of the MIT-BIH Supraventricular database (sel8xx).
    expect(records).toHaveLength(35);
    expect(records.filter((r) => ds2.split(' ').includes(r))).toEqual([]);
    expect(records.filter((r) => r.startsWith('sel') && !/^sel8\d\d$/.test(r))).toEqual([]);
  });

  it('labels the annotated V beats VEB and the N beats N at the reference positions', () => {
    const classes = classifyBeats(ecgMv, excerpt.fs, refPeaks);
    expect(classes).toHaveLength(refPeaks.length);
    const vebIdx = refClasses.flatMap((c, i) => (c === 'VEB' ? [i] : []));
    const nIdx = refClasses.flatMap((c, i) => (c === 'N' ? [i] : []));
    expect(vebIdx).toHaveLength(16);
    // Record 119 is one of the 22 training records: this is a regression check of the shipped
    // model, not an accuracy figure (those come from leave-one-record-out CV, see README).
    expect(vebIdx.filter((i) => classes[i] === 'VEB').length).toBeGreaterThanOrEqual(15);
    expect(nIdx.filter((i) => classes[i] === 'N').length).toBeGreaterThanOrEqual(26);
  });

  it('finds the same V beats on beats detected by detectQrs', () => {
    const peaks = detectQrs(ecgMv, { fs: excerpt.fs });
    const classes = classifyBeats(ecgMv, excerpt.fs, peaks);
    const tol = Math.round(0.15 * excerpt.fs);
    let matchedV = 0;
    excerpt.beats.forEach((b) => {
      if (b.symbol !== 'V') return;
      const k = peaks.findIndex((p) => Math.abs(p - b.sample) <= tol);
      if (k >= 0 && classes[k] === 'VEB') matchedV++;
    });
    expect(matchedV).toBeGreaterThanOrEqual(15);
  });

  it('calls VEB only when the model gives it at least minVebProbability', () => {
    const count = (minVebProbability: number): number =>
      classifyBeats(ecgMv, excerpt.fs, refPeaks, { classifier: { minVebProbability } }).filter(
        (c) => c === 'VEB',
      ).length;
    const argmax = count(0);
    expect(argmax).toBeGreaterThanOrEqual(count(0.6));
    expect(count(0.6)).toBeGreaterThanOrEqual(15);
    // No probability exceeds 1: every beat then gets its most probable other class.
    expect(count(1.01)).toBe(0);
  });

  it('lets a cluster of alike beats vote on VEB: the vote decides once 5 beats share a shape', () => {
    const run = (clusterVoteMembers: number): BeatClass[] =>
      classifyBeats(ecgMv, excerpt.fs, refPeaks, { classifier: { clusterVoteMembers } });
    const voted = run(5);
    const alone = run(0);
    const vebIdx = refClasses.flatMap((c, i) => (c === 'VEB' ? [i] : []));
    // 119's V beats share one shape: with the vote, every one of them is VEB and no N beat is.
    expect(vebIdx.filter((i) => voted[i] === 'VEB')).toHaveLength(vebIdx.length);
    expect(voted.filter((c, i) => c === 'VEB' && refClasses[i] !== 'VEB')).toHaveLength(0);
    expect(vebIdx.filter((i) => alone[i] === 'VEB').length).toBeGreaterThanOrEqual(15);
  });

  it('returns an empty list for no beats and rejects a non-Float64Array signal', () => {
    expect(classifyBeats(new Float64Array(0), 360, [])).toEqual([]);
    expect(() => classifyBeats([1, 2, 3] as unknown as Float64Array, 360, [1])).toThrow(
      /Float64Array/,
    );
  });

  it('rejects a model with another feature set', () => {
    const model = { ...loadBeatModel(), featureNames: ['a'], w1: [] as number[] };
    expect(() => loadBeatModel(model)).toThrow(/model/);
  });
});

describe('classifyBeats from two leads (secondLeadMv)', () => {
  // The excerpt's MLII with its V beats given the normal beat's shape: premature beats that look
  // normal, as a VEB can on a lead along which its QRS projects like the sinus one.
  const flat = normalLookingVebs(ecgMv, excerpt.fs, excerpt.beats);
  const vebIdx = refClasses.flatMap((c, i) => (c === 'VEB' ? [i] : []));

  it('calls VEB the ventricular beats that look normal on the first lead when the second shows them', () => {
    const one = classifyBeats(flat, excerpt.fs, refPeaks);
    // On that lead alone the 16 VEBs are premature beats of the normal shape: not one is VEB.
    expect(vebIdx.filter((i) => one[i] === 'VEB')).toHaveLength(0);
    for (const leadFusion of ['mean', 'log-mean', 'confidence'] as const) {
      const two = classifyBeats(flat, excerpt.fs, refPeaks, {
        secondLeadMv: ecgMv,
        classifier: { leadFusion },
      });
      expect(vebIdx.filter((i) => two[i] === 'VEB')).toHaveLength(16);
      expect(two.filter((c, i) => c === 'VEB' && refClasses[i] !== 'VEB')).toHaveLength(0);
    }
  });

  it('changes no class when the second lead is the first one again', () => {
    const one = classifyBeats(ecgMv, excerpt.fs, refPeaks);
    for (const leadFusion of ['mean', 'log-mean', 'confidence'] as const) {
      expect(
        classifyBeats(ecgMv, excerpt.fs, refPeaks, {
          secondLeadMv: ecgMv,
          classifier: { leadFusion },
        }),
      ).toEqual(one);
    }
  });

  it('changes no class, whatever the reliability rule, when the second lead is inverted or noise', () => {
    const one = classifyBeats(ecgMv, excerpt.fs, refPeaks);
    expect(one.filter((c) => c === 'VEB')).toHaveLength(16);
    const inverted = ecgMv.map((x) => -x);
    // Seeded white noise (0.3 mV, Box-Muller on a Lehmer generator): no QRS at the peaks.
    let seed = 1;
    const uniform = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const noise = Float64Array.from(
      ecgMv,
      () => 0.3 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
    );
    for (const secondLeadReliability of SECOND_LEAD_RELIABILITIES) {
      for (const second of [inverted, noise]) {
        expect(
          classifyBeats(ecgMv, excerpt.fs, refPeaks, {
            secondLeadMv: second,
            classifier: { leadFusion: 'confidence', secondLeadReliability },
          }),
        ).toEqual(one);
      }
    }
  });

  it('template, veb-only and their combinations keep the VEBs only the second lead shows; cluster-map drops them', () => {
    const called = (secondLeadReliability: SecondLeadReliability): number[] => {
      const two = classifyBeats(flat, excerpt.fs, refPeaks, {
        secondLeadMv: ecgMv,
        classifier: { leadFusion: 'confidence', secondLeadReliability },
      });
      return [
        vebIdx.filter((i) => two[i] === 'VEB').length,
        two.filter((c, i) => c === 'VEB' && refClasses[i] !== 'VEB').length,
      ];
    };
    expect(called('template')).toEqual([16, 0]);
    expect(called('veb-only')).toEqual([16, 0]);
    expect(called('template-veb-only')).toEqual([16, 0]);
    expect(called('template-split')).toEqual([16, 0]);
    // On the first lead they join the normal beats' cluster, on the second their own: the
    // first lead's normal cluster does not map onto one second-lead cluster, so it is ignored.
    expect(called('cluster-map')).toEqual([0, 0]);
  });

  it('rejects a second lead of another length or an unknown rule, naming the field', () => {
    expect(() =>
      classifyBeats(ecgMv, excerpt.fs, refPeaks, { secondLeadMv: ecgMv.subarray(1) }),
    ).toThrow(expect.objectContaining({ field: 'options.secondLeadMv' }) as Error);
    expect(() =>
      classifyBeats(ecgMv, excerpt.fs, refPeaks, {
        secondLeadMv: ecgMv,
        classifier: { leadFusion: 'max' as 'mean' },
      }),
    ).toThrow(expect.objectContaining({ field: 'options.leadFusion' }) as Error);
    expect(() =>
      classifyBeats(ecgMv, excerpt.fs, refPeaks, {
        secondLeadMv: ecgMv,
        classifier: { secondLeadReliability: 'vote' as 'none' },
      }),
    ).toThrow(expect.objectContaining({ field: 'options.secondLeadReliability' }) as Error);
  });
});

describe('aamiClass', () => {
  it('groups MIT-BIH symbols into the AAMI classes', () => {
    expect(['N', 'L', 'R', 'e', 'j'].map(aamiClass)).toEqual(['N', 'N', 'N', 'N', 'N']);
    expect(['A', 'a', 'J', 'S'].map(aamiClass)).toEqual(['SVEB', 'SVEB', 'SVEB', 'SVEB']);
    expect(['V', 'E', 'F', '/', 'f', 'Q'].map(aamiClass)).toEqual([
      'VEB',
      'VEB',
      'F',
      'Q',
      'Q',
      'Q',
    ]);
    expect(['+', '~', '|', '"'].map(aamiClass)).toEqual([null, null, null, null]);
  });
});
