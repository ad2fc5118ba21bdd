/**
 * `npm run eval:skipped-beats -- --data <dir with cinc2017> [--list]`
 *
 * How often `detectQrs` skips a beat on records without reference beats: the PhysioNet/CinC
 * Challenge 2017 development strips (odd record numbers; the even ones are held out and never
 * read here; noisy strips, labelled `~`, are not scored), each read as `eval:cross-db` reads
 * them (`liveRateLead`: resampled from 300 to 250 Hz). Prints the strips with a suspected skipped
 * beat (`skippedBeatGaps`: an RR at least 1.7 times the strip's median holding a QRS-sized peak),
 * and those with one starting in the first 10 s, where the levels are still being learned (an
 * artefact in the first 2 s, see the signal README's QRS detection limits). `--list` prints each
 * such strip with its label, median RR and gaps (s).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { detectQrs } from '../ecg/detect-qrs.js';
import { readWfdbRecord } from '../io/index.js';
import { liveRateLead } from './live-rate-lead.js';
import { skippedBeatGaps } from './skipped-beat-gaps.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    list: { type: 'boolean', default: false },
  },
});
const roots = (values.data ?? []).map((d) => resolve(process.env.INIT_CWD ?? process.cwd(), d));
/** CinC 2017 development strips: odd record numbers (as eval:cross-db's `cinc2017-dev`). */
const CINC_ODD = /[13579]$/;
const EARLY_S = 10;

async function main(): Promise<void> {
  const dir = roots.map((r) => join(r, 'cinc2017')).find((d) => existsSync(d));
  if (dir === undefined) {
    console.error('usage: eval-skipped-beats --data <dir with cinc2017> [--list]');
    process.exit(2);
  }
  const reference = await readFile(join(dir, 'REFERENCE.csv'), 'utf8');
  let strips = 0;
  let suspect = 0;
  let early = 0;
  for (const line of reference.split(/\r?\n/)) {
    const [name, label] = line.split(',');
    if (name === undefined || label === undefined || label === '~' || !CINC_ODD.test(name)) {
      continue;
    }
    const { ecg, fs } = liveRateLead(await readWfdbRecord(join(dir, name)));
    const gaps = skippedBeatGaps(ecg, detectQrs(ecg, { fs }), { fs });
    strips++;
    if (gaps.length === 0) continue;
    suspect++;
    if (gaps.some((g) => g.startSample < EARLY_S * fs)) early++;
    if (values.list) {
      const s = (n: number): string => (n / fs).toFixed(1);
      console.log(name, label, gaps.map((g) => `${s(g.startSample)}-${s(g.endSample)}`).join(' '));
    }
  }
  console.log(
    `CinC 2017 development strips scored: ${strips}; with a suspected skipped beat: ${suspect}` +
      ` (${early} with one starting in the first ${EARLY_S} s)`,
  );
}

await main();
