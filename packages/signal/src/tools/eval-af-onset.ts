/**
 * `npm run eval:af-onset -- --data <root> [--data <root> ...] [--options '<monitor options json>']
 *  [--prefix-s 90] [--af-s 90] [--suffix-s 0]`
 *
 * AF onset out of frequent atrial ectopy, on development data only: the "frequent PACs, then AF"
 * probe (afOnsetProbe), scored with the shipped monitor twice, as shipped and with the atrial-
 * ectopy veto off (`afAtrialEctopyShare: 0`), so the veto's cost at an AF onset can be read off.
 * Paroxysmal AF very often starts out of frequent atrial premature beats (Haïssaguerre et al.,
 * N Engl J Med 339:659, 1998), and the veto sets a short AF window aside while a third of its
 * beats are called SVEB and a sinus-P beat is still near: no development record holds such an
 * onset, so the probe builds one.
 *
 * Probes (all fixed, no choice per run): every DS1 record of `<root>/mitdb` with 5 SVEBs or more
 * (DS2 records skipped unread) is a prefix source, at SVEB shares 0.3 and 0.5 (`--prefix-s`,
 * default 90 s). AF donors are the development records with an AF interval of at least
 * `--af-s` + 10 s: DS1 (`(AFIB`/`(AFL`) and CPSC 2021 in `<root>/cpsc2021` (patients 8, 35 and 92
 * skipped unread). Each prefix is joined to (1) its own record's AF when it has one (same-record
 * pairing, DS1 201), (2) a DS1 donor other than itself, (3) a CPSC 2021 donor and (4) a DS1
 * flutter donor (a record's `(AFL` intervals alone, DS1 203: held-out data lost a flutter onset
 * amid SVEB calls), (2) to (4) picked in turn by (prefix index + share index) over the donors in
 * name order. Seed of a probe:
 * 4,000,003 + a hash of prefix and donor names + the share in hundredths.
 *
 * Scored per probe and setting: the AF part found (EC57 overlap: any detected AF episode overlaps
 * it) and the time outside it called AF (all of it, and the part in episodes that do not reach
 * the AF part: false AF proper), from `detectQrs` + `analyzeArrhythmia` without a minimum
 * AF duration, as eval:cross-db scores AF; the detected episode's start − the AF part's start
 * (s, back-dated to the first beat of the windows that opened it); the onset delay, the stream
 * time at which the live path (`createEcgAnalyzer` + `createArrhythmiaMonitor` in 1-s packets,
 * as eval:af `--live`) first reported AF overlapping the AF part without a minimum duration,
 * minus its start; and the alarm delay, the same with the shipped minimum (afMinDurationMs, 30 s).
 * A delay before the AF part's start (AF called in the prefix and still open) prints as negative.
 * `--suffix-s` resumes the prefix's rhythm after the AF part (afOnsetProbe `suffixS`), so that
 * with a short `--af-s` the AF part is a short run amid the ectopy.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { aamiClass } from '../arrhythmia/aami-class.js';
import { analyzeArrhythmia } from '../arrhythmia/analyze-arrhythmia.js';
import type { ArrhythmiaMonitorOptions } from '../arrhythmia/create-arrhythmia-monitor.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import { afIntervals } from './af-intervals.js';
import { afOnsetProbe } from './af-onset-probe.js';
import type { AfOnsetProbe, AfOnsetSource } from './af-onset-probe.js';
import { CLASS_INDEX } from './beat-dataset.js';
import { CPSC2021_HELD_OUT, MITDB_DS2 } from './held-out-records.js';
import { liveRateLead } from './live-rate-lead.js';
import { streamLiveEpisodes } from './stream-live-episodes.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    options: { type: 'string' },
    'prefix-s': { type: 'string' },
    'af-s': { type: 'string' },
    'suffix-s': { type: 'string' },
  },
});
const roots = (values.data ?? []).map((d) => resolve(process.env.INIT_CWD ?? process.cwd(), d));
const mitdbDir = roots.map((r) => join(r, 'mitdb')).find((d) => existsSync(d));
if (mitdbDir === undefined) {
  console.error(
    'usage: eval-af-onset --data <root holding mitdb/ (and cpsc2021/)> [--options json]',
  );
  process.exit(2);
}
const cpscDir = roots.map((r) => join(r, 'cpsc2021')).find((d) => existsSync(d));
const prefixS = Number(values['prefix-s'] ?? 90);
const afS = Number(values['af-s'] ?? 90);
const suffixS = Number(values['suffix-s'] ?? 0);
const base: Omit<ArrhythmiaMonitorOptions, 'fs'> =
  values.options === undefined
    ? {}
    : (JSON.parse(values.options) as Omit<ArrhythmiaMonitorOptions, 'fs'>);
const SETTINGS: readonly { label: string; options: Omit<ArrhythmiaMonitorOptions, 'fs'> }[] = [
  { label: 'veto on (shipped)', options: base },
  { label: 'veto off', options: { ...base, afAtrialEctopyShare: 0 } },
];
const SHARES = [0.3, 0.5] as const;
/** Seconds of a donor's AF interval left out at each end (afOnsetProbe `marginS`). */
const MARGIN_S = 5;

