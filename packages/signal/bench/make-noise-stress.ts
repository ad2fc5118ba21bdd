/**
 * Writes an electrode-motion noise stress set in the manner of the MIT-BIH Noise Stress Test
 * Database (Moody, Muldrow & Mark, Computers in Cardiology 1984;11:381-384): the noise of its
 * record 118e06 (the `nst` tool's 6 dB mix of record 118 with the `em` noise record) is recovered
 * as 118e06 − 118, and added to every record of a folder at the given signal-to-noise ratios.
 * Only 118e06 and 118e24 of the database were found public (enzlaur/pytorch-ml-tuts@db7dafc; see
 * DATA-SOURCES.md), not the `em` record itself, so this rebuilds its noise from them.
 *
 * SNR follows `nst`: the signal is the QRS peak-to-peak amplitude (here the median over the
 * annotated beats of the largest minus smallest sample within 60 ms of the beat), the noise
 * scaled so that its ratio to that amplitude is the one it has in 118e06 (6 dB) shifted by
 * (6 − SNR) dB; each lead separately. The noise keeps its time course (none in the first 5 min,
 * then stretches of noise as in the database), resampled (`resample`) for records not at 360 Hz.
 * Each output record `<name>e<SNR>` is a format-16 WFDB record of the source's first two leads at
 * 200 adu/mV with the source's `.atr` linked beside it, so `bench:analyzer` and `bench:qrs` score
 * it against the source's reference beats.
 *
 * Run: npm run make:noise-stress -w @vigil/signal -- <dir with 118e06> <mitdb dir (118 and the
 *      records to corrupt)> <out dir> [--from <records dir, default the mitdb dir>] [--snr 12,6,0]
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isBeatSymbol } from '../src/ecg/beat-symbols.js';
import { resample } from '../src/filters/resample.js';
import { readAnnotations, readWfdbRecord } from '../src/io/index.js';

const NOISE_FS = 360;
const NOISE_SNR_DB = 6;

/** Median QRS peak-to-peak amplitude of `x` (mV) over the beats at `beats` (samples), mV. */
function qrsAmplitudeMv(x: Float64Array, fs: number, beats: readonly number[]): number {
  const half = Math.round(0.06 * fs);
  const amplitudes: number[] = [];
  for (const peak of beats) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.max(0, peak - half); i <= Math.min(x.length - 1, peak + half); i++) {
      const v = x[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) amplitudes.push(hi - lo);
  }
  amplitudes.sort((a, b) => a - b);
  const median = amplitudes[amplitudes.length >> 1];
  if (median === undefined) throw new Error('no annotated beats');
  return median;
}

/** The first two leads of a record, and the QRS amplitude of each over its annotated beats. */
async function readLeads(path: string) {
  const record = await readWfdbRecord(path);
  const beats = (await readAnnotations(path, 'atr'))
    .filter((a) => isBeatSymbol(a.symbol))
    .map((a) => a.sample);
  const leads = record.signals.slice(0, 2);
  if (leads.length < 2) throw new Error(`${path}: two leads needed`);
  return {
    fs: record.fs,
    leads,
    amplitudes: leads.map((l) => qrsAmplitudeMv(l.physical, record.fs, beats)),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, snr: { type: 'string', default: '12,6,0' } },
  });
  const [nstDir, mitdbDir, outDir] = positionals.map((p) =>
    resolve(process.env.INIT_CWD ?? process.cwd(), p),
  );
  if (nstDir === undefined || mitdbDir === undefined || outDir === undefined) {
    console.error(
      'usage: npm run make:noise-stress -w @vigil/signal -- <dir with 118e06> <mitdb dir> <out dir> [--from <dir>] [--snr 12,6,0]',
    );
    process.exit(2);
  }
  const fromDir = resolve(process.env.INIT_CWD ?? process.cwd(), values.from ?? mitdbDir);
  const snrs = values.snr.split(',').map(Number);
  if (snrs.some((s) => !Number.isFinite(s))) throw new Error('--snr: comma-separated dB values');
  mkdirSync(outDir, { recursive: true });

  const noisy = await readWfdbRecord(join(nstDir, '118e06'));
  const clean = await readLeads(join(mitdbDir, '118'));
  const noise = [0, 1].map((lead) => {
    const x = noisy.signals[lead]?.physical;
    const y = clean.leads[lead]?.physical;
    if (x === undefined || y === undefined || x.length !== y.length) {
      throw new Error('118e06 and 118 must have two leads of the same length');
    }
    // The two headers differ in baseline: the first samples (no noise before 5 min) give it.
    const offset = (x[0] ?? 0) - (y[0] ?? 0);
    return Float64Array.from(x, (v, i) => v - (y[i] ?? 0) - offset);
  });

  const names = readdirSync(fromDir)
    .filter((f) => f.endsWith('.atr') && existsSync(join(fromDir, f.replace(/\.atr$/, '.hea'))))
    .map((f) => f.replace(/\.atr$/, ''))
    .sort();
  for (const name of names) {
    const path = join(fromDir, name);
    const { fs, leads, amplitudes } = await readLeads(path);
    const leadNoise = noise.map((n) => (fs === NOISE_FS ? n : resample(n, NOISE_FS, fs)));
    const n = leads[0]?.physical.length ?? 0;
    for (const snr of snrs) {
      const bytes = Buffer.alloc(n * 2 * leads.length);
      leads.forEach((lead, l) => {
        const gain =
          ((amplitudes[l] ?? 0) / (clean.amplitudes[l] ?? 1)) * 10 ** ((NOISE_SNR_DB - snr) / 20);
        const added = leadNoise[l] ?? new Float64Array();
        for (let i = 0; i < n; i++) {
          const adu = Math.round(200 * ((lead.physical[i] ?? 0) + gain * (added[i] ?? 0)));
          bytes.writeInt16LE(Math.max(-32768, Math.min(32767, adu)), (i * leads.length + l) * 2);
        }
      });
      const out = `${name}e${String(snr).padStart(2, '0')}`;
      writeFileSync(join(outDir, `${out}.dat`), bytes);
      const header = [`${out} ${String(leads.length)} ${String(fs)} ${String(n)}`];
      for (const lead of leads) {
        header.push(`${out}.dat 16 200 16 0 0 0 0 ${lead.description}`.trimEnd());
      }
      writeFileSync(join(outDir, `${out}.hea`), `${header.join('\n')}\n`);
      const atr = join(outDir, `${out}.atr`);
      if (!existsSync(atr)) symlinkSync(`${path}.atr`, atr);
    }
    console.log(`${name}: QRS ${amplitudes.map((a) => a.toFixed(2)).join(' / ')} mV`);
  }
}

await main();
