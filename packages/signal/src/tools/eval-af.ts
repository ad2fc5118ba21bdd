/**
 * `npm run eval:af -- <dir> [<dir> ...] [--annotations] [--list] [--af-window 32]
 *  [--af-hysteresis 6] [--af-short-window 12] [--af-short-hysteresis 4] [--p-max 0.5]
 *  [--p-measure template|coherence|template-or-coherence] [--af-hold 16] [--af-min-duration 30000]
 *  [--no-atrial-evidence] [--options '<monitor options json>'] [--strips 30]
 *  [--channel N] [--invert] [--noise-mv 0.05]`
 *
 * Atrial fibrillation episode detection against the rhythm annotations of every WFDB record in
 * <dir> (MIT-BIH `(AFIB`/`(AFL` rhythm changes; CPSC 2021 `(AFIB`/`(AFL`/`(N`). Beats come from
 * `detectQrs` (end to end) or, with --annotations, from the reference beat annotations. Prints
 * per record and gross: episode sensitivity, episode positive predictivity, AF-time sensitivity
 * and positive predictivity, and the share of non-AF time called AF. Episodes are matched as
 * the EC38/EC57 reference comparator `epicmp` does (ANSI/AAMI EC57; WFDB Applications Guide):
 * a reference episode is found when any detected AF episode overlaps it, a detected episode is
 * true when it overlaps any reference episode; duration statistics weigh the overlap time. Unlike
 * `epicmp` the whole record is compared (no 5-minute learning period: CPSC 2021 records are
 * 1 to 9 minutes long) and no episode is excluded for being short. Because overlap credit is
 * lenient toward long detections, the stricter count of reference episodes at least half covered
 * by detected AF is printed too. `--list` prints missed and detected episodes per record.
 * Fragmentation: how many reference episodes more than one detected episode overlaps (one AF
 * reported as several), with the gaps between them, and at each reference end the record goes
 * on 20 s after (its last detected episode not running into the next reference episode) the
 * detected end minus the reference end and, with `--live`, when the live monitor closed it.
 *
 * `--strips <s>` also cuts every record into consecutive strips of s seconds and analyses each on
 * its own from a cold start (QRS detection included), as a short recording would be (CinC 2017's
 * 9-61 s strips): a strip at least 90% in AF is found when any AF is detected in it; in strips
 * without AF the time called AF is summed. Development records only: this is how the rules are
 * checked on short recordings without looking at the held-out database. `--channel N` analyses
 * that channel instead of MLII / II (e.g. CPSC 2021's lead I, the lead of handheld recorders).
 *
 * `--live` also streams every record in 1-s packets through the live path as the server runs it
 * (`createEcgAnalyzer`, whose final beats go to `createArrhythmiaMonitor` with the same options)
 * and prints, for each reference AF episode of at least 30 s, the alarm delay: the stream time at
 * which the monitor first reported an AF episode overlapping it, minus the reference onset. With
 * the default 30-s minimum duration an alarm cannot come before 30 s plus the time the detector
 * needs to call AF; records in AF from their first beat (cold start) are summarised apart.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeArrhythmia } from '../arrhythmia/analyze-arrhythmia.js';
import type { ArrhythmiaMonitorOptions } from '../arrhythmia/create-arrhythmia-monitor.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import { afIntervals } from './af-intervals.js';
import { streamLiveEpisodes } from './stream-live-episodes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    annotations: { type: 'boolean', default: false },
    'af-window': { type: 'string' },
    'af-hysteresis': { type: 'string' },
    'af-short-window': { type: 'string' },
    'af-short-hysteresis': { type: 'string' },
    'p-max': { type: 'string' },
    'p-measure': { type: 'string' },
    'af-hold': { type: 'string' },
    'af-min-duration': { type: 'string' },
    'no-atrial-evidence': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    strips: { type: 'string' },
    channel: { type: 'string' },
    invert: { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    'noise-mv': { type: 'string' },
    options: { type: 'string' },
  },
});
// npm runs workspace scripts in the package folder: resolve paths against the caller's cwd.
const dirs = positionals.map((d) => resolve(process.env.INIT_CWD ?? process.cwd(), d));
if (dirs.length === 0) {
  console.error('usage: eval-af <dir> [<dir> ...] [--annotations]');
  process.exit(2);
}

type Interval = [number, number];

const monitorOptions: Omit<ArrhythmiaMonitorOptions, 'fs'> = {
  ...(values.options === undefined
    ? {}
    : (JSON.parse(values.options) as Omit<ArrhythmiaMonitorOptions, 'fs'>)),
  ...(values['af-window'] === undefined ? {} : { afWindowBeats: Number(values['af-window']) }),
  ...(values['af-hysteresis'] === undefined
    ? {}
    : { afHysteresisBeats: Number(values['af-hysteresis']) }),
  ...(values['af-short-window'] === undefined
    ? {}
    : { afShortWindowBeats: Number(values['af-short-window']) }),
  ...(values['af-short-hysteresis'] === undefined
    ? {}
    : { afShortHysteresisBeats: Number(values['af-short-hysteresis']) }),
  ...(values['p-max'] === undefined ? {} : { afPWaveScoreMax: Number(values['p-max']) }),
  ...(values['p-measure'] === undefined
    ? {}
    : {
        afPWaveMeasure: values['p-measure'] as 'template' | 'coherence' | 'template-or-coherence',
      }),
  ...(values['af-hold'] === undefined ? {} : { afHoldBeats: Number(values['af-hold']) }),
  ...(values['af-min-duration'] === undefined
    ? {}
    : { afMinDurationMs: Number(values['af-min-duration']) }),
  ...(values['no-atrial-evidence'] ? { afRequireAtrialEvidence: false } : {}),
};
const stripS = values.strips === undefined ? 0 : Number(values.strips);
const strips = { afStrips: 0, afFound: 0, nonAfStrips: 0, nonAfS: 0, fpS: 0, fpStrips: 0 };

/** Cuts a record into strips of `stripS` seconds, each analysed from a cold start. */
function scoreStrips(name: string, ecg: Float64Array, fs: number, ref: Interval[]): void {
  const len = Math.round(stripS * fs);
  for (let s0 = 0; s0 + len <= ecg.length; s0 += len) {
    const strip: Interval = [s0, s0 + len];
    const afIn = overlap([strip], ref);
    const isAf = afIn >= 0.9 * len;
    if (!isAf && afIn > 0) continue;
    const x = ecg.subarray(s0, s0 + len);
    const r = analyzeArrhythmia(x, fs, detectQrs(x, { fs }), monitorOptions);
    const det: Interval[] = r.episodes
      .filter((e) => e.rhythm === 'AF')
      .map((e) => [e.start, e.end ?? e.start]);
    const detS = det.reduce((t, [a, b]) => t + b - a, 0) / fs;
    if (isAf) {
      strips.afStrips++;
      if (det.length > 0) strips.afFound++;
    } else {
      strips.nonAfStrips++;
      strips.nonAfS += len / fs;
      strips.fpS += detS;
      if (det.length > 0) strips.fpStrips++;
      if (values.list && det.length > 0) {
        console.log(`  strip ${name} ${(s0 / fs).toFixed(0)} s: ${detS.toFixed(1)} s called AF`);
      }
    }
  }
}

