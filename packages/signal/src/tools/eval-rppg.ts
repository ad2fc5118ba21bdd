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
 * Face handling: the first frame goes through BlazeFace; if it finds a face, every frame does
 * (face mode). Otherwise the clip is taken as a skin crop (bias-eval-rppg's clips are fixed
 * forehead and cheek crops) and the mean of the whole frame is pushed in privacy mode.
 *
 * Run: npm run eval:rppg -- <folder> [--method pos|chrom]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { decodeVideoFrames } from '../io/decode-video-frames.js';
import { createRppgEstimator, type RppgEstimate } from '../rppg/create-rppg-estimator.js';
import { posPulse } from '../rppg/pos-pulse.js';
import { pulseSpectrum } from '../rppg/pulse-spectrum.js';
import { resampleUniform } from '../rppg/resample-uniform.js';
import { createFaceDetector } from '../vision/create-face-detector.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { method: { type: 'string', default: 'pos' } },
});
const root = positionals[0];
if (root === undefined) {
  console.error('usage: npm run eval:rppg -- <folder> [--method pos|chrom]');
  process.exit(2);
}
const method = values.method === 'chrom' ? 'chrom' : 'pos';
const VIDEO = new Set(['.avi', '.mp4', '.webm', '.mov', '.mkv', '.y4m']);

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}
const files = walk(resolve(root));
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
  };
  try {
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
      if (estimate.bufferCount === estimate.bufferSize) {
        row.full++;
        if (estimate.bpm !== null) {
          row.numbered++;
          reported.push(estimate.bpm);
        }
      }
    }
    row.mode = faceMode === true ? 'face' : 'skin crop';
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

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '-' : v.toFixed(digits);
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
  r.error ?? '',
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
  'error',
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
if (failed > 0) process.exitCode = 1;
