/**
 * Leave-one-subject-out study of when the camera heart-rate estimator should report a number,
 * replayed offline on the windows of rppg-trace-windows.ts. The >= mediumSnrDb path of the
 * estimator is kept in every variant; a variant only replaces the decision below it (today: the
 * peak tracking of trackLagsSeconds) and, for 'viterbi' and 'viterbi-logistic', which peak is
 * reported there. Everything a variant learns or selects is fitted on 14 subjects and scored on
 * the 15th; only the pooled held-out figures are printed.
 *
 * Run: npx tsx --conditions vigil-source packages/signal/src/tools/study-rppg-gate.ts <windows.json> [--gate-only]
 */
import { readFileSync } from 'node:fs';
import { fitLogistic } from './fit-logistic.js';
import type { TraceWindow } from './rppg-trace-windows.js';

const path = process.argv[2];
if (path === undefined) {
  console.error('usage: study-rppg-gate.ts <windows.json>');
  process.exit(2);
}
const all = JSON.parse(readFileSync(path, 'utf8')) as TraceWindow[];
const MEDIUM_SNR_DB = 1;
const TOLERANCE_BPM = 6;
const TARGET_WITHIN5 = 0.97;
const GATE_ONLY = process.argv.includes('--gate-only');
const videos = [...new Set(all.map((w) => w.video))];
const byVideo = new Map(videos.map((v) => [v, all.filter((w) => w.video === v)]));

/** The window of the same video that ended nearest `t`, within 0.5 s. */
function near(list: readonly TraceWindow[], i: number, lagMs: number): TraceWindow | null {
  const t = (list[i]?.endMs ?? 0) - lagMs;
  for (let j = i - 1; j >= 0; j--) {
    const w = list[j];
    if (w === undefined) break;
    if (Math.abs(w.endMs - t) <= 500) return w;
    if (w.endMs < t - 500) break;
  }
  return null;
}

// ---- Viterbi (forward) tracker over the top peaks ----
const LAPLACE_BPM_PER_S = 3;
interface Tracked {
  bpm: number;
  posterior: number;
  relativePower: number;
}
function track(list: readonly TraceWindow[]): Tracked[] {
  const out: Tracked[] = [];
  let prev: { bpm: number; logAlpha: number }[] | null = null;
  let prevT = -Infinity;
  for (const w of list) {
    const states = w.peaks.length > 0 ? w.peaks : [{ bpm: w.candidateBpm, relativePower: 1 }];
    const dt = (w.endMs - prevT) / 1000;
    const logEmit = states.map((s) => Math.log(Math.max(1e-6, s.relativePower)));
    let logAlpha: number[];
    if (prev === null || dt > 2.5) {
      logAlpha = logEmit.slice();
    } else {
      const p = prev;
      // Transition s' -> s: Laplace in |d bpm|, normalised over the current states.
      const trans = p.map((a) => {
        const raw = states.map((s) => -Math.abs(s.bpm - a.bpm) / (LAPLACE_BPM_PER_S * dt));
        const z = logSumExp(raw);
        return raw.map((v) => v - z);
      });
      logAlpha = states.map(
        (_, k) =>
          (logEmit[k] ?? 0) + logSumExp(p.map((a, j) => a.logAlpha + (trans[j]?.[k] ?? -Infinity))),
      );
    }
    const z = logSumExp(logAlpha);
    logAlpha = logAlpha.map((v) => v - z);
    let best = 0;
    for (let k = 1; k < logAlpha.length; k++)
      if ((logAlpha[k] ?? -Infinity) > (logAlpha[best] ?? -Infinity)) best = k;
    out.push({
      bpm: states[best]?.bpm ?? w.candidateBpm,
      posterior: Math.exp(logAlpha[best] ?? -Infinity),
      relativePower: states[best]?.relativePower ?? 1,
    });
    prev = states.map((s, k) => ({ bpm: s.bpm, logAlpha: logAlpha[k] ?? -Infinity }));
    prevT = w.endMs;
  }
  return out;
}
function logSumExp(v: readonly number[]): number {
  const m = Math.max(...v);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}
