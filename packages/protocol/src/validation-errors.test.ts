import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { validateVitalsBody, VitalsPacketSchema } from './vitals.js';
import { validationErrors } from './validation-errors.js';

const packet = (over: Record<string, unknown> = {}) => ({
  device_id: 'DEV-1',
  timestamp: 1_796_682_000_000,
  ecg_samples: new Array<number>(250).fill(0.1),
  ...over,
});

/** TypeBox's own explanation of the whole value: the reference the pruned one must agree with. */
const fullErrors = (value: unknown) => Compile(VitalsPacketSchema).Errors(value);
/**
 * Milliseconds of `fn`, the median of three runs. Timings are compared with the time to
 * serialise the same value, which a loaded machine slows alike.
 */
function medianMs(fn: () => unknown): number {
  const runs = [0, 1, 2].map(() => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  });
  return runs.sort((a, b) => a - b)[1] ?? 0;
}

const firstIssue = (errors: readonly { instancePath: string; keyword: string }[]) =>
  errors.map(({ instancePath, keyword }) => ({ instancePath, keyword }))[0];

describe('validationErrors', () => {
  it('names the same first issue as a full explanation (faulty sample, extra length, bad field)', () => {
    const cases = [
      packet({ ecg_samples: [0.1, 0.2, 'x', 0.3, null] }),
      packet({ ecg_samples: new Array<number>(10_050).fill(0.1) }),
      packet({ spo2_percent: 150 }),
      packet({ timestamp: -1, ecg_samples: [0.1, 'y'] }),
      packet({ leads: { I: [0.1, 'z'] } }),
    ];
    for (const value of cases)
      expect(firstIssue(validationErrors(VitalsPacketSchema, value))).toEqual(
        firstIssue(fullErrors(value)),
      );
  });

  // Measured on 2 cores under load: explained whole 8.5 × JSON.stringify's time, pruned 0.06 ×.
  it('explains 2 million samples over the 10,000 limit in about the time to serialise them', () => {
    const value = packet({ ecg_samples: new Array<number>(2_000_000).fill(0.1) });
    const yardstick = medianMs(() => JSON.stringify(value));
    let errors: ReturnType<typeof validationErrors> = [];
    const ms = medianMs(() => (errors = validationErrors(VitalsPacketSchema, value)));
    expect(firstIssue(errors)).toEqual({ instancePath: '/ecg_samples', keyword: 'maxItems' });
    expect(ms).toBeLessThan(3 * yardstick);
  });

  // A full batch of valid-length packets (6 million samples) takes the compiled check alone
  // ~0.4 s; explained whole it took 27 s (10 × JSON.stringify's time), pruned 1.2 ×.
  it('names the faulty sample of the last packet of a full batch without walking the others', () => {
    const batch = Array.from({ length: 600 }, (_, i) =>
      packet({ timestamp: 1_796_682_000_000 + i }),
    );
    batch[599] = packet({ ecg_samples: [...new Array<number>(9_999).fill(0.1), 'bad'] });
    const many = Array.from({ length: 600 }, () => new Array<number>(10_000).fill(0.1));
    batch.forEach((p, i) => {
      if (i < 599) p.ecg_samples = many[i] as number[];
    });
    const yardstick = medianMs(() => JSON.stringify(batch));
    const t0 = performance.now();
    const result = validateVitalsBody(batch);
    const ms = performance.now() - t0;
    expect(result.errors && firstIssue(result.errors)).toEqual({
      instancePath: '/599/ecg_samples/9999',
      keyword: 'type',
    });
    expect(ms).toBeLessThan(3 * yardstick);
  });
});
