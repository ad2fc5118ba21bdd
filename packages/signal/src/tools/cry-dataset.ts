/**
 * The cry detector's data set as `train:cry` and `eval:cry` see it: which files are crying, their
 * type, their source recording, and the deterministic split by source.
 *
 * Layout of the folders given on the command line:
 * - a donateacry folder (it has `cleaned/`), or a `cleaned` folder itself: every audio file under
 *   it is crying (type `cry`), and its source is the app install id (the UUID that starts the
 *   file name), so one baby's clips never sit on both sides of the split;
 * - any other folder: each sub-folder is one type of negative (e.g. `speech-fsdd`, `gen-laugh`),
 *   with its source taken from the file name as `sourceOf` describes.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export type CrySplit = 'train' | 'val' | 'test';

export interface CryClip {
  path: string;
  /** 1 = crying. */
  label: 0 | 1;
  /** `cry`, or the negative's folder name. */
  type: string;
  /** Source recording (speaker, baby, voice, file): the unit of the split. */
  source: string;
  split: CrySplit;
}

const AUDIO = /\.(wav|mp3|m4a|aac|ogg|opus|flac|webm|3gp|caf)$/i;

async function audioFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await audioFiles(path)));
    else if (AUDIO.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Source of a negative clip from its type and file name. Generated speech, TV and shouting in one
 * language share the language as source (the same sentence is read in all three), laughter and
 * babble share the espeak voice, so a held-out source is never heard in training in another guise.
 */
export function sourceOf(type: string, file: string): string {
  const stem = basename(file).replace(/\.[^.]+$/, '');
  if (type === 'speech-fsdd') return `fsdd:${stem.split('__')[0] ?? stem}`;
  if (type === 'gen-speech' || type === 'gen-tv' || type === 'gen-shout') {
    return `lang:${stem.split('_')[0] ?? stem}`;
  }
  if (type === 'gen-laugh' || type === 'gen-babble') return `voice:${stem.split('_')[0] ?? stem}`;
  if (type === 'gen-sing') return `sing:${stem.split('_')[0] ?? stem}`;
  if (type === 'gen-noise') return `noise:${stem.replace(/_m\d+$/, '')}`;
  if (type === 'gen-music') return `music:${stem.split('_')[1] ?? stem}`;
  return `${type}:${stem.replace(/^sounds_/, '').replace(/[_-]?\d+$/, '')}`;
}

/** FNV-1a, to order sources deterministically but not alphabetically. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Within each type, sources in hash order are dealt test, val, train, train, train, test, … */
const DEAL: readonly CrySplit[] = ['test', 'val', 'train', 'train', 'train'];

/** Lists the clips under the given folders with their label, type, source and split. */
export async function listCryClips(dirs: readonly string[]): Promise<CryClip[]> {
  const raw: Omit<CryClip, 'split'>[] = [];
  for (const dir of dirs) {
    const cleaned = join(dir, 'cleaned');
    const isCry =
      basename(dir) === 'cleaned' ||
      (await stat(cleaned).then(
        (s) => s.isDirectory(),
        () => false,
      ));
    if (isCry) {
      const root = basename(dir) === 'cleaned' ? dir : cleaned;
      for (const path of await audioFiles(root)) {
        const id = basename(path).split('-').slice(0, 5).join('-');
        raw.push({ path, label: 1, type: 'cry', source: `baby:${id}` });
      }
      continue;
    }
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (!entry.isDirectory()) continue;
      for (const path of await audioFiles(join(dir, entry.name))) {
        raw.push({ path, label: 0, type: entry.name, source: sourceOf(entry.name, path) });
      }
    }
  }
  const splitOf = new Map<string, CrySplit>();
  const types = [...new Set(raw.map((c) => c.type))].sort();
  for (const type of types) {
    const sources = [...new Set(raw.filter((c) => c.type === type).map((c) => c.source))]
      .filter((s) => !splitOf.has(s))
      .sort((a, b) => hash(a) - hash(b) || a.localeCompare(b));
    sources.forEach((s, i) => splitOf.set(s, DEAL[i % DEAL.length] ?? 'train'));
  }
  return raw.map((c) => ({ ...c, split: splitOf.get(c.source) ?? 'train' }));
}
