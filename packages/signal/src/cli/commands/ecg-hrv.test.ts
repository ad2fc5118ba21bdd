import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured as run } from '../__tests__/run-captured.js';
import type { EcgHrvResult } from './ecg-hrv.js';

const record = join(import.meta.dirname, '../../io/fixtures/119');

describe('vigil-signal ecg hrv', () => {
  it('prints the HRV of the detected beats as JSON, null sections explained', async () => {
    const { code, out, err } = await run('ecg', 'hrv', record, '--json');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const r = JSON.parse(out) as EcgHrvResult;
    expect(r).toMatchObject({ record: '119', channel: 0, signal: 'MLII', fs: 360, labels: 'none' });
    // 20 s of record 119: 21 beats, mean rate about 66 bpm (the reference beats give 66.1)
    expect(r.nBeats).toBe(21);
    expect(r.rrAll?.hrMeanBpm).toBeGreaterThan(64);
    expect(r.rrAll?.hrMeanBpm).toBeLessThan(68);
    expect(r.timeDomain?.sdnnMs).toBeGreaterThan(0);
    // 20 s is below the 60 s minimum of the spectrum
    expect(r.frequencyDomain).toBeNull();
    expect(r.notes.some((n) => n.startsWith('frequencyDomain:'))).toBe(true);
  });

  it('summarises in text without --json and reads another channel', async () => {
    const { code, out } = await run('ecg', 'hrv', record, '--channel', '1');
    expect(code).toBe(0);
    expect(out).toMatch(
      /channel 1 \(V1\): 21 beats, \d+ of 20 intervals kept as NN \(labels: none\)/,
    );
    expect(out).toMatch(/SDNN \d+\.\d ms, RMSSD \d+\.\d ms/);
  });

  it('takes the normal/ectopic labels from classifyBeats with --classify', async () => {
    const { code, out, err } = await run('ecg', 'hrv', record, '--classify', '--json');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const r = JSON.parse(out) as EcgHrvResult;
    expect(r.labels).toBe('classifyBeats');
    // the 20 s excerpt of 119 holds PVCs; their intervals are not NN
    expect(r.nn.nKept).toBeLessThan(r.nn.nRr);
  });

  it('names the field at fault and exits 2 on bad input', async () => {
    const badChannel = await run('ecg', 'hrv', record, '--channel', '-1');
    expect(badChannel.code).toBe(2);
    const noChannel = await run('ecg', 'hrv', record, '--channel', '9');
    expect(noChannel).toMatchObject({ code: 2 });
    expect(noChannel.err).toMatch(/^error: INVALID_ARGUMENT \(channel\)/);
    const noRecord = await run('ecg', 'hrv');
    expect(noRecord.err).toMatch(/INVALID_ARGUMENT \(record\)/);
  });
});
