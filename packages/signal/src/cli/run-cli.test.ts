import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured as run } from './__tests__/run-captured.js';

const record = join(import.meta.dirname, '../io/fixtures/119');

describe('vigil-signal ecg detect', () => {
  it('prints the record rate and R peaks in its own sampling as JSON', async () => {
    const { code, out, err } = await run('ecg', 'detect', record, '--json');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(out) as { fs: number; peaks: number[] };
    expect(result.fs).toBe(360);
    expect(result.peaks).toHaveLength(21);
    expect(result.peaks[0]).toBeGreaterThanOrEqual(309 - 18); // first annotated beat: N at 309
    expect(result.peaks[0]).toBeLessThanOrEqual(309 + 18);
  });

  it('reads another channel with --channel and summarises without --json', async () => {
    const { code, out } = await run('ecg', 'detect', record, '--channel', '1');
    expect(code).toBe(0);
    expect(out).toMatch(/channel 1: 21 beats at 360 Hz, mean heart rate \d+\.\d bpm/);
  });

  it('names the field at fault and exits 2 on bad input, without a stack trace', async () => {
    const noChannel = await run('ecg', 'detect', record, '--channel', '7');
    expect(noChannel.code).toBe(2);
    expect(noChannel.err).toBe(
      'error: INVALID_ARGUMENT (channel): record 119 has 2 signals, no channel 7\n',
    );
    expect((await run('ecg', 'detect', record, '--channel', 'x')).err).toContain('(channel)');
    expect((await run('ecg', 'detect')).err).toContain('(record)');
    const missing = await run('ecg', 'detect', join(record, '..', 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ENOENT');
    const unknownOption = await run('ecg', 'detect', record, '--frobnicate');
    expect(unknownOption.code).toBe(2);
  });

  it('lists the commands on --help and rejects unknown commands', async () => {
    expect((await run('--help')).out).toContain('vigil-signal ecg detect <record>');
    const unknown = await run('ecg', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command');
  });
});
