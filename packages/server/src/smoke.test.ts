import { describe, expect, it } from 'vitest';
import { SIGNAL_VERSION } from '@vigil/signal';

describe('workspace wiring', () => {
  it('imports the signal package from source', () => {
    expect(SIGNAL_VERSION).toBe('0.1.0');
  });
});