interface Named extends AfOnsetSource {
  name: string;
  /** Reference atrial flutter (`(AFL` to the next rhythm change), [start, end) samples. */
  flutter: [number, number][];
}

/**
 * The record's `(AFL` intervals alone (afIntervals joins flutter and AF): a rhythm holds until
 * the next rhythm change, or the record's end.
 */
function flutterIntervals(
  anns: readonly { sample: number; aux: string }[],
  end: number,
): [number, number][] {
  const out: [number, number][] = [];
  let start: number | null = null;
  for (const a of anns) {
    const aux = a.aux.replace(/\0/g, '').trim();
    if (!aux.startsWith('(')) continue;
    if (start !== null) out.push([start, a.sample]);
    start = aux === '(AFL' ? a.sample : null;
  }
  if (start !== null) out.push([start, end]);
  return out;
}

/** The development records of a folder, MLII / II at their own rate, held-out ones unread. */
async function load(dir: string): Promise<Named[]> {
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.hea'))
    .map((f) => f.slice(0, -4))
    .filter((n) => !MITDB_DS2.has(n) && !CPSC2021_HELD_OUT.test(n))
    .sort();
  const out: Named[] = [];
  for (const name of names) {
    const path = join(dir, name);
    // Native rate: afOnsetProbe resamples both parts to 250 Hz once.
    const { ecg, fs } = liveRateLead(await readWfdbRecord(path), { nativeRate: true });
    const anns = existsSync(`${path}.atr`) ? await readAnnotations(path) : [];
    const beats = anns.filter((a) => isBeatSymbol(a.symbol));
    out.push({
      name,
      ecgMv: ecg,
      fs,
      peaks: Int32Array.from(beats, (a) => a.sample),
      labels: Int32Array.from(beats, (a) => CLASS_INDEX[aamiClass(a.symbol) ?? 'Q']),
      af: afIntervals(anns, ecg.length),
      flutter: flutterIntervals(anns, ecg.length),
    });
  }
  return out;
}

const mitdb = await load(mitdbDir);
const cpsc = cpscDir === undefined ? [] : await load(cpscDir);
const isDonor = (r: Named): boolean => r.af.some(([s, e]) => e - s >= (afS + 2 * MARGIN_S) * r.fs);
const mitDonors = mitdb.filter(isDonor);
const cpscDonors = cpsc.filter(isDonor);
/** The DS1 flutter donors: a record's `(AFL` alone as its AF (held-out data lost a flutter onset). */
const flutterDonors = mitdb
  .map((r) => ({ ...r, name: `${r.name} AFL`, af: r.flutter }))
  .filter(isDonor);
