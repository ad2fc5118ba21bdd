import type { ArrhythmiaMonitorOptions } from '../arrhythmia/create-arrhythmia-monitor.js';
import { createArrhythmiaMonitor } from '../arrhythmia/create-arrhythmia-monitor.js';
import type { RhythmEpisode } from '../arrhythmia/types.js';
import { createEcgAnalyzer } from '../ecg/create-ecg-analyzer.js';

/**
 * Streams a record through the live path as the server runs it (createEcgAnalyzer, then
 * createArrhythmiaMonitor on its beats) in 1-s packets, and hands the monitor's episodes to
 * `onEpisodes` after each packet and after the final flushes, with the stream time in samples
 * (`ecg.length` for the flushes). Stops as soon as `onEpisodes` returns true and returns that
 * stream time; null when it never did. Used by eval:af `--live` and eval:af-onset.
 */
export function streamLiveEpisodes(
  ecg: Float64Array,
  fs: number,
  options: Omit<ArrhythmiaMonitorOptions, 'fs'>,
  onEpisodes: (episodes: readonly RhythmEpisode[], atSamples: number) => boolean,
): number | null {
  if (!(fs > 0)) throw new RangeError('fs must be > 0 Hz');
  const analyzer = createEcgAnalyzer({ fs });
  const monitor = createArrhythmiaMonitor({ ...options, fs });
  const step = Math.round(fs);
  for (let s0 = 0; s0 < ecg.length; s0 += step) {
    const chunk = ecg.slice(s0, Math.min(ecg.length, s0 + step));
    const u = analyzer.push(chunk);
    const a = monitor.push(
      chunk,
      Int32Array.from(u.beats, (b) => b.sample),
    );
    if (onEpisodes(a.episodes, analyzer.samplesSeen)) return analyzer.samplesSeen;
  }
  const last = analyzer.flush();
  const tail = monitor.push(
    new Float64Array(0),
    Int32Array.from(last.beats, (b) => b.sample),
  );
  if (onEpisodes(tail.episodes, ecg.length)) return ecg.length;
  return onEpisodes(monitor.flush().episodes, ecg.length) ? ecg.length : null;
}
