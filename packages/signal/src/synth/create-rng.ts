import { SignalInputError } from '../errors.js';

/** A seeded pseudo-random source: the same seed always gives the same sequence. */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1) (Box–Muller on two uniforms). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * Creates a seeded generator (mulberry32, Tommy Ettinger's 32-bit generator: full 2^32 period,
 * passes gjrand/PractRand to tens of GB, which is ample for synthetic signals). Used instead of
 * `Math.random` so every synthetic ECG and every simulated device is reproducible from its seed.
 *
 * @param seed any finite number; only its low 32 bits matter.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'seed', 'seed must be a finite number');
  }
  let state = Math.trunc(seed) >>> 0;
  let spareNormal: number | null = null;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal(): number {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    int(n: number): number {
      return Math.floor(uniform() * n);
    },
  };
}
