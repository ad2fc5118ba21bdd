/**
 * The live-path analyzer on whole MIT-BIH records, fed in 1 s packets as a device sends them.
 * Per record (lead 0 unless `--channel`): how often a heart rate is reported (coverage), its error against the
 * reference beats over the same window (the 10 s ending 2 s before the newest sample, beats
 * counted as the analyzer counts them), the share of updates within 2 and 5 bpm, and the share
 * of updates flagged not analysable. Windows that overlap ventricular flutter/fibrillation (`[` … `]`,
 * only in 207 here) are not scored: the reference marks flutter waves (`!`), not beats, so it has
 * no heart rate there. Also the throughput of the analyzer against the bare
 * streaming QRS detector measured in the same run (ratio, since machines differ).
 *
 * Run: npm run bench:analyzer -w @vigil/signal -- <mitdb dir> [--channel N] [--interbeat-ratio R]
 * [--matched-fraction M] [--split-rr-ratio S] [--fs F] (`--channel`: the lead scored, default 0;
 * `--interbeat-ratio`, `--matched-fraction`, `--split-rr-ratio`: the analyzer's
 * `maxInterbeatSlopeRatio`, `minMatchedBeatFraction`, `maxSplitRrRatio`, 0 turns each rule off;
 * `--fs`: resample the records to F Hz first,
 * e.g. 100 as the ESP32 firmware sends).
 * With `--speed` or `--check-quality`: the per-packet cost against the previous implementation,
 * or the quality tracker against `signalQuality` (see `ecg-analyzer-speed.ts`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isBeatSymbol } from '../src/ecg/beat-symbols.js';
import { createEcgAnalyzer } from '../src/ecg/create-ecg-analyzer.js';
import { createQrsDetector } from '../src/ecg/create-qrs-detector.js';
import { resample } from '../src/filters/resample.js';
import { readAnnotations, readWfdbRecord } from '../src/io/index.js';
import { arg, runAnalyzerSpeed } from './ecg-analyzer-speed.js';

async function main(): Promise<void> {
  const dirArg = process.argv[2];
  if (dirArg === undefined) {
    console.error('usage: npm run bench:analyzer -w @vigil/signal -- <mitdb dir>');
    process.exit(2);
  }
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), dirArg);
  if (['--speed', '--check-quality', '--digest'].some((a) => process.argv.includes(a))) {
    await runAnalyzerSpeed(dir, process.argv.slice(3));
    return;
  }
  const argv = process.argv.slice(3);
  const channel = Number(arg(argv, 'channel', '0'));
  const ratioArg = arg(argv, 'interbeat-ratio', '');
  const interbeatRatio = ratioArg === '' ? undefined : Number(ratioArg);
  const matchedArg = arg(argv, 'matched-fraction', '');
  const matchedFraction = matchedArg === '' ? undefined : Number(matchedArg);
  const splitArg = arg(argv, 'split-rr-ratio', '');
  const splitRatio = splitArg === '' ? undefined : Number(splitArg);
  const fsArg = arg(argv, 'fs', '');
  const outFs = fsArg === '' ? undefined : Number(fsArg);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.hea') && existsSync(join(dir, f.replace(/\.hea$/, '.atr'))))
    .map((f) => f.replace(/\.hea$/, ''))
    .sort();
  console.log(
    'record  updates  HR reported  not analysable  MAE bpm  ≤2 bpm  ≤5 bpm  max err  (unscored: flutter)',
  );
  let totalUpdates = 0;
  let totalReported = 0;
  let totalFlagged = 0;
  let within2 = 0;
  let within5 = 0;
  let absSum = 0;
  let analyzerMs = 0;
  let detectorMs = 0;
  let samples = 0;
  for (const name of names) {
    const path = join(dir, name);
    const record = await readWfdbRecord(path);
    const fs = outFs ?? record.fs;
    // Reference sample positions scale with the rate (the resampler keeps time 0 aligned).
    const scale = fs / record.fs;
    const lead = record.signals[channel]?.physical ?? new Float64Array();
    const ecg = fs === record.fs ? lead : resample(lead, record.fs, fs);
    const annotations = await readAnnotations(path, 'atr');
    const ref = annotations
      .filter((a) => isBeatSymbol(a.symbol))
      .map((a) => Math.round(a.sample * scale));
    const flutter: [number, number][] = [];
    for (const a of annotations) {
      if (a.symbol === '[') flutter.push([Math.round(a.sample * scale), Infinity]);
      const open = flutter[flutter.length - 1];
      if (a.symbol === ']' && open !== undefined) open[1] = Math.round(a.sample * scale);
    }
    let unscored = 0;
    const analyzer = createEcgAnalyzer({
      fs,
      ...(interbeatRatio === undefined ? {} : { maxInterbeatSlopeRatio: interbeatRatio }),
      ...(matchedFraction === undefined ? {} : { minMatchedBeatFraction: matchedFraction }),
      ...(splitRatio === undefined ? {} : { maxSplitRrRatio: splitRatio }),
    });
    let updates = 0;
    let reported = 0;
    let flagged = 0;
    let ok2 = 0;
    let ok5 = 0;
    let sum = 0;
    let worst = 0;
    let first = 0;
    const t0 = performance.now();
    for (let at = 0; at < ecg.length; at += fs) {
      const u = analyzer.push(ecg.subarray(at, at + fs));
      if (u.samplesSeen < 12 * fs) continue; // the first full window
      updates++;
      if (!u.quality.analysable) flagged++;
      if (u.heartRateBpm === null) continue;
      const end = u.samplesSeen - 1 - 2 * fs;
      if (flutter.some(([a, b]) => a <= end && b >= end - 10 * fs)) {
        unscored++;
        continue;
      }
      while (first < ref.length && (ref[first] ?? 0) < end - 10 * fs) first++;
      let last = first;
      while (last < ref.length && (ref[last] ?? 0) <= end) last++;
      const k = last - first;
      if (k < 3) continue;
      const refHr = (60 * fs * (k - 1)) / ((ref[last - 1] ?? 0) - (ref[first] ?? 0));
      const err = Math.abs(u.heartRateBpm - refHr);
      reported++;
      sum += err;
      worst = Math.max(worst, err);
      if (err <= 2) ok2++;
      if (err <= 5) ok5++;
    }
    analyzer.flush();
    analyzerMs += performance.now() - t0;
    const t1 = performance.now();
    const detector = createQrsDetector({ fs });
    for (let at = 0; at < ecg.length; at += fs) detector.push(ecg.subarray(at, at + fs));
    detector.flush();
    detectorMs += performance.now() - t1;
    samples += ecg.length;
    const pct = (v: number, of: number): string => `${((100 * v) / Math.max(1, of)).toFixed(1)}%`;
    console.log(
      `${name.padEnd(7)} ${String(updates).padStart(7)}  ${pct(reported, updates).padStart(11)}  ${pct(flagged, updates).padStart(14)}  ${(sum / Math.max(1, reported)).toFixed(2).padStart(7)}  ${pct(ok2, reported).padStart(6)}  ${pct(ok5, reported).padStart(6)}  ${worst.toFixed(1).padStart(7)}${unscored > 0 ? `  (${unscored})` : ''}`,
    );
    totalUpdates += updates;
    totalReported += reported;
    totalFlagged += flagged;
    within2 += ok2;
    within5 += ok5;
    absSum += sum;
  }
  const pct = (v: number, of: number): string => `${((100 * v) / Math.max(1, of)).toFixed(2)}%`;
  console.log(
    `\nall ${names.length} records: ${totalUpdates} updates, HR reported in ${pct(totalReported, totalUpdates)}, not analysable ${pct(totalFlagged, totalUpdates)}; ` +
      `HR error MAE ${(absSum / Math.max(1, totalReported)).toFixed(2)} bpm, within 2 bpm ${pct(within2, totalReported)}, within 5 bpm ${pct(within5, totalReported)}`,
  );
  console.log(
    `throughput in 1 s packets: analyzer ${(samples / analyzerMs / 1000).toFixed(2)} M samples/s, bare streaming detector ${(samples / detectorMs / 1000).toFixed(2)} M samples/s (analyzer costs ${(analyzerMs / detectorMs).toFixed(2)}× the detector)`,
  );
}

await main();
