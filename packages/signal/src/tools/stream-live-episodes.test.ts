import { describe, expect, it } from 'vitest';
import { streamLiveEpisodes } from './stream-live-episodes.js';

describe('streamLiveEpisodes', () => {
  it('hands over the episodes after every 1-s packet, then after the flushes at the stream end', () => {
    const fs = 250;
    const times: number[] = [];
    const stopped = streamLiveEpisodes(new Float64Array(fs * 5 + 100), fs, {}, (_e, at) => {
      times.push(at);
      return false;
    });
    expect(stopped).toBeNull();
    // 6 packets (the last one 100 samples), then the analyzer's and the monitor's flush.
    expect(times).toEqual([250, 500, 750, 1000, 1250, 1350, 1350, 1350]);
  });

  it('stops at the first packet whose episodes satisfy the callback and returns its stream time', () => {
    const fs = 100;
    let calls = 0;
    const stopped = streamLiveEpisodes(new Float64Array(fs * 10), fs, {}, () => ++calls === 3);
    expect(stopped).toBe(300);
    expect(calls).toBe(3);
  });

  it('refuses a sampling rate that is not positive', () => {
    expect(() => streamLiveEpisodes(new Float64Array(10), 0, {}, () => false)).toThrow(/fs/);
  });
});
