import { describe, expect, it } from 'vitest';
import { resample } from './resample.js';
import { amplitudeAt, sine } from './__tests__/sine-oracles.js';

describe('resample', () => {
  it.each([125, 250, 500, 1000])(
    'turns a 5 Hz sine at 360 Hz into the same sine at %i Hz',
    (fsOut) => {
      const x = sine(360, 5, 360 * 10, 0.3);
      const y = resample(x, 360, fsOut);
      expect(y).toHaveLength(fsOut * 10);
      // Compare away from the edges (the kernel treats samples beyond the signal as zero).
      for (let j = fsOut; j < y.length - fsOut; j += 3) {
        expect(y[j]).toBeCloseTo(Math.sin((2 * Math.PI * 5 * j) / fsOut + 0.3), 2);
      }
    },
  );

  it('removes content above the new Nyquist frequency when decimating (anti-aliasing)', () => {
    const y = resample(sine(500, 100, 5000), 500, 125); // 100 Hz would alias to 25 Hz
    expect(amplitudeAt(y, 125, 25, 125)).toBeLessThan(0.01);
  });

  it('rejects non-positive rates', () => {
    expect(() => resample(new Float64Array(10), 0, 100)).toThrow(
      expect.objectContaining({ code: 'INVALID_SAMPLE_RATE', field: 'fsIn' }),
    );
  });
});
