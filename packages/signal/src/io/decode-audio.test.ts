import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from './audio-decode-error.js';
import { decodeAudio } from './decode-audio.js';

// These tests run Debian's ffmpeg (installed by .ci/run); the pure cry-model tests do not need it.
const dir = fileURLToPath(new URL('./fixtures/audio/', import.meta.url));
const formats = readdirSync(dir).filter((f) => f.startsWith('clip.'));
const uploads = readdirSync(`${dir}raw-uploads`).sort();

/** The 1.5 s excerpt all `clip.*` files were encoded from, as 16-bit PCM read by hand. */
function reference(): Float32Array {
  const bytes = readFileSync(`${dir}clip.pcm16.wav`);
  // Walk the RIFF chunks to "data" (ffmpeg writes a LIST chunk before it).
  let at = 12;
  while (bytes.toString('latin1', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  const data = bytes.subarray(at + 8, at + 8 + bytes.readUInt32LE(at + 4));
  return Float32Array.from({ length: data.length / 2 }, (_, i) => data.readInt16LE(2 * i) / 32768);
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

describe('decodeAudio', () => {
  it('has a fixture of each listed format', () => {
    expect(formats.sort()).toEqual([
      'clip.aac',
      'clip.caf',
      'clip.flac',
      'clip.float32.wav',
      'clip.m4a',
      'clip.mp3',
      'clip.opus.ogg',
      'clip.pcm16.wav',
      'clip.vorbis.ogg',
      'clip.webm',
    ]);
  });

  it.each(formats)('decodes %s to 1.5 s of 8 kHz mono at the level of the source', async (file) => {
    const ref = reference();
    const audio = await decodeAudio(`${dir}${file}`, { sampleRateHz: 8000 });
    expect(audio.sampleRateHz).toBe(8000);
    // Lossy codecs pad their start and round up to whole frames (raw ADTS AAC has no edit list
    // to trim them: 1024-sample frames at 8 kHz are 128 ms), so allow up to 0.2 s more.
    expect(audio.durationS).toBeGreaterThan(1.44);
    expect(audio.durationS).toBeLessThan(1.7);
    expect(rms(audio.samples) / rms(ref)).toBeGreaterThan(0.7);
    expect(rms(audio.samples) / rms(ref)).toBeLessThan(1.3);
  });

  it('returns lossless formats sample for sample', async () => {
    const ref = reference();
    for (const file of ['clip.pcm16.wav', 'clip.float32.wav', 'clip.flac']) {
      const audio = await decodeAudio(`${dir}${file}`, { sampleRateHz: 8000 });
      expect(audio.samples.length).toBe(ref.length);
      let maxDiff = 0;
      ref.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (audio.samples[i] ?? 0)))));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it.each(uploads)('decodes the raw phone upload %s', async (file) => {
    const audio = await decodeAudio(`${dir}raw-uploads/${file}`, { sampleRateHz: 8000 });
    expect(audio.durationS).toBeGreaterThan(1);
    expect(audio.durationS).toBeLessThan(30);
    expect(rms(audio.samples)).toBeGreaterThan(1e-3);
  });

  it('decodes bytes as well as paths, including a 3GP whose index needs seeking', async () => {
    const file = `${dir}raw-uploads/${uploads.find((f) => f.endsWith('.3gp')) ?? ''}`;
    const fromPath = await decodeAudio(file);
    const fromBytes = await decodeAudio(readFileSync(file));
    expect(fromBytes.samples).toEqual(fromPath.samples);
  });

  it('reads WAV bytes at the requested rate in process, to the samples ffmpeg gives from the file', async () => {
    const ref = reference();
    for (const file of ['clip.pcm16.wav', 'clip.float32.wav']) {
      const bytes = readFileSync(`${dir}${file}`);
      // A missing ffmpeg proves the bytes never reached it.
      const inProcess = await decodeAudio(bytes, { ffmpegPath: '/nonexistent/ffmpeg' });
      const viaFfmpeg = await decodeAudio(`${dir}${file}`);
      expect(inProcess.sampleRateHz).toBe(8000);
      expect(inProcess.samples.length).toBe(viaFfmpeg.samples.length);
      let maxDiff = 0;
      ref.forEach(
        (v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (inProcess.samples[i] ?? 0)))),
      );
      expect(maxDiff).toBeLessThan(1e-4);
    }
    // Another rate still goes to ffmpeg (which resamples): here, one that is missing.
    await expect(
      decodeAudio(readFileSync(`${dir}clip.pcm16.wav`), {
        sampleRateHz: 16000,
        ffmpegPath: '/nonexistent/ffmpeg',
      }),
    ).rejects.toMatchObject({ code: 'DECODER_UNAVAILABLE' });
  });

  it('resamples to the requested rate', async () => {
    const audio = await decodeAudio(`${dir}clip.pcm16.wav`, { sampleRateHz: 16000 });
    expect(audio.samples.length).toBe(24000);
  });

  it('rejects bytes that are not audio as UNDECODABLE_AUDIO', async () => {
    const error = await decodeAudio(new TextEncoder().encode('{"not": "audio"}')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as AudioDecodeError).code).toBe('UNDECODABLE_AUDIO');
  });

  it('rejects audio longer than maxSeconds as AUDIO_TOO_LONG', async () => {
    await expect(decodeAudio(`${dir}clip.flac`, { maxSeconds: 1 })).rejects.toMatchObject({
      code: 'AUDIO_TOO_LONG',
    });
  });

  it('rejects input larger than maxBytes as AUDIO_TOO_LARGE without running ffmpeg', async () => {
    await expect(
      decodeAudio(`${dir}clip.pcm16.wav`, { maxBytes: 1000, ffmpegPath: '/nonexistent' }),
    ).rejects.toMatchObject({ code: 'AUDIO_TOO_LARGE' });
  });

  it('reports a missing ffmpeg as DECODER_UNAVAILABLE', async () => {
    await expect(
      decodeAudio(`${dir}clip.pcm16.wav`, { ffmpegPath: '/nonexistent/ffmpeg' }),
    ).rejects.toMatchObject({ code: 'DECODER_UNAVAILABLE', field: 'options.ffmpegPath' });
  });
});
