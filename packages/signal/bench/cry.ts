/**
 * Time to classify a 7 s clip with `detectCry` (8 kHz, the model's rate, and 16 kHz, which adds
 * the resampling), against a baseline measured in the same run: just the Hann-windowed 256-point
 * FFT power frames of the same clip (the least any spectral detector must do). Prints ms per clip
 * (median of the repeats) and the ratio to the baseline.
 *
 * Run: npm run bench:cry -- [audio file] [--repeats 30]
 * Default clip: the committed 4 s cry fixture, looped to 7 s (the length of a donateacry clip).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRealFft } from '../src/spectral/create-real-fft.js';
import { detectCry } from '../src/audio/detect-cry.js';
import { resample } from '../src/filters/resample.js';
import { decodeAudio } from '../src/io/decode-audio.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repeats: { type: 'string', default: '30' } },
});
const repeats = Number(values.repeats);
const fs = 8000;

async function clip(): Promise<Float32Array> {
  const file = positionals[0];
  if (file !== undefined) {
    const audio = await decodeAudio(resolve(process.env.INIT_CWD ?? process.cwd(), file), {
      sampleRateHz: fs,
    });
    return audio.samples;
  }
  const bytes = readFileSync(
    new URL('../src/audio/fixtures/cry-donateacry-4s.s16le', import.meta.url),
  );
  const four = Float32Array.from(
    { length: bytes.length / 2 },
    (_, i) => bytes.readInt16LE(2 * i) / 32768,
  );
  return Float32Array.from({ length: 7 * fs }, (_, i) => four[i % four.length] ?? 0);
}

function baseline(x: Float32Array): number {
  const fft = createRealFft(256);
  const frame = new Float64Array(256);
  const power = new Float64Array(129);
  let acc = 0;
  for (let start = 0; start + 256 <= x.length; start += 128) {
    for (let i = 0; i < 256; i++) {
      frame[i] = (x[start + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 256));
    }
    fft.power(frame, power);
    acc += power[10] ?? 0;
  }
  return acc;
}

function medianMs(run: () => unknown): number {
  for (let i = 0; i < 3; i++) run(); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] ?? NaN;
}

const x = await clip();
const x16 = Float32Array.from(resample(x, fs, 2 * fs));
const durationS = x.length / fs;
const base = medianMs(() => baseline(x));
const at8k = medianMs(() => detectCry(x, fs));
const at16k = medianMs(() => detectCry(x16, 2 * fs));
const p = detectCry(x, fs).probability;
console.log(
  `clip: ${durationS.toFixed(1)} s, cry probability ${p.toFixed(2)}; median of ${repeats} runs`,
);
console.log(`  baseline (FFT power frames only)  ${base.toFixed(2).padStart(7)} ms`);
console.log(
  `  detectCry at 8 kHz                ${at8k.toFixed(2).padStart(7)} ms  (${(at8k / base).toFixed(1)}× baseline; target < 100 ms)`,
);
console.log(
  `  detectCry at 16 kHz (+ resample)  ${at16k.toFixed(2).padStart(7)} ms  (${(at16k / base).toFixed(1)}× baseline)`,
);
