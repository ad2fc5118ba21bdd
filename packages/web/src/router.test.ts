import { describe, expect, it } from 'vitest';
import { matchPath } from './router.js';

describe('matchPath', () => {
  it('extracts a decoded parameter', () => {
    expect(matchPath('/patients/:id', '/patients/a%20b')).toEqual({ id: 'a b' });
  });
  it('ignores a trailing slash', () => {
    expect(matchPath('/admin/devices', '/admin/devices/')).toEqual({});
  });
  it('does not match a different route', () => {
    expect(matchPath('/patients/:id', '/admin/devices')).toBeNull();
  });
});
