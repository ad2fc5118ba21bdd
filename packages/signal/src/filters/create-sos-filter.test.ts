import { describe, expect, it } from 'vitest';
import { createSosFilter } from './create-sos-filter.js';
import { designBandpass } from './design-bandpass.js';
import { designNotch } from './design-notch.js';
import { sosFilter } from './sos-filter.js';

describe('createSosFilter', () => {
  it('gives exactly the one-shot output whatever the chunk sizes (no edge artefacts)', () => {
    const fs = 250;
    const sections = [
      ...designBandpass({ lowHz: 0.5, highHz: 40, fs }),
      designNotch({ frequencyHz: 50, fs }),
    ];
    const x = new Float64Array(5003);
    let seed = 1;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 16807) % 2147483647;
      x[i] = Math.sin(i / 13) + seed / 2147483647 - 0.5;
    }
    const oneShot = sosFilter(x, sections);
    const filter = createSosFilter(sections);
    const parts: number[] = [];
    for (let i = 0, k = 1; i < x.length; i += k, k = ((k * 7) % 250) + 1) {
      parts.push(...filter.process(x.subarray(i, i + k)));
    }
    expect(parts).toHaveLength(x.length);
    expect(Float64Array.from(parts)).toEqual(oneShot);
  });

  it('starts over after reset', () => {
    const filter = createSosFilter(designBandpass({ lowHz: 1, highHz: 20, fs: 200 }));
    const x = Float64Array.from({ length: 300 }, (_, i) => Math.cos(i / 5));
    const first = filter.process(x);
    filter.reset();
    expect(filter.process(x)).toEqual(first);
  });
});