const prefixes = mitdb.filter((r) => {
  let n = 0;
  r.labels.forEach((l) => (n += l === CLASS_INDEX.SVEB ? 1 : 0));
  return n >= 5;
});

function seed(prefix: string, donor: string, share: number): number {
  let h = 0;
  for (const ch of `${prefix}|${donor}`) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
  return 4_000_003 + 7919 * h + Math.round(100 * share);
}

type Interval = [number, number];
const overlap = (a: Interval[], b: Interval[]): number => {
  let t = 0;
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) t += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return t;
};

/**
 * Streams a probe through the live path in 1-s packets (as eval:af `--live`); returns the stream
 * time (samples) at which the monitor first reported an AF episode overlapping [from, to), or
 * null.
 */
function firstAfReport(
  ecg: Float64Array,
  fs: number,
  from: number,
  to: number,
  options: Omit<ArrhythmiaMonitorOptions, 'fs'>,
): number | null {
  return streamLiveEpisodes(ecg, fs, options, (episodes, now) =>
    episodes.some((e) => e.rhythm === 'AF' && (e.end ?? now) > from && e.start < to),
  );
}

interface Score {
  found: boolean;
  /** Detected AF episode's start − AF start, s (null: not found). */
  episodeStartS: number | null;
  onsetS: number | null;
  alarmS: number | null;
  /** Time outside the AF part (prefix, suffix) called AF, s. */
  nonAfS: number;
  /** Of it, in AF episodes that do not reach the AF part, s. */
  falseS: number;
  /** Beats outside the AF part called SVEB (as eval:cross-db counts them). */
  svebCalls: number;
}

function score(p: AfOnsetProbe, options: Omit<ArrhythmiaMonitorOptions, 'fs'>): Score {
  const { ecgMv, fs, afStart, afEnd } = p;
  const ref: Interval[] = [[afStart, afEnd]];
  const outside: Interval[] = [
    [0, afStart],
    [afEnd, ecgMv.length],
  ];
  const peaks = detectQrs(ecgMv, { fs });
  const detection = analyzeArrhythmia(ecgMv, fs, peaks, { ...options, afMinDurationMs: 0 });
  const det: Interval[] = detection.episodes
    .filter((e) => e.rhythm === 'AF')
    .map((e) => [e.start, e.end ?? e.start]);
  const hit = det.filter((d) => overlap([d], ref) > 0);
  const onset = firstAfReport(ecgMv, fs, afStart, afEnd, { ...options, afMinDurationMs: 0 });
  const alarm = firstAfReport(ecgMv, fs, afStart, afEnd, options);
  const sec = (x: number | null): number | null => (x === null ? null : (x - afStart) / fs);
  return {
    found: hit.length > 0,
    episodeStartS: sec(hit[0]?.[0] ?? null),
    onsetS: sec(onset),
    alarmS: sec(alarm),
    nonAfS: overlap(det, outside) / fs,
    falseS:
      overlap(
        det.filter((d) => overlap([d], ref) === 0),
        outside,
      ) / fs,
    svebCalls: detection.beats.filter(
      (b) => (b.sample < afStart || b.sample >= afEnd) && b.class === 'SVEB',
    ).length,
  };
}

