import { describe, expect, it } from 'vitest';
import { isBeatSymbol } from './beat-symbols.js';

describe('isBeatSymbol', () => {
  it('accepts exactly the EC57 beat labels', () => {
    const beats = 'NLRBAaJSVrFejnE/fQ?'.split('');
    for (const s of beats) expect(isBeatSymbol(s)).toBe(true);
    for (const s of ['+', '~', '|', 'x', '(', ')', 'p', 't', '!', '[', ']', '"', '', 'NN']) {
      expect(isBeatSymbol(s)).toBe(false);
    }
  });
});