/**
 * Streams a record through the live path in 1-s packets; returns each AF episode the monitor
 * reported as [start, end, sample count of the stream when it was first reported].
 */
function liveAfReports(ecg: Float64Array, fs: number): [number, number, number, number][] {
  const reports = new Map<number, [number, number, number, number]>();
  streamLiveEpisodes(ecg, fs, monitorOptions, (episodes, at) => {
    for (const e of episodes) {
      if (e.rhythm !== 'AF') continue;
      let seen = reports.get(e.start);
      const end = e.end ?? at;
      if (seen === undefined) reports.set(e.start, (seen = [e.start, end, at, Number.NaN]));
      else seen[1] = end;
      if (!e.ongoing && Number.isNaN(seen[3])) seen[3] = at;
    }
    return false;
  });
  return [...reports.values()];
}

/** Alarm delays (s) of the reference AF episodes of at least 30 s, cold starts apart. */
const delays = {
  warm: [] as number[],
  cold: [] as number[],
  warmMissed: 0,
  coldMissed: 0,
  carried: 0,
};

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function overlap(a: Interval[], b: Interval[]): number {
  let t = 0;
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) t += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return t;
}

const gross = {
  ref: 0,
  found: 0,
  covered: 0,
  ref30: 0,
  found30: 0,
  det: 0,
  detTrue: 0,
  afT: 0,
  tpT: 0,
  detT: 0,
  nonAfT: 0,
  fpT: 0,
  /** Reference episodes overlapped by more than one detected episode, and the extra episodes. */
  split: 0,
  fragments: 0,
  /** Gaps (s) between consecutive detected episodes inside one reference episode. */
  gapsS: [] as number[],
  /** Detected end minus reference end (s) at reference ends followed by >= 60 s of non-AF. */
  endLagS: [] as number[],
  /** Live: stream time the monitor closed the episode minus the reference end (s), same ends. */
  liveCloseS: [] as number[],
};
const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');
console.log(`beats from ${values.annotations ? 'reference annotations' : 'detectQrs'}`);
console.log(
  'record        min  lead  refEp found  detEp true   AF min  AF-time Se  AF-time +P  non-AF called AF  withheld',
);
for (const dir of dirs) {
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.atr'))
    .map((f) => f.slice(0, -4))
    .sort();
  for (const name of names) {
    const path = join(dir, name);
    const rec = await readWfdbRecord(path);
    const anns = await readAnnotations(path);
    const lead =
      values.channel === undefined
        ? Math.max(
            0,
            rec.signals.findIndex((s) => ['MLII', 'II'].includes(s.description.toUpperCase())),
          )
        : Number(values.channel);
    const raw = rec.signals[lead]?.physical ?? new Float64Array(0);
    // --invert: the lead reversed, as a handheld recorder held the other way round records it.
    const inverted = values.invert ? raw.map((v) => -v) : raw;
    // --noise-mv: white Gaussian noise of this SD added (seeded), a handheld recording's noise.
    const noiseMv = values['noise-mv'] === undefined ? 0 : Number(values['noise-mv']);
    let seed = 12345;
    const uniform = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed + 1) / 2147483649;
    };
    const ecg =
      noiseMv > 0
        ? inverted.map(
            (v) =>
              v + noiseMv * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
          )
        : inverted;
    const end = rec.nSamples;
    const ref: Interval[] = afIntervals(anns, end);
    const peaks = values.annotations
      ? Int32Array.from(
          anns.filter((a) => isBeatSymbol(a.symbol)),
          (a) => a.sample,
        )
      : detectQrs(ecg, { fs: rec.fs });
    const result = analyzeArrhythmia(ecg, rec.fs, peaks, monitorOptions);
    if (stripS > 0) scoreStrips(name, ecg, rec.fs, ref);
    let liveCloses: [number, number, number][] | null = null;
    if (values.live) {
      const reports = liveAfReports(ecg, rec.fs);
      liveCloses = reports.map(([a, b, , c]) => [a, b, c]);
      for (const r of ref) {
        if (r[1] - r[0] < 30 * rec.fs) continue;
        // Cold start: the record is in AF from its first second.
        const cold = r[0] < rec.fs;
        const at = reports
          .filter(([s, e]) => overlap([[s, e]], [r]) > 0)
          .reduce((m, [, , t]) => Math.min(m, t), Number.POSITIVE_INFINITY);
        // An alarm reported before the onset is one still open from AF just before (DS1 203's
        // flutter and AF alternate): no new alarm is due, so it counts apart, not as a delay.
        if (at < r[0]) delays.carried++;
        else if (Number.isFinite(at)) (cold ? delays.cold : delays.warm).push((at - r[0]) / rec.fs);
        else if (cold) delays.coldMissed++;
        else delays.warmMissed++;
        if (values.list) {
          const t =
            at < r[0]
              ? 'alarm open before'
              : Number.isFinite(at)
                ? `alarm after ${((at - r[0]) / rec.fs).toFixed(1)} s`
                : 'no alarm';
          console.log(
            `  live: AF ${(r[0] / rec.fs).toFixed(1)} s${cold ? ' (cold start)' : ''}: ${t}`,
          );
        }
      }
    }
    const det: Interval[] = result.episodes
      .filter((e) => e.rhythm === 'AF')
      .map((e) => [e.start, e.end ?? e.start]);
    const found = ref.filter((r) => overlap([r], det) > 0).length;
    // Stricter: detected AF covers at least half of the reference episode.
    const covered = ref.filter((r) => 2 * overlap([r], det) >= r[1] - r[0]).length;
    const long = ref.filter(([s, e]) => e - s >= 30 * rec.fs);
    const found30 = long.filter((r) => overlap([r], det) > 0).length;
    const detTrue = det.filter((d) => overlap([d], ref) > 0).length;
    const afT = ref.reduce((s, [a, b]) => s + b - a, 0);
    const detT = det.reduce((s, [a, b]) => s + b - a, 0);
    const tpT = overlap(ref, det);
    const nonAfT = end - afT;
    const fpT = detT - tpT;
    gross.ref += ref.length;
    gross.found += found;
    gross.covered += covered;
    gross.ref30 += long.length;
    gross.found30 += found30;
    gross.det += det.length;
    gross.detTrue += detTrue;
    gross.afT += afT / rec.fs;
    gross.tpT += tpT / rec.fs;
    gross.detT += detT / rec.fs;
    gross.nonAfT += nonAfT / rec.fs;
    gross.fpT += fpT / rec.fs;
    // Fragmentation: one reference episode reported as several detected ones, and where the
    // detected AF ends against the reference end (clean ends only: no reference AF within 60 s
    // after it, the record going on at least that long).
    for (const r of ref) {
      const on = det.filter((d) => overlap([d], [r]) > 0).sort((a, b) => a[0] - b[0]);
      if (on.length > 1) {
        gross.split++;
        gross.fragments += on.length - 1;
      }
      for (let i = 1; i < on.length; i++) {
        const gap = ((on[i]?.[0] ?? 0) - (on[i - 1]?.[1] ?? 0)) / rec.fs;
        gross.gapsS.push(gap);
        if (values.list)
          console.log(`  split AF ${(r[0] / rec.fs).toFixed(1)} s: gap ${gap.toFixed(1)} s`);
      }
      // The reference end is scored when the record goes on for 20 s after it and the last
      // detected episode on it does not run into the next reference episode.
      const next = ref.find(([s]) => s >= r[1]);
      const last = on[on.length - 1];
      if (last && r[1] + 20 * rec.fs <= end && !(next && overlap([last], [next]) > 0)) {
        gross.endLagS.push((last[1] - r[1]) / rec.fs);
        if (values.list)
          console.log(
            `  end of AF ${(r[1] / rec.fs).toFixed(1)} s: detected end ${((last[1] - r[1]) / rec.fs).toFixed(1)} s after`,
          );
        if (liveCloses) {
          // The live monitor's episode on it closed at this stream time (the end it reports is
          // its last AF decision; this is when it says so).
          const lv = liveCloses
            .filter(([a, b]) => overlap([[a, b]], [r]) > 0)
            .sort((a, b) => a[0] - b[0]);
          const lastLive = lv[lv.length - 1];
          if (lastLive && !(next && overlap([[lastLive[0], lastLive[1]]], [next]) > 0)) {
            gross.liveCloseS.push((lastLive[2] - r[1]) / rec.fs);
            if (values.list)
              console.log(
                `  end of AF ${(r[1] / rec.fs).toFixed(1)} s: live close ${((lastLive[2] - r[1]) / rec.fs).toFixed(1)} s after`,
              );
          }
        }
      }
    }
    if (values.list) {
      const sec = (v: number): string => (v / rec.fs).toFixed(1);
      for (const r of ref) {
        const beats = peaks.filter((p) => p >= r[0] && p < r[1]).length;
        if (overlap([r], det) === 0)
          console.log(
            `  missed AF ${sec(r[0])}-${sec(r[1])} s (${sec(r[1] - r[0])} s, ${beats} beats)`,
          );
      }
      for (const d of det)
        console.log(
          `  detected ${sec(d[0])}-${sec(d[1])} s (${sec(d[1] - d[0])} s)${overlap([d], ref) > 0 ? '' : ' false'}`,
        );
    }
    console.log(
      `${name.padEnd(12)} ${(end / rec.fs / 60).toFixed(1).padStart(4)}  ${(rec.signals[lead]?.description ?? '').padEnd(5)} ${String(ref.length).padStart(5)} ${String(found).padStart(5)}  ${String(det.length).padStart(5)} ${String(detTrue).padStart(4)}  ${(afT / rec.fs / 60).toFixed(1).padStart(6)}  ${pct(tpT, afT).padStart(10)}  ${pct(tpT, detT).padStart(10)}  ${pct(fpT, nonAfT).padStart(17)}  ${result.withheld ?? ''}`,
    );
  }
}
console.log(
  `\ngross: AF episodes found ${gross.found}/${gross.ref} (Se ${pct(gross.found, gross.ref)}); ` +
    `episodes >= 30 s found ${gross.found30}/${gross.ref30} (Se ${pct(gross.found30, gross.ref30)}); ` +
    `detected episodes overlapping AF ${gross.detTrue}/${gross.det} (+P ${pct(gross.detTrue, gross.det)}); ` +
    `episodes at least half covered by detected AF ${gross.covered}/${gross.ref} (${pct(gross.covered, gross.ref)})`,
);
console.log(
  `gross: AF time ${(gross.afT / 60).toFixed(1)} min, AF-time Se ${pct(gross.tpT, gross.afT)}, ` +
    `AF-time +P ${pct(gross.tpT, gross.detT)}, non-AF time called AF ${pct(gross.fpT, gross.nonAfT)} ` +
    `(${(gross.fpT / 60).toFixed(1)} of ${(gross.nonAfT / 60).toFixed(1)} min)`,
);
{
  const g = [...gross.gapsS].sort((a, b) => a - b);
  const l = [...gross.endLagS].sort((a, b) => a - b);
  const c = [...gross.liveCloseS].sort((a, b) => a - b);
  console.log(
    `gross: reference AF episodes split into several detected episodes ${gross.split}/${gross.ref} ` +
      `(${gross.fragments} extra episodes; gaps ${g.map((v) => v.toFixed(1)).join(', ') || '-'} s); ` +
      `detected end - reference end at ${l.length} clean ends: median ${quantile(l, 0.5).toFixed(1)} s, ` +
      `min ${(l[0] ?? Number.NaN).toFixed(1)} s, max ${(l[l.length - 1] ?? Number.NaN).toFixed(1)} s` +
      (values.live
        ? `; live close - reference end at ${c.length}: median ${quantile(c, 0.5).toFixed(1)} s, ` +
          `max ${(c[c.length - 1] ?? Number.NaN).toFixed(1)} s`
        : ''),
  );
}
if (stripS > 0) {
  console.log(
    `strips of ${stripS} s: AF found in ${strips.afFound}/${strips.afStrips} AF strips ` +
      `(${pct(strips.afFound, strips.afStrips)}); non-AF strips with AF called ` +
      `${strips.fpStrips}/${strips.nonAfStrips}, non-AF time called AF ${pct(strips.fpS, strips.nonAfS)}`,
  );
}
if (values.live) {
  for (const [kind, d, missed] of [
    ['from the record start (cold start)', delays.cold, delays.coldMissed],
    ['inside a record', delays.warm, delays.warmMissed],
  ] as const) {
    const sorted = [...d].sort((a, b) => a - b);
    console.log(
      `live alarm delay, AF episodes >= 30 s ${kind}: ${sorted.length} alarmed, ${missed} not; ` +
        (sorted.length > 0
          ? `median ${quantile(sorted, 0.5).toFixed(1)} s, 90th percentile ${quantile(sorted, 0.9).toFixed(1)} s, ` +
            `min ${(sorted[0] ?? 0).toFixed(1)} s, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} s`
          : ''),
    );
  }
  console.log(
    `live: ${delays.carried} AF episodes >= 30 s began while an alarm from AF just before was still open`,
  );
}