const f1 = (x: number | null): string => (x === null ? '–' : x.toFixed(1));
const median = (v: number[]): number | null => {
  const s = [...v].sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 === 1
    ? (s[s.length >> 1] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

console.log(
  `AF onset probe: prefixes ${prefixes.map((r) => r.name).join(' ')}; DS1 donors ${mitDonors
    .map((r) => r.name)
    .join(' ')}; CPSC 2021 donors ${cpscDonors.map((r) => r.name).join(' ') || 'none'}; ` +
    `flutter donors ${flutterDonors.map((r) => r.name).join(' ') || 'none'}; ` +
    `prefix ${prefixS} s, AF ${afS} s, suffix ${suffixS} s, 250 Hz; options ${JSON.stringify(base)}\n`,
);
console.log(
  '| probe | donor (start s) | gain | found on / off | episode start on / off (s) | onset delay on / off (s) | alarm delay on / off (s) | non-AF time called AF on / off (s) | of it apart from the AF part (s) | SVEB calls outside the AF part on / off |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const all: Score[][] = SETTINGS.map(() => []);
/** Pairings afOnsetProbe could not join (null). */
const skipped: string[] = [];
for (const [i, pre] of prefixes.entries()) {
  for (const [j, share] of SHARES.entries()) {
    const others = mitDonors.filter((d) => d.name !== pre.name);
    const donors: Named[] = [
      ...(isDonor(pre) ? [pre] : []),
      ...(others.length > 0 ? [others[(i + j) % others.length] as Named] : []),
      ...(cpscDonors.length > 0 ? [cpscDonors[(i + j) % cpscDonors.length] as Named] : []),
      ...(flutterDonors.length > 0 ? [flutterDonors[(i + j) % flutterDonors.length] as Named] : []),
    ];
    for (const donor of donors) {
      const p = afOnsetProbe(pre, donor, {
        seed: seed(pre.name, donor.name, share),
        svebShare: share,
        prefixS,
        afS,
        suffixS,
        marginS: MARGIN_S,
      });
      if (p === null) {
        // No beat to join at where the AF part must start (or end, with a suffix).
        skipped.push(`${pre.name}@${share} + ${donor.name}`);
        continue;
      }
      const s = SETTINGS.map((st, k) => {
        const r = score(p, st.options);
        all[k]?.push(r);
        return r;
      });
      const pair = (g: (x: Score) => string): string => s.map(g).join(' / ');
      const prefixLabels = p.labels.subarray(
        0,
        p.peaks.findIndex((x) => x >= p.afStart),
      );
      const nSveb = prefixLabels.filter((l) => l === CLASS_INDEX.SVEB).length;
      console.log(
        `| ${pre.name}@${share} (${nSveb} SVEB of ${prefixLabels.length}) | ${donor.name}${donor === pre ? ' (same)' : ''} ` +
          `(${p.donorStartS.toFixed(0)}) | ${p.gain.toFixed(2)} | ${pair((x) => (x.found ? 'yes' : 'no'))} | ` +
          `${pair((x) => f1(x.episodeStartS))} | ${pair((x) => f1(x.onsetS))} | ` +
          `${pair((x) => f1(x.alarmS))} | ${pair((x) => x.nonAfS.toFixed(0))} | ` +
          `${pair((x) => x.falseS.toFixed(0))} | ${pair((x) => String(x.svebCalls))} |`,
      );
    }
  }
}
console.log(`\nskipped (no join point): ${skipped.length === 0 ? 'none' : skipped.join(', ')}`);
for (const [k, st] of SETTINGS.entries()) {
  const s = all[k] ?? [];
  const vals = (g: (x: Score) => number | null): number[] =>
    s.map(g).filter((x): x is number => x !== null);
  console.log(
    `${st.label}: found ${s.filter((x) => x.found).length}/${s.length}; median onset delay ` +
      `${f1(median(vals((x) => x.onsetS)))} s (${vals((x) => x.onsetS).length} reported); median alarm delay ` +
      `${f1(median(vals((x) => x.alarmS)))} s (${vals((x) => x.alarmS).length} alarmed); non-AF time called AF ` +
      `${s.reduce((t, x) => t + x.nonAfS, 0).toFixed(0)} s (apart from the AF part ` +
      `${s.reduce((t, x) => t + x.falseS, 0).toFixed(0)} s) of about ` +
      `${s.length * (prefixS + suffixS)} s; SVEB calls there ${s.reduce((t, x) => t + x.svebCalls, 0)}`,
  );
}
