import { describe, expect, it } from 'vitest';
import { createEpisodeHistory } from './create-episode-history.js';
import type { RhythmEpisode } from './types.js';

const episode = (start: number, ongoing: boolean): RhythmEpisode => ({
  rhythm: 'COUPLET',
  start,
  end: ongoing ? null : start + 10,
  ongoing,
  beats: 2,
  meanBpm: null,
  maxRrMs: 0,
});

describe('createEpisodeHistory', () => {
  it('keeps every open episode and the newest closed ones, in opening order', () => {
    const h = createEpisodeHistory(3);
    const open = episode(0, true);
    h.add(open);
    for (let i = 1; i <= 500; i++) h.add(episode(i * 100, false));
    expect(h.list.map((e) => e.start)).toEqual([0, 49_800, 49_900, 50_000]);
  });

  it('adds an episode once however often it is updated, and never adds a dropped one back', () => {
    const h = createEpisodeHistory(1);
    const a = episode(1, false);
    h.add(a);
    h.add(a);
    expect(h.list).toEqual([a]);
    const b = episode(2, false);
    h.add(b);
    expect(h.list).toEqual([b]);
    h.add(a);
    expect(h.list).toEqual([b]);
  });

  it('keeps every episode with Infinity', () => {
    const h = createEpisodeHistory(Infinity);
    for (let i = 0; i < 10_000; i++) h.add(episode(i, false));
    expect(h.list).toHaveLength(10_000);
  });

  it('rejects a bound that is not a count', () => {
    expect(() => createEpisodeHistory(-1, 'options.episodeHistory')).toThrow(
      /options.episodeHistory must be an integer ≥ 0 or Infinity/,
    );
    expect(() => createEpisodeHistory(2.5)).toThrow(/maxClosed/);
  });
});
