import type { Biquad } from './biquad.js';
import { sosFilter } from './sos-filter.js';

export interface StreamingFilter {
  /** Filters the next chunk; output has the chunk's length and continues the previous one. */
  process(chunk: Float64Array | Float32Array): Float64Array;
  /** Forgets the state (as if nothing had been processed). */
  reset(): void;
}

/**
 * A stateful causal biquad-cascade filter for the live path: feeding a signal in chunks of any
 * size gives exactly the same samples as one `sosFilter` call over the whole signal, so 1 s
 * device packets are filtered without edge artefacts at packet boundaries.
 */
export function createSosFilter(sections: readonly Biquad[]): StreamingFilter {
  const copy = sections.map((s) => ({ ...s }));
  const state = new Float64Array(2 * copy.length);
  return {
    process: (chunk) => sosFilter(chunk, copy, state),
    reset: () => {
      state.fill(0);
    },
  };
}
