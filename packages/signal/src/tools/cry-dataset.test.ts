import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCryClips, sourceOf } from './cry-dataset.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cry-dataset-'));
  // A donateacry-like folder: 12 babies with 3 clips each, and a negatives folder.
  for (let b = 0; b < 12; b++) {
    const id = `0000000${b.toString(16)}-aaaa-bbbb-cccc-dddddddddddd`;
    await mkdir(join(root, 'dac', 'cleaned', 'hungry'), { recursive: true });
    for (let k = 0; k < 3; k++) {
      await writeFile(
        join(root, 'dac', 'cleaned', 'hungry', `${id}-14300000${k}-1.7-m-04-hu.wav`),
        '',
      );
    }
  }
  for (const spk of ['ann', 'bob', 'cid', 'dan', 'eve', 'fay']) {
    await mkdir(join(root, 'neg', 'speech-fsdd'), { recursive: true });
    for (let k = 0; k < 2; k++)
      await writeFile(join(root, 'neg', 'speech-fsdd', `${spk}__clip0${k}.wav`), '');
  }
  await mkdir(join(root, 'neg', 'gen-tv'), { recursive: true });
  await mkdir(join(root, 'neg', 'gen-speech'), { recursive: true });
  for (const lang of ['en', 'fr', 'de', 'es', 'it']) {
    await writeFile(join(root, 'neg', 'gen-speech', `${lang}_m1.wav`), '');
    await writeFile(join(root, 'neg', 'gen-tv', `${lang}_m1.wav`), '');
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('listCryClips', () => {
  it('labels donateacry clips crying and sub-folders of other folders as negative types', async () => {
    const clips = await listCryClips([join(root, 'dac'), join(root, 'neg')]);
    expect(clips.filter((c) => c.label === 1)).toHaveLength(36);
    expect(new Set(clips.filter((c) => c.label === 0).map((c) => c.type))).toEqual(
      new Set(['speech-fsdd', 'gen-speech', 'gen-tv']),
    );
  });

  it('keeps every clip of one source (baby, speaker, language) on one side of the split', async () => {
    const clips = await listCryClips([join(root, 'dac'), join(root, 'neg')]);
    const splitOf = new Map<string, Set<string>>();
    for (const c of clips) splitOf.set(c.source, (splitOf.get(c.source) ?? new Set()).add(c.split));
    for (const splits of splitOf.values()) expect(splits.size).toBe(1);
    // TV and plain speech in one language share a source, so they share a split.
    const tvFr = clips.find((c) => c.type === 'gen-tv' && c.path.endsWith('fr_m1.wav'));
    const speechFr = clips.find((c) => c.type === 'gen-speech' && c.path.endsWith('fr_m1.wav'));
    expect(tvFr?.split).toBe(speechFr?.split);
  });

  it('deals sources of each type to test, val and train, the same way every time', async () => {
    const a = await listCryClips([join(root, 'dac'), join(root, 'neg')]);
    const b = await listCryClips([join(root, 'dac'), join(root, 'neg')]);
    expect(a).toEqual(b);
    const babies = (split: string): number =>
      new Set(a.filter((c) => c.label === 1 && c.split === split).map((c) => c.source)).size;
    // 12 babies dealt test, val, train, train, train, …: 3 test, 3 val, 6 train.
    expect([babies('test'), babies('val'), babies('train')]).toEqual([3, 3, 6]);
  });
});

describe('sourceOf', () => {
  it('names the speaker, language or voice that a negative clip comes from', () => {
    expect(sourceOf('speech-fsdd', '/x/jackson__clip07.wav')).toBe('fsdd:jackson');
    expect(sourceOf('gen-shout', '/x/de_f3.wav')).toBe('lang:de');
    expect(sourceOf('gen-laugh', '/x/klatt_800_4.wav')).toBe('voice:klatt');
    expect(sourceOf('env-antum', '/x/sounds_bat_02.wav')).toBe('env-antum:bat');
  });
});
