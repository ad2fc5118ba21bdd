import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaceVideoSynth,
  type FaceVideoSynth,
} from '../rppg/synth/create-face-video-synth.js';
import { decodeJpeg } from './decode-jpeg.js';
import { decodeVideoFrames, type VideoFrame } from './decode-video-frames.js';
import { MediaDecodeError } from './media-decode-error.js';
import { writeSynthVideo } from './write-synth-video.js';

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// CI installs Debian's ffmpeg (.ci/run); on a machine without it these tests are skipped.
const ffmpeg = hasFfmpeg();

const face = decodeJpeg(
  readFileSync(new URL('../../assets/face-eileen-collins.jpg', import.meta.url)),
);
let dir = '';
let synth: FaceVideoSynth;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rppg-'));
  synth = createFaceVideoSynth({ face, width: 160, height: 120, fps: 15, durationSeconds: 2 });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(path: string, options = {}): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeVideoFrames(path, options)) frames.push(frame);
  return frames;
}

describe('writeSynthVideo (.y4m, no ffmpeg needed)', () => {
  it('writes a YUV4MPEG2 4:2:0 file: header, then FRAME and 1.5 bytes per pixel per frame', async () => {
    const path = join(dir, 'a.y4m');
    const written = await writeSynthVideo(synth, path);
    expect(written.frames).toBe(30);
    const bytes = readFileSync(path);
    const header = 'YUV4MPEG2 W160 H120 F15000:1000 Ip A1:1 C420jpeg XYSCSS=420JPEG\n';
    expect(bytes.subarray(0, header.length).toString('latin1')).toBe(header);
    expect(bytes.length).toBe(header.length + 30 * (6 + 160 * 120 * 1.5));
    expect(bytes.subarray(header.length, header.length + 6).toString('latin1')).toBe('FRAME\n');
  });
});

describe.skipIf(!ffmpeg)('decodeVideoFrames (ffmpeg)', () => {
  it('decodes the y4m back to RGB frames close to the rendered ones, with their timestamps', async () => {
    const path = join(dir, 'b.y4m');
    await writeSynthVideo(synth, path);
    const frames = await collect(path);
    expect(frames.length).toBe(30);
    expect(frames[3]?.timestampMs).toBeCloseTo(200, 6);
    expect([frames[0]?.width, frames[0]?.height]).toEqual([160, 120]);
    const original = synth.frame(10).pixels;
    const decoded = frames[10]?.pixels ?? new Uint8Array();
    let sum = 0;
    for (let i = 0; i < original.length; i++)
      sum += Math.abs((original[i] ?? 0) - (decoded[i] ?? 0));
    // 4:2:0 chroma and limited range cost a few levels per pixel on average.
    expect(sum / original.length).toBeLessThan(6);
  });

  it('decodes an MP4 scaled down to the size limit and resampled to the frame-rate limit', async () => {
    const path = join(dir, 'c.mp4');
    await writeSynthVideo(synth, path);
    let info: { outputWidth: number; outputFps: number; codec: string } | null = null;
    const frames = await collect(path, {
      maxWidth: 80,
      maxHeight: 80,
      maxFps: 10,
      onInfo: (i: typeof info) => (info = i),
    });
    expect(info).toMatchObject({ outputWidth: 80, outputFps: 10, codec: 'h264' });
    expect([frames[0]?.width, frames[0]?.height]).toEqual([80, 60]);
    expect(Math.abs(frames.length - 20)).toBeLessThanOrEqual(1);
  });

  it('refuses a video longer than the duration limit with VIDEO_TOO_LONG', async () => {
    const path = join(dir, 'd.y4m');
    await writeSynthVideo(synth, path);
    await expect(collect(path, { maxDurationSeconds: 1 })).rejects.toMatchObject({
      code: 'VIDEO_TOO_LONG',
    });
  });

  it('says NOT_A_VIDEO for a text file, a missing file and a JPEG-named text', async () => {
    const text = join(dir, 'e.mp4');
    writeFileSync(text, 'this is not a video\n'.repeat(50));
    await expect(collect(text)).rejects.toBeInstanceOf(MediaDecodeError);
    await expect(collect(text)).rejects.toMatchObject({ code: 'NOT_A_VIDEO' });
    await expect(collect(join(dir, 'missing.webm'))).rejects.toMatchObject({ code: 'NOT_A_VIDEO' });
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    const path = join(dir, 'f.y4m');
    await writeSynthVideo(synth, path);
    let n = 0;
    for await (const frame of decodeVideoFrames(path)) {
      n += frame.index >= 0 ? 1 : 0;
      if (n === 2) break;
    }
    expect(n).toBe(2);
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  it('reports a missing ffmpeg as DECODER_UNAVAILABLE', async () => {
    const path = join(dir, 'g.y4m');
    await writeSynthVideo(synth, path);
    await expect(collect(path, { ffprobePath: '/nonexistent/ffprobe' })).rejects.toMatchObject({
      code: 'DECODER_UNAVAILABLE',
    });
  });
});
