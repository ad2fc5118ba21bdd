import { describe, expect, it } from 'vitest';
import { isDemoEnabled } from './demo-mode.js';

describe('isDemoEnabled', () => {
  it('is on when configured and not switched off on the command line', () => {
    expect(isDemoEnabled({ demo: true, isProduction: false }, ['node', 'server.ts'])).toBe(true);
  });
  it('is off with --no-demo', () => {
    expect(
      isDemoEnabled({ demo: true, isProduction: false }, ['node', 'server.ts', '--no-demo']),
    ).toBe(false);
  });
  it('is off with `npm start -- --no-demo`, which npm turns into npm_config_demo=""', () => {
    expect(isDemoEnabled({ demo: true, isProduction: false }, [], { npm_config_demo: '' })).toBe(
      false,
    );
  });
  it('is off when VIGIL_DEMO=false', () => {
    expect(isDemoEnabled({ demo: false, isProduction: false }, [])).toBe(false);
  });
  it('is never on in production', () => {
    expect(isDemoEnabled({ demo: true, isProduction: true }, [])).toBe(false);
  });
});