const tracked = new Map(videos.map((v) => [v, track(byVideo.get(v) ?? [])]));

// ---- per-window rows ----
interface Row {
  video: string;
  w: TraceWindow;
  /** Today's >= 1 dB path. */
  strong: boolean;
  /** Rate a variant reports below 1 dB (largest peak or tracked peak). */
  bpmLargest: number;
  bpmTracked: number;
  featLargest: number[];
  featTracked: number[];
  posterior: number;
}
const agreeCount = (
  list: readonly TraceWindow[],
  i: number,
  bpmAt: (j: TraceWindow) => number,
  bpm: number,
): number => {
  let n = 0;
  for (let lag = 1; lag <= 10; lag++) {
    const e = near(list, i, lag * 1000);
    if (e !== null && Math.abs(bpmAt(e) - bpm) <= TOLERANCE_BPM) n++;
  }
  return n;
};
const rows: Row[] = [];
for (const v of videos) {
  const list = byVideo.get(v) ?? [];
  const tr = tracked.get(v) ?? [];
  const trackedOf = new Map(list.map((w, i) => [w, tr[i]?.bpm ?? w.candidateBpm]));
  list.forEach((w, i) => {
    const d = (lag: number, at: (e: TraceWindow) => number, bpm: number): number => {
      const e = near(list, i, lag);
      return e === null ? 30 : Math.min(30, Math.abs(at(e) - bpm));
    };
    const largest = (e: TraceWindow): number => e.candidateBpm;
    const trk = (e: TraceWindow): number => trackedOf.get(e) ?? e.candidateBpm;
    const t = tr[i] ?? { bpm: w.candidateBpm, posterior: 1, relativePower: 1 };
    const second = w.peaks[1]?.relativePower ?? 1e-3;
    rows.push({
      video: v,
      w,
      strong: w.snrDb >= MEDIUM_SNR_DB,
      bpmLargest: w.candidateBpm,
      bpmTracked: t.bpm,
      featLargest: [
        w.snrDb,
        d(5000, largest, w.candidateBpm),
        d(10000, largest, w.candidateBpm),
        Math.log10(Math.max(1e-3, w.harmonicPowerRatio)),
        Math.log10(Math.max(1e-3, second)),
        w.motionFraction,
        agreeCount(list, i, largest, w.candidateBpm),
      ],
      featTracked: [
        w.snrDb,
        d(5000, trk, t.bpm),
        d(10000, trk, t.bpm),
        Math.log10(Math.max(1e-3, t.relativePower)),
        t.posterior,
        w.motionFraction,
        agreeCount(list, i, trk, t.bpm),
      ],
      posterior: t.posterior,
    });
  });
}

// ---- scoring ----
interface Decision {
  row: Row;
  bpm: number | null;
}
function score(ds: readonly Decision[]) {
  const n = ds.length;
  const rep = ds.filter((d) => d.bpm !== null);
  const err = rep.map((d) => Math.abs((d.bpm ?? 0) - d.row.w.referenceBpm));
  const within = err.filter((e) => e <= 5).length;
  const halfDouble = rep.filter((d) => {
    const ratio = (d.bpm ?? 0) / d.row.w.referenceBpm;
    return Math.abs(ratio - 0.5) <= 0.1 || Math.abs(ratio - 2) <= 0.2;
  }).length;
  return {
    n,
    reported: rep.length,
    coverage: rep.length / n,
    within5: within / Math.max(1, rep.length),
    mae: err.reduce((a, b) => a + b, 0) / Math.max(1, rep.length),
    wrong: rep.length - within,
    halfDouble,
    hit: within / n,
  };
}
const subjectNumber = (v: string): number => Number(v.replace(/\D/g, ''));
function report(name: string, ds: readonly Decision[]): void {
  const s = score(ds);
  const odd = score(ds.filter((d) => subjectNumber(d.row.video) % 2 === 1));
  const even = score(ds.filter((d) => subjectNumber(d.row.video) % 2 === 0));
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  console.log(
    `${name.padEnd(18)} coverage ${pct(s.coverage)} (${s.reported}/${s.n})  within5 ${pct(s.within5)}  ` +
      `MAE ${s.mae.toFixed(2)}  wrong ${s.wrong}  half/double ${s.halfDouble}  hit ${pct(s.hit)}  ` +
      `odd ${pct(odd.coverage)} even ${pct(even.coverage)}`,
  );
  const per = videos
    .map((v) => {
      const sv = score(ds.filter((d) => d.row.video === v));
      return `${v.replace('subject', 's')}:${Math.round(100 * sv.coverage)}/${sv.wrong}`;
    })
    .join(' ');
  console.log(`  per video coverage%/wrong: ${per}`);
}

