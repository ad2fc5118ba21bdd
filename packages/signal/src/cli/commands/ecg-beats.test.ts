import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../__tests__/run-captured.js';

// First 20 s of MIT-BIH records (see src/io/fixtures/NOTICE): 119 has uniform PVCs (bigeminy),
// data_101_6 is CPSC 2021 at 200 Hz.
const mit119 = fileURLToPath(new URL('../../io/fixtures/119', import.meta.url));
const cpsc = fileURLToPath(new URL('../../io/fixtures/data_101_6', import.meta.url));
// Record 203 is in atrial flutter / fibrillation from its start.
const mit203 = fileURLToPath(new URL('../../io/fixtures/203', import.meta.url));

describe('vigil-signal ecg beats / ecg rhythm', () => {
  it('prints the class of every reference beat of record 119 as JSON', async () => {
    const r = await runCaptured('ecg', 'beats', mit119, '--annotations', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { fs: number; beats: { sample: number; class: string }[] };
    expect(json.fs).toBe(360);
    expect(json.beats).toHaveLength(21);
    expect(json.beats.every((b) => ['N', 'SVEB', 'VEB', 'F', 'Q'].includes(b.class))).toBe(true);
    // The excerpt's reference labels are NVNNNNNVNNNNNVNNNNNNN: three PVCs.
    expect(json.beats.filter((b) => b.class === 'VEB').map((b) => b.sample)).toHaveLength(3);
  });

  it('classifies detected beats of a 200 Hz record and prints rhythm episodes as JSON', async () => {
    const beats = await runCaptured('ecg', 'beats', cpsc, '--json');
    expect(beats.code).toBe(0);
    expect((JSON.parse(beats.out) as { fs: number }).fs).toBe(200);
    const rhythm = await runCaptured('ecg', 'rhythm', mit119, '--json');
    expect(rhythm.code).toBe(0);
    const json = JSON.parse(rhythm.out) as { fs: number; episodes: unknown[]; withheld: unknown };
    expect(json.fs).toBe(360);
    expect(Array.isArray(json.episodes)).toBe(true);
    expect(json.withheld).toBeNull();
  });

  it('lists an AF run shorter than the alarm minimum, saying it would not alarm', async () => {
    const r = await runCaptured('ecg', 'rhythm', mit203, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      fs: number;
      episodes: { rhythm: string; start: number; end: number; alarm?: boolean }[];
    };
    const af = json.episodes.filter((e) => e.rhythm === 'AF');
    expect(af).toHaveLength(1);
    const [run] = af;
    // About 12 s of AF in a 20-s excerpt: found, but under the live monitor's 30-s alarm.
    expect(((run?.end ?? 0) - (run?.start ?? 0)) / json.fs).toBeGreaterThan(8);
    expect(run?.alarm).toBe(false);
    expect(json.episodes.filter((e) => e.rhythm !== 'AF').every((e) => !('alarm' in e))).toBe(true);
    const alarmsOnly = await runCaptured(
      'ecg',
      'rhythm',
      mit203,
      '--af-min-duration',
      '30000',
      '--json',
    );
    const onlyJson = JSON.parse(alarmsOnly.out) as { episodes: { rhythm: string }[] };
    expect(onlyJson.episodes.filter((e) => e.rhythm === 'AF')).toHaveLength(0);
    const bad = await runCaptured('ecg', 'rhythm', mit203, '--af-min-duration', '-5');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/af-min-duration/);
  });

  it('names the field for a bad channel and a missing record', async () => {
    const bad = await runCaptured('ecg', 'rhythm', mit119, '--channel', 'x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/channel/);
    const none = await runCaptured('ecg', 'beats');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/record/);
  });
});
