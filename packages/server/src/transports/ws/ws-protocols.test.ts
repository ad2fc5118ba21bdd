import { describe, expect, it } from 'vitest';
import { bearerFromProtocols, selectWsProtocol } from './ws-protocols.js';

describe('WebSocket subprotocol authentication', () => {
  it('reads the token of vigil.bearer.<token> among the offered protocols', () => {
    expect(bearerFromProtocols('vigil.v1, vigil.bearer.eyJh.eyJz.sig')).toBe('eyJh.eyJz.sig');
    expect(bearerFromProtocols(['vigil.v1', 'vigil.bearer.abc'])).toBe('abc');
    expect(bearerFromProtocols('vigil.v1')).toBeUndefined();
    expect(bearerFromProtocols('vigil.bearer.')).toBeUndefined();
    expect(bearerFromProtocols(undefined)).toBeUndefined();
  });

  it('selects vigil.v1 so the token is not echoed, and the bearer protocol only when alone', () => {
    expect(selectWsProtocol(new Set(['vigil.v1', 'vigil.bearer.abc']))).toBe('vigil.v1');
    expect(selectWsProtocol(new Set(['vigil.bearer.abc']))).toBe('vigil.bearer.abc');
    expect(selectWsProtocol(new Set(['chat']))).toBe(false);
  });
});
