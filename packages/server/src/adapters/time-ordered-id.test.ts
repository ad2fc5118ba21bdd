import { describe, expect, it } from 'vitest';
import { createTimeOrderedIdGenerator } from './time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids (UUIDv7)', () => {
  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const id = createTimeOrderedIdGenerator(() => Date.UTC(2026, 11, 1, 12, 0, 0, 123))();
    expect(id).toMatch(UUID_V7);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBe(Date.UTC(2026, 11, 1, 12, 0, 0, 123));
  });

  it('sorts in creation order within one millisecond and across a clock step back', () => {
    const times = [1000, 1000, 1000, 999, 1001, 1001];
    let i = 0;
    const next = createTimeOrderedIdGenerator(() => times[i++] ?? 2000);
    const ids = times.map(() => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it('stays ordered and unique past 4,096 ids in one millisecond', () => {
    const next = createTimeOrderedIdGenerator(() => 5000);
    const ids = Array.from({ length: 10_000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(10_000);
  });

  it('carries 62 random bits: two generators at the same instant do not collide', () => {
    const a = createTimeOrderedIdGenerator(() => 7)();
    const b = createTimeOrderedIdGenerator(() => 7)();
    expect(a.slice(0, 18)).toBe(b.slice(0, 18));
    expect(a).not.toBe(b);
  });
});
