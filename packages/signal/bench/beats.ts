/**
 * Beat classification speed: `classifyBeats` on a 30-minute single-lead record (~2,000 beats),
 * next to `detectQrs` on the same signal as the in-run baseline (ratio printed), and the live
 * path (`createArrhythmiaMonitor` fed 1-second chunks). Target: classifying < 200 ms.
 *
 * Run: npm run bench:beats -- [<mitdb dir> [record]]   (default record 119; without a folder a
 * 30-minute synthetic ECG from createEcgSynth is used, so the bench runs on a fresh clone)
 */
import { join, resolve } from 'node:path';
import { classifyBeats } from '../src/arrhythmia/classify-beats.js';
import { createArrhythmiaMonitor } from '../src/arrhythmia/create-arrhythmia-monitor.js';
import { detectQrs } from '../src/ecg/detect-qrs.js';
import { readWfdbRecord } from '../src/io/index.js';
import { createEcgSynth } from '../src/synth/create-ecg-synth.js';

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

async function main(): Promise<void> {
  const [dir, name = '119'] = process.argv.slice(2);
  let ecg: Float64Array;
  let fs: number;
  let label: string;
  if (dir === undefined) {
    fs = 360;
    const synth = createEcgSynth({ fs, heartRateBpm: 70, pvcProbability: 0.1, seed: 1 });
    ecg = synth.next(30 * 60 * fs);
    label = 'synthetic ECG (ECGSYN, 70 bpm, 10% PVCs), 30 min at 360 Hz';
  } else {
    const base = process.env.INIT_CWD ?? process.cwd();
    const rec = await readWfdbRecord(join(resolve(base, dir), name));
    const lead = Math.max(
      0,
      rec.signals.findIndex((s) => s.description === 'MLII'),
    );
    ecg = rec.signals[lead]?.physical ?? new Float64Array(0);
    fs = rec.fs;
    label = `MIT-BIH ${name} ${rec.signals[lead]?.description ?? ''}, ${(rec.nSamples / fs / 60).toFixed(1)} min at ${fs} Hz`;
  }
  const peaks = detectQrs(ecg, { fs });
  classifyBeats(ecg, fs, peaks); // warm-up (JIT)
  // Best of 10: on a shared machine the minimum is the stable statistic (5 runs varied by ±40%).
  const tDetect = best(5, () => detectQrs(ecg, { fs }));
  const tClassify = best(10, () => classifyBeats(ecg, fs, peaks));
  const chunk = fs;
  const tLive = best(5, () => {
    const m = createArrhythmiaMonitor({ fs });
    let k = 0;
    for (let s = 0; s < ecg.length; s += chunk) {
      const end = Math.min(ecg.length, s + chunk);
      const fresh: number[] = [];
      while (k < peaks.length && (peaks[k] ?? 0) < end) fresh.push(peaks[k++] ?? 0);
      m.push(ecg.subarray(s, end), fresh);
    }
    m.flush();
  });
  console.log(label);
  console.log(`beats: ${peaks.length}`);
  console.log(
    `classifyBeats (offline):                 ${tClassify.toFixed(1)} ms (target < 200 ms)`,
  );
  console.log(`createArrhythmiaMonitor, 1 s chunks:     ${tLive.toFixed(1)} ms`);
  console.log(`baseline detectQrs on the same signal:   ${tDetect.toFixed(1)} ms`);
  console.log(`ratio classifyBeats / detectQrs:         ${(tClassify / tDetect).toFixed(2)}`);
}

await main();
