/**
 * Runs the camera heart-rate estimator over every video in a folder (recursively) and prints,
 * per clip, what it reports — the last estimate, how often it gave a number once its buffer was
 * full, the median of those numbers — next to the ground truth when the folder has one, and a
 * whole-clip POS spectrum as an offline reference.
 *
 * Ground truth: CSV files under the folder whose first line starts with "Subject" (the layout of
 * bias-eval-rppg: Ground_Truth/<Group>_GT.csv with rows "video10,77.9"); a clip
 * Data/<Group>/video10_forehead.avi takes the row "video10" of <Group>_GT.csv.
 *
 * Reference pulse: a video whose folder holds `ground_truth.txt` (UBFC-rPPG DATASET_2) or
 * `gtdump.xmp` (DATASET_1), a contact PPG with one sample per frame, is scored window by window:
 * once the estimator's buffer is full, once a second, the reported number (or none) against the
 * reference heart rate of the same 10 s (referenceWindowBpm); per video and pooled: MAE, RMSE and
 * share within 5 bpm of the reported windows, coverage (share of windows given a number) and hit
 * rate (windows given a number within 5 bpm / all windows). A video whose reference has not one
 * sample per frame (±1 %) is not scored: the two cannot be aligned.
 *
 * Face handling: the first frame goes through BlazeFace; if it finds a face, every frame does
 * (face mode). Otherwise the clip is taken as a skin crop (bias-eval-rppg's clips are fixed
 * forehead and cheek crops) and the mean of the whole frame is pushed in privacy mode.
 *
 * Run: npm run eval:rppg -- <folder> [--method pos|chrom] [--windows <csv>]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { decodeVideoFrames } from '../io/decode-video-frames.js';
import { createRppgEstimator, type RppgEstimate } from '../rppg/create-rppg-estimator.js';
import { posPulse } from '../rppg/pos-pulse.js';
import { pulseSpectrum } from '../rppg/pulse-spectrum.js';
import { resampleUniform } from '../rppg/resample-uniform.js';
import { createFaceDetector } from '../vision/create-face-detector.js';
import { listFiles } from './list-files.js';
import { readRppgReference, type RppgReference } from './read-rppg-reference.js';
import { referenceWindowBpm } from './reference-window-bpm.js';
import { scoreRppgWindows, type RppgWindow } from './score-rppg-windows.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { method: { type: 'string', default: 'pos' }, windows: { type: 'string' } },
});
const root = positionals[0];
if (root === undefined) {
  console.error('usage: npm run eval:rppg -- <folder> [--method pos|chrom] [--windows <csv>]');
  process.exit(2);
}
const method = values.method === 'chrom' ? 'chrom' : 'pos';
const VIDEO = new Set(['.avi', '.mp4', '.webm', '.mov', '.mkv', '.y4m']);

const files = listFiles(root);
const truth = new Map<string, number>();
for (const file of files.filter((f) => extname(f).toLowerCase() === '.csv')) {
  const lines = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  if (!/^subject/i.test(lines[0]?.trim() ?? '')) continue;
  const group = basename(file)
    .replace(/_GT\.csv$/i, '')
    .replace(/\.csv$/i, '');
  for (const line of lines.slice(1)) {
    const [subject, value] = line.split(',').map((s) => s.trim());
    const bpm = Number(value);
    if (subject !== undefined && subject !== '' && Number.isFinite(bpm))
      truth.set(`${group}/${subject}`, bpm);
  }
}
const REFERENCE_FILES = ['ground_truth.txt', 'gtdump.xmp'];
const referenceOf = (video: string): RppgReference | null => {
  const path = files.find(
    (f) => dirname(f) === dirname(video) && REFERENCE_FILES.includes(basename(f)),
  );
  return path === undefined ? null : readRppgReference(readFileSync(path, 'utf8'));
};
const videos = files.filter((f) => VIDEO.has(extname(f).toLowerCase()));
if (videos.length === 0) {
  console.error(`no video files (${[...VIDEO].join(' ')}) under ${root}`);
  process.exit(1);
}

const detector = await createFaceDetector();
const band = (fs: number) => designBandpass({ lowHz: 0.7, highHz: Math.min(4, 0.45 * fs), fs });
interface Row {
  clip: string;
  gt: number | null;
  mode: string;
  seconds: number;
  last: RppgEstimate | null;
  numbered: number;
  full: number;
  median: number | null;
  whole: { bpm: number; snrDb: number } | null;
  error: string | null;
  /** Windows scored against a contact reference; null without one or when it does not align. */
  windows: ScoredWindow[] | null;
  note: string;
}
interface ScoredWindow extends RppgWindow {
  endMs: number;
  candidateBpm: number | null;
  snrDb: number | null;
  confidence: string;
  referenceSnrDb: number;
}
const rows: Row[] = [];
for (const video of videos) {
  const clip = relative(resolve(root), video);
  const subject = basename(video, extname(video)).split('_')[0] ?? '';
  const group = basename(dirname(video));
  const gt = truth.get(`${group}/${subject}`) ?? null;
  const row: Row = {
    clip,
    gt,
    mode: '?',
    seconds: 0,
    last: null,
    numbered: 0,
    full: 0,
    median: null,
    whole: null,
    error: null,
    windows: null,
    note: '',
  };
  try {
    const reference = referenceOf(video);
    const scored: ScoredWindow[] = [];
    let frames = 0;
    let lastSecond = -1;
    const estimator = createRppgEstimator({ method });
    let faceMode: boolean | null = null;
    const reported: number[] = [];
    const times: number[] = [];
    const rgb: [number[], number[], number[]] = [[], [], []];
    for await (const frame of decodeVideoFrames(video, { maxDurationSeconds: 600 })) {
      const { pixels, width, height, timestampMs } = frame;
      // The first frame decides: a face in it means face mode for the whole clip.
      faceMode ??= (await detector.detect(pixels, width, height)).length > 0;
      let estimate: RppgEstimate;
      if (faceMode) {
        const [box] = await detector.detect(pixels, width, height);
        estimate = estimator.pushFrame({ frame, box: box ?? null, timestampMs });
      } else {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let i = 0; i < pixels.length; i += 3) {
          r += pixels[i] ?? 0;
          g += pixels[i + 1] ?? 0;
          b += pixels[i + 2] ?? 0;
        }
        const n = pixels.length / 3;
        times.push(timestampMs);
        rgb[0].push(r / n + 1e-6);
        rgb[1].push(g / n + 1e-6);
        rgb[2].push(b / n + 1e-6);
        estimate = estimator.pushMeanRgb({
          r: r / n + 1e-6,
          g: g / n + 1e-6,
          b: b / n + 1e-6,
          timestampMs,
        });
      }
      row.last = estimate;
      row.seconds = timestampMs / 1000;
      frames++;
      const second = Math.floor(timestampMs / 1000);
      const endMs = reference?.timesMs[frame.index];
      if (
        reference !== null &&
        endMs !== undefined &&
        estimate.bufferCount === estimate.bufferSize &&
        second !== lastSecond
      ) {
        // The window the estimator analysed, on the reference's clock (the frame's own sample).
        const windowMs = ((estimate.bufferSize - 1) * 1000) / estimate.waveformRateHz;
        const truthWindow = referenceWindowBpm(reference, endMs - windowMs, endMs);
        lastSecond = second;
        scored.push({
          bpm: estimate.bpm,
          referenceBpm: truthWindow.bpm,
          endMs,
          candidateBpm: estimate.candidateBpm,
          snrDb: estimate.snrDb,
          confidence: estimate.confidence,
          referenceSnrDb: truthWindow.snrDb,
        });
      }
      if (estimate.bufferCount === estimate.bufferSize) {
        row.full++;
        if (estimate.bpm !== null) {
          row.numbered++;
          reported.push(estimate.bpm);
        }
      }
    }
    row.mode = faceMode === true ? 'face' : 'skin crop';
    if (reference !== null) {
      const samples = reference.timesMs.length;
      if (Math.abs(samples - frames) > 0.01 * frames) {
        row.note = `reference has ${samples} samples for ${frames} frames: not scored`;
      } else {
        row.windows = scored;
        const mean = meanOf(scored.map((w) => w.referenceBpm));
        if (Number.isFinite(mean)) row.gt = mean;
      }
    }
    if (reported.length > 0) {
      reported.sort((a, b) => a - b);
      row.median = reported[reported.length >> 1] ?? null;
    }
    if (times.length > 64) {
      const fs = 20;
      const series = rgb.map((c) => resampleUniform(times, c, fs)) as [
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      const pulse = filtfilt(posPulse({ r: series[0], g: series[1], b: series[2] }, fs), band(fs));
      const spectrum = pulseSpectrum(pulse, fs);
      row.whole = { bpm: spectrum.bpm, snrDb: spectrum.snrDb };
    }
  } catch (error) {
    row.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  rows.push(row);
}
await detector.close();

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const table = rows.map((r) => [
  r.clip,
  r.mode,
  fmt(r.seconds, 0),
  fmt(r.gt),
  r.last?.bpm === null || r.last === null ? 'null' : fmt(r.last.bpm),
  r.last?.confidence ?? '-',
  fmt(r.last?.snrDb),
  r.full === 0 ? '-' : `${Math.round((100 * r.numbered) / r.full)}%`,
  fmt(r.median),
  r.median === null || r.gt === null ? '-' : fmt(r.median - r.gt),
  r.whole === null ? '-' : `${fmt(r.whole.bpm)} (${fmt(r.whole.snrDb)} dB)`,
  r.whole === null || r.gt === null ? '-' : fmt(r.whole.bpm - r.gt),
  r.error ?? r.note,
]);
const header = [
  'clip',
  'mode',
  's',
  'GT bpm',
  'last bpm',
  'conf',
  'SNR dB',
  'numbered',
  'median',
  'err',
  'whole-clip POS',
  'err',
  'error / note',
];
const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => (r[c] ?? '').length)));
const line = (r: string[]): string =>
  r
    .map((v, c) => v.padEnd(widths[c] ?? 0))
    .join('  ')
    .trimEnd();
