/**
 * `npm run eval:cry -- <dir...> [--split test|val|train|all] [--threshold 0.5]`
 *
 * Scores the shipped cry model (`src/audio/model/cry-model.json`) clip by clip through the same
 * code path as `vigil-signal audio cry <file>` (ffmpeg decode at 8 kHz, `detectCry`), on the
 * held-out test split by default (the split is the one `train:cry` used: by source recording,
 * from the file names, see `cry-dataset.ts`). Prints balanced accuracy, precision and recall for
 * crying and the false-positive rate of each negative type.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { audioCry } from '../cli/commands/audio-cry.js';
import { listCryClips } from './cry-dataset.js';
import { cryMetrics, formatCryMetrics } from './cry-metrics.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    split: { type: 'string', default: 'test' },
    threshold: { type: 'string', default: '0.5' },
    worst: { type: 'string', default: '5' },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const dirs = positionals.map((d) => resolve(cwd, d));
if (dirs.length === 0) {
  console.error('usage: eval-cry <donateacry dir> <negatives dir>... [--split test|val|train|all]');
  process.exit(2);
}
const all = await listCryClips(dirs);
const clips = values.split === 'all' ? all : all.filter((c) => c.split === values.split);
const scored: { label: 0 | 1; type: string; probability: number; path: string }[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < clips.length) {
    const clip = clips[next++];
    if (clip === undefined) break;
    try {
      const r = await audioCry(clip.path, 60);
      scored.push({
        label: clip.label,
        type: clip.type,
        probability: r.probability,
        path: clip.path,
      });
    } catch (error) {
      console.warn(
        `skipped ${clip.path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
const threshold = Number(values.threshold);
console.log(`split: ${values.split}, threshold ${threshold}`);
console.log(formatCryMetrics(cryMetrics(scored, threshold)));
const worst = Number(values.worst);
const misses = scored
  .map((c) => ({ ...c, error: Math.abs(c.label - c.probability) }))
  .sort((a, b) => b.error - a.error)
  .slice(0, worst);
if (misses.length > 0) {
  console.log('largest errors:');
  for (const m of misses) {
    console.log(`  ${m.probability.toFixed(2)} ${m.label === 1 ? 'cry' : m.type}: ${m.path}`);
  }
}
