import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from './write-batcher.js';

describe('createWriteBatcher', () => {
  it('writes concurrent submissions in one transaction and resolves after it', async () => {
    const written: number[][] = [];
    let committed = false;
    const b = createWriteBatcher<number>({
      write: async (units) => {
        await new Promise((r) => setTimeout(r, 5));
        written.push([...units]);
        committed = true;
      },
    });
    const done = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        await b.submit(n);
        return committed;
      }),
    );
    expect(done).toEqual([true, true, true, true]);
    expect(written).toEqual([[1, 2, 3, 4]]);
    await b.close();
  });

  it('batches what arrives while a write is in flight into the next transaction', async () => {
    const written: number[][] = [];
    const b = createWriteBatcher<number>({
      write: async (units) => {
        written.push([...units]);
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((n) => b.submit(n));
    await Promise.all([first, ...rest]);
    expect(written).toEqual([[1], [2, 3, 4]]);
    expect(b.batches).toBe(2);
  });

  it('starts a second transaction while the first is in flight when concurrency allows', async () => {
    const events: string[] = [];
    const release: (() => void)[] = [];
    const b = createWriteBatcher<number>({
      concurrency: 2,
      write: async (units) => {
        events.push(`begin ${units.join(',')}`);
        await new Promise<void>((r) => release.push(r));
        events.push(`commit ${units.join(',')}`);
      },
    });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = [2, 3].map((n) => b.submit(n));
    await new Promise((r) => setImmediate(r));
    // A third arrival waits: both writers are busy.
    const third = b.submit(4);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['begin 1', 'begin 2,3']);
    release.shift()?.();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['begin 1', 'begin 2,3', 'commit 1', 'begin 4']);
    for (const r of release.splice(0)) r();
    await Promise.all(second);
    release.shift()?.();
    await third;
    await b.close();
    expect(b.batches).toBe(3);
  });

  it('rejects a concurrency that is not a positive integer', () => {
    expect(() =>
      createWriteBatcher<number>({ concurrency: 0, write: () => Promise.resolve() }),
    ).toThrow(RangeError);
  });

  it('isolates a failing unit: only its submitter sees the error', async () => {
    const committed: string[] = [];
    const b = createWriteBatcher<string>({
      write: (units) => {
        if (units.includes('bad')) return Promise.reject(new Error('constraint'));
        committed.push(...units);
        return Promise.resolve();
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((u) => b.submit(u)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed).toEqual(['a', 'c']);
  });

  it('respects maxUnits per transaction', async () => {
    const sizes: number[] = [];
    const b = createWriteBatcher<number>({
      maxUnits: 2,
      write: (units) => {
        sizes.push(units.length);
        return Promise.resolve();
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((n) => b.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('refuses units after close', async () => {
    const b = createWriteBatcher<number>({ write: () => Promise.resolve() });
    await b.close();
    await expect(b.submit(1)).rejects.toThrow('closed');
  });
});