console.log(
  `method ${method}; 'numbered' = share of full-buffer frames given a number (medium/high confidence)`,
);
console.log(line(header));
for (const r of table) console.log(line(r));
const failed = rows.filter((r) => r.error !== null).length;
const lastLow = rows.filter((r) => r.last?.confidence === 'low').length;
const withNumber = rows.filter((r) => r.median !== null);
const scored = withNumber.filter((r) => r.gt !== null);
const mae =
  scored.reduce((s, r) => s + Math.abs((r.median ?? 0) - (r.gt ?? 0)), 0) / (scored.length || 1);
const withWhole = rows.filter((r) => r.gt !== null && r.whole !== null);
const wholeWithin5 = withWhole.filter(
  (r) => Math.abs((r.whole?.bpm ?? 0) - (r.gt ?? 0)) <= 5,
).length;
console.log(
  `\n${rows.length} clips, ${failed} failed; last estimate low confidence on ${lastLow}; ` +
    `${withNumber.length} clips gave a number on some full-buffer frame` +
    (scored.length === 0
      ? ''
      : ` (MAE of the medians of the ${scored.length} with ground truth ${mae.toFixed(1)} bpm)`) +
    (withWhole.length === 0
      ? '.'
      : `; whole-clip POS within ±5 bpm of the ground truth on ${wholeWithin5} of ${withWhole.length}.`),
);

