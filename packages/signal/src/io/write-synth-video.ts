import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FaceVideoSynth } from '../rppg/synth/create-face-video-synth.js';
import { MediaDecodeError } from './media-decode-error.js';

export interface WriteSynthVideoOptions {
  /** ffmpeg executable for .mp4/.webm/.mov/.avi. Default 'ffmpeg'. */
  ffmpegPath?: string;
  /** x264 constant rate factor for .mp4/.mov (lower keeps the sub-level pulse better). Default 12. */
  crf?: number;
}

/**
 * Writes a synthetic face video. `.y4m` is written directly (YUV4MPEG2, 4:2:0, BT.601 limited
 * range: the format Chromium's `--use-file-for-fake-video-capture` reads); `.mp4`/`.mov` (H.264),
 * `.webm` (VP9) and `.avi` (MJPEG) are encoded by ffmpeg fed raw RGB on its stdin. Frames are
 * rendered and written one at a time (memory stays at one frame).
 */
export async function writeSynthVideo(
  synth: FaceVideoSynth,
  outPath: string,
  options: WriteSynthVideoOptions = {},
): Promise<{ frames: number; bytes: number }> {
  const ext = extname(outPath).toLowerCase();
  if (ext === '.y4m') return writeY4m(synth, outPath);
  const codecs: Record<string, string[]> = {
    '.mp4': [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'grain',
      '-crf',
      String(options.crf ?? 12),
      '-pix_fmt',
      'yuv420p',
    ],
    '.mov': [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'grain',
      '-crf',
      String(options.crf ?? 12),
      '-pix_fmt',
      'yuv420p',
    ],
    '.webm': [
      '-c:v',
      'libvpx-vp9',
      '-crf',
      '20',
      '-b:v',
      '0',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-pix_fmt',
      'yuv420p',
    ],
    '.avi': ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p'],
  };
  const codec = codecs[ext];
  if (codec === undefined) {
    throw new MediaDecodeError(
      'DECODE_FAILED',
      'outPath',
      `unsupported output extension ${ext || '(none)'}: use .y4m, .mp4, .mov, .webm or .avi`,
    );
  }
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const child = spawn(
    ffmpeg,
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${synth.width}x${synth.height}`,
      '-r',
      String(synth.fps),
      '-i',
      'pipe:0',
      ...codec,
      outPath,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new MediaDecodeError(
          error.code === 'ENOENT' ? 'DECODER_UNAVAILABLE' : 'DECODE_FAILED',
          'ffmpegPath',
          `${ffmpeg}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.once('close', resolve);
  });
  closed.catch(() => undefined);
  let bytes = 0;
  try {
    for (let i = 0; i < synth.frameCount; i++) {
      const { pixels } = synth.frame(i);
      bytes += pixels.length;
      await writeChunk(child.stdin, pixels);
    }
    child.stdin.end();
  } catch (error) {
    child.kill('SIGKILL');
    await closed;
    throw error;
  }
  const code = await closed;
  if (code !== 0) {
    throw new MediaDecodeError(
      'DECODE_FAILED',
      'outPath',
      `ffmpeg failed (exit ${code}): ${stderr.trim()}`,
    );
  }
  return { frames: synth.frameCount, bytes };
}

/** Writes and, when the stream's buffer is full, waits for it to drain (or fail). */
async function writeChunk(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

async function writeY4m(
  synth: FaceVideoSynth,
  outPath: string,
): Promise<{ frames: number; bytes: number }> {
  const { width, height } = synth;
  const out = createWriteStream(outPath);
  const failed = once(out, 'error').then(([e]) => Promise.reject(e as Error));
  failed.catch(() => undefined);
  const fpsNum = Math.round(synth.fps * 1000);
  let bytes = 0;
  const header = Buffer.from(
    `YUV4MPEG2 W${width} H${height} F${fpsNum}:1000 Ip A1:1 C420jpeg XYSCSS=420JPEG\n`,
  );
  await writeChunk(out, header);
  bytes += header.length;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const marker = Buffer.from('FRAME\n');
  for (let i = 0; i < synth.frameCount; i++) {
    const { pixels } = synth.frame(i);
    const yuv = new Uint8Array(width * height + 2 * cw * ch);
    rgbToI420(pixels, width, height, yuv);
    await writeChunk(out, marker);
    await writeChunk(out, yuv);
    bytes += marker.length + yuv.length;
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { frames: synth.frameCount, bytes };
}

/** RGB to planar 4:2:0 YCbCr, ITU-R BT.601 limited range, chroma averaged over 2 × 2 pixels. */
function rgbToI420(rgb: Uint8Array, width: number, height: number, out: Uint8Array): void {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const uOffset = width * height;
  const vOffset = uOffset + cw * ch;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const r = rgb[p] ?? 0;
      const g = rgb[p + 1] ?? 0;
      const b = rgb[p + 2] ?? 0;
      out[y * width + x] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    }
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const x = 2 * cx + dx;
          const y = 2 * cy + dy;
          if (x >= width || y >= height) continue;
          const p = (y * width + x) * 3;
          r += rgb[p] ?? 0;
          g += rgb[p + 1] ?? 0;
          b += rgb[p + 2] ?? 0;
          n++;
        }
      }
      r /= n;
      g /= n;
      b /= n;
      out[uOffset + cy * cw + cx] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[vOffset + cy * cw + cx] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
}
