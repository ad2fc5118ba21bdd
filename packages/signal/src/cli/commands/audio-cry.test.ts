import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../__tests__/run-captured.js';

// Runs ffmpeg (installed by .ci/run), like the command does.
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../audio/fixtures/${name}`, import.meta.url));

describe('vigil-signal audio cry', () => {
  it('prints the clip and per-second probabilities as JSON for a cry WAV', async () => {
    const r = await runCaptured('audio', 'cry', fixture('cry-donateacry-4s.wav'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { probability: number; per_second: number[] };
    expect(Object.keys(out)).toEqual(['probability', 'per_second']);
    expect(out.probability).toBeGreaterThan(0.5);
    expect(out.per_second).toHaveLength(4);
  });

  it('reads phone formats: a raw iOS CAF upload', async () => {
    const caf = fileURLToPath(
      new URL(
        '../../io/fixtures/audio/raw-uploads/021DCB9F-2FC6-4247-859F-E58EDB682B79-1429977251-1.0-f-26-dk.caf',
        import.meta.url,
      ),
    );
    const r = await runCaptured('audio', 'cry', caf, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { probability: number; per_second: number[] };
    expect(out.per_second.length).toBeGreaterThan(3);
  });

  it('exits 2 with a typed error for a file that is not audio', async () => {
    const r = await runCaptured('audio', 'cry', fixture('NOTICE.md'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: UNDECODABLE_AUDIO \(audio\)/);
  });
});