const withReference = rows.filter((r) => r.windows !== null);
if (withReference.length > 0) {
  const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '-');
  const scoreLine = (name: string, windows: readonly ScoredWindow[]): string[] => {
    const s = scoreRppgWindows(windows);
    const candidate = scoreRppgWindows(
      windows.map((w) => ({ bpm: w.candidateBpm, referenceBpm: w.referenceBpm })),
    );
    return [
      name,
      String(s.windows),
      fmt(meanOf(windows.map((w) => w.referenceBpm))),
      pct(s.coverage),
      fmt(s.maeBpm),
      fmt(s.rmseBpm),
      pct(s.withinTolerance),
      pct(s.hitRate),
      fmt(candidate.maeBpm),
      pct(candidate.withinTolerance),
    ];
  };
  const refHeader = [
    'video',
    'windows',
    'ref bpm',
    'coverage',
    'MAE',
    'RMSE',
    '≤5 bpm',
    'hit rate',
    'peak MAE',
    'peak ≤5',
  ];
  const refTable = withReference.map((r) => scoreLine(r.clip, r.windows ?? []));
  refTable.push(
    scoreLine(
      `all ${withReference.length} videos`,
      withReference.flatMap((r) => r.windows ?? []),
    ),
  );
  const refWidths = refHeader.map((h, c) =>
    Math.max(h.length, ...refTable.map((r) => (r[c] ?? '').length)),
  );
  console.log(
    `\nAgainst the contact reference, one 10 s window a second once the buffer is full ` +
      `(MAE, RMSE, ≤5 bpm over windows given a number; coverage = windows given a number; ` +
      `hit rate = given a number within 5 bpm / all windows; peak = the spectral peak whatever ` +
      `the confidence, for diagnosis)`,
  );
  for (const r of [refHeader, ...refTable]) {
    console.log(
      r
        .map((v, c) => v.padEnd(refWidths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  if (values.windows !== undefined) {
    const csv = ['video,end_ms,bpm,confidence,snr_db,peak_bpm,reference_bpm,reference_snr_db'];
    for (const r of withReference) {
      for (const w of r.windows ?? []) {
        csv.push(
          [
            r.clip,
            w.endMs.toFixed(0),
            w.bpm ?? '',
            w.confidence,
            w.snrDb?.toFixed(2) ?? '',
            w.candidateBpm?.toFixed(2) ?? '',
            w.referenceBpm.toFixed(2),
            w.referenceSnrDb.toFixed(2),
          ].join(','),
        );
      }
    }
    writeFileSync(values.windows, `${csv.join('\n')}\n`);
  }
}
if (failed > 0) process.exitCode = 1;