// Baseline (today's estimator) and the raw peak.
report(
  'baseline',
  rows.map((row) => ({ row, bpm: row.w.bpm })),
);
report(
  'raw peak (all)',
  rows.map((row) => ({ row, bpm: row.bpmLargest })),
);
report(
  'tracked peak (all)',
  rows.map((row) => ({ row, bpm: row.bpmTracked })),
);

// Ceiling of any choice among the candidates: a candidate within 5 bpm of the reference.
const anyRight = rows.filter((r) =>
  r.w.peaks.some((p) => Math.abs(p.bpm - r.w.referenceBpm) <= 5),
).length;
console.log(
  `a top-${Math.max(...rows.map((r) => r.w.peaks.length))} candidate within 5 bpm on ` +
    `${((100 * anyRight) / rows.length).toFixed(1)}% of windows`,
);

/**
 * Lowest threshold whose decisions on `rows` are >= TARGET_WITHIN5 within 5 bpm: counting the
 * >= 1 dB numbers too (the pre-registered form), or only the gate's own numbers (`gateOnly`,
 * measured afterwards; with the first, a fold whose 14 subjects' >= 1 dB numbers are already
 * under 97 % can reach no threshold at all).
 */
function chooseThreshold(
  scored: readonly { row: Row; p: number; bpm: number }[],
  gateOnly = GATE_ONLY,
): number {
  const strong = gateOnly ? [] : scored.filter((s) => s.row.strong);
  const weak = scored.filter((s) => !s.row.strong).sort((a, b) => b.p - a.p);
  let right = strong.filter((s) => Math.abs(s.row.bpmLargest - s.row.w.referenceBpm) <= 5).length;
  let total = strong.length;
  let best = Infinity;
  for (let k = 0; k < weak.length; k++) {
    const s = weak[k];
    if (s === undefined) break;
    total++;
    if (Math.abs(s.bpm - s.row.w.referenceBpm) <= 5) right++;
    const next = weak[k + 1];
    if (next !== undefined && next.p === s.p) continue;
    if (right / total >= TARGET_WITHIN5) best = s.p;
  }
  return best;
}

type Featurizer = (r: Row) => number[];
function standardiser(train: readonly Row[], f: Featurizer) {
  const x = train.map(f);
  const d = x[0]?.length ?? 0;
  const mean = Array.from(
    { length: d },
    (_, j) => x.reduce((s, r) => s + (r[j] ?? 0), 0) / x.length,
  );
  const sd = Array.from(
    { length: d },
    (_, j) =>
      Math.sqrt(x.reduce((s, r) => s + ((r[j] ?? 0) - (mean[j] ?? 0)) ** 2, 0) / x.length) || 1,
  );
  return (r: Row) => Float64Array.from(f(r), (v, j) => (v - (mean[j] ?? 0)) / (sd[j] ?? 1));
}
function fitProb(train: readonly Row[], f: Featurizer, label: (r: Row) => boolean) {
  const weak = train.filter((r) => !r.strong);
  const z = standardiser(weak, f);
  const model = fitLogistic(weak.map(z), weak.map(label), { l2: 0.01, iterations: 1500 });
  return {
    model,
    prob: (r: Row): number => {
      const x = z(r);
      let s = model.bias;
      model.weights.forEach((w, j) => (s += w * (x[j] ?? 0)));
      return 1 / (1 + Math.exp(-s));
    },
  };
}
const within5 = (bpm: (r: Row) => number) => (r: Row) => Math.abs(bpm(r) - r.w.referenceBpm) <= 5;

function logisticVariant(name: string, f: Featurizer, bpmOf: (r: Row) => number): void {
  const decisions: Decision[] = [];
  const thresholds: string[] = [];
  const heldOut: { row: Row; p: number }[] = [];
  for (const held of videos) {
    const train = rows.filter((r) => r.video !== held);
    const trainVideos = videos.filter((v) => v !== held);
    // Threshold from inner leave-one-subject-out predictions on the 14.
    const inner: { row: Row; p: number; bpm: number }[] = [];
    for (const innerHeld of trainVideos) {
      const { prob } = fitProb(
        train.filter((r) => r.video !== innerHeld),
        f,
        within5(bpmOf),
      );
      for (const r of train.filter((x) => x.video === innerHeld))
        inner.push({ row: r, p: r.strong ? 1 : prob(r), bpm: bpmOf(r) });
    }
    const threshold = chooseThreshold(inner);
    thresholds.push(threshold.toFixed(2));
    const { prob } = fitProb(train, f, within5(bpmOf));
    for (const r of rows.filter((x) => x.video === held)) {
      if (r.strong) decisions.push({ row: r, bpm: r.bpmLargest });
      else decisions.push({ row: r, bpm: prob(r) >= threshold ? bpmOf(r) : null });
      heldOut.push({ row: r, p: prob(r) });
    }
  }
  report(name, decisions);
  console.log(`  thresholds per fold: ${thresholds.join(' ')}`);
  // Diagnosis only (no choice is made from it): the trade-off the held-out probabilities allow
  // with one threshold for all folds.
  const curve = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95].map((t) => {
    const sc = score(
      heldOut.map((h) => ({
        row: h.row,
        bpm: h.row.strong ? h.row.bpmLargest : h.p >= t ? bpmOf(h.row) : null,
      })),
    );
    return `${t}: ${(100 * sc.coverage).toFixed(0)}%/${(100 * sc.within5).toFixed(0)}%`;
  });
  console.log(`  held-out curve, threshold: coverage/within5: ${curve.join('  ')}`);
}

function viterbiVariant(name: string, floorDb: number): void {
  const decisions: Decision[] = [];
  const thresholds: string[] = [];
  for (const held of videos) {
    const train = rows.filter((r) => r.video !== held);
    const threshold = chooseThreshold(
      train.map((r) => ({
        row: r,
        p: r.strong ? 1 : r.w.snrDb >= floorDb ? r.posterior : -1,
        bpm: r.bpmTracked,
      })),
    );
    thresholds.push(threshold.toFixed(3));
    for (const r of rows.filter((x) => x.video === held)) {
      if (r.strong) decisions.push({ row: r, bpm: r.bpmLargest });
      else
        decisions.push({
          row: r,
          bpm: r.w.snrDb >= floorDb && r.posterior >= threshold ? r.bpmTracked : null,
        });
    }
  }
  report(name, decisions);
  console.log(`  thresholds per fold: ${thresholds.join(' ')}`);
}

logisticVariant(
  'V1 logistic',
  (r) => r.featLargest,
  (r) => r.bpmLargest,
);
viterbiVariant('V2 viterbi', -2.5);
logisticVariant(
  'V3 viterbi+logistic',
  (r) => r.featTracked,
  (r) => r.bpmTracked,
);

// Weights of the model fitted on all 15 (for reading the signs only; no figure comes from it).
const full = fitProb(
  rows,
  (r) => r.featLargest,
  within5((r) => r.bpmLargest),
);
console.log(
  `V1 weights on all 15 (standardised; snr d5 d10 logHarm logSecond motion agree): ` +
    full.model.weights.map((w) => w.toFixed(2)).join(' ') +
    ` bias ${full.model.bias.toFixed(2)}`,
);
