import { spawn } from 'node:child_process';
import { MediaDecodeError } from './media-decode-error.js';
import { probeVideo, type VideoInfo } from './probe-video.js';

export interface DecodeVideoOptions {
  /** Frames are scaled down (aspect kept, even sizes) to fit maxWidth × maxHeight. Default 640 × 480. */
  maxWidth?: number;
  maxHeight?: number;
  /** Frames are dropped or repeated (ffmpeg's fps filter) to at most this rate. Default 30 fps. */
  maxFps?: number;
  /**
   * Longest accepted video, seconds. Default 300. A longer video is a MediaDecodeError
   * 'VIDEO_TOO_LONG'; a video whose container does not state a duration is cut at this length.
   */
  maxDurationSeconds?: number;
  /** Executables. Default 'ffmpeg' and 'ffprobe' (Debian's ffmpeg package). */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Called once with the source description and the output size and rate, before the first frame. */
  onInfo?: (
    info: VideoInfo & { outputWidth: number; outputHeight: number; outputFps: number },
  ) => void;
}

export interface VideoFrame {
  /** RGB, width × height × 3 bytes (a fresh buffer per frame). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Frame index from 0, and its time at the output rate, ms. */
  index: number;
  timestampMs: number;
}

/**
 * Decodes a video file (MP4, WebM, MOV, AVI, Y4M: anything Debian's ffmpeg reads) into RGB
 * frames, streaming: ffmpeg runs as a child process writing raw rgb24 to a pipe, and frames are
 * yielded one at a time, so memory stays at a frame plus the pipe buffer whatever the length, and
 * a slow consumer pauses ffmpeg. Breaking out of the loop kills ffmpeg. Errors are
 * MediaDecodeErrors: 'NOT_A_VIDEO', 'VIDEO_TOO_LONG', 'DECODER_UNAVAILABLE', 'DECODE_FAILED'.
 */
export async function* decodeVideoFrames(
  path: string,
  options: DecodeVideoOptions = {},
): AsyncGenerator<VideoFrame, void, undefined> {
  const maxWidth = options.maxWidth ?? 640;
  const maxHeight = options.maxHeight ?? 480;
  const maxFps = options.maxFps ?? 30;
  const maxDuration = options.maxDurationSeconds ?? 300;
  if (!(maxWidth >= 16 && maxHeight >= 16 && maxFps > 0 && maxDuration > 0)) {
    throw new MediaDecodeError(
      'DECODE_FAILED',
      'options',
      'maxWidth/maxHeight must be ≥ 16 and maxFps, maxDurationSeconds positive',
    );
  }
  const info = await probeVideo(
    path,
    options.ffprobePath === undefined ? {} : { ffprobePath: options.ffprobePath },
  );
  if (info.durationSeconds !== null && info.durationSeconds > maxDuration + 0.5) {
    throw new MediaDecodeError(
      'VIDEO_TOO_LONG',
      'source',
      `the video lasts ${info.durationSeconds.toFixed(1)} s; the limit is ${maxDuration} s`,
    );
  }
  const scale = Math.min(1, maxWidth / info.width, maxHeight / info.height);
  const outputWidth = Math.max(2, 2 * Math.round((info.width * scale) / 2));
  const outputHeight = Math.max(2, 2 * Math.round((info.height * scale) / 2));
  const outputFps = Math.min(maxFps, info.fps ?? maxFps);
  options.onInfo?.({ ...info, outputWidth, outputHeight, outputFps });
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const child = spawn(
    ffmpeg,
    [
      '-nostdin',
      '-v',
      'error',
      '-t',
      String(maxDuration),
      '-i',
      path,
      '-map',
      '0:v:0',
      '-vf',
      `fps=${outputFps},scale=${outputWidth}:${outputHeight}:flags=area`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new MediaDecodeError(
              'DECODER_UNAVAILABLE',
              'ffmpegPath',
              `${ffmpeg} not found: install ffmpeg (apt-get install ffmpeg)`,
              { cause: error },
            )
          : new MediaDecodeError('DECODE_FAILED', 'source', error.message, { cause: error }),
      );
    });
    child.once('close', (code) => {
      resolve(code);
    });
  });
  // A rejection is awaited below; this keeps it from counting as unhandled meanwhile.
  exited.catch(() => undefined);
  const frameBytes = outputWidth * outputHeight * 3;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  let index = 0;
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          const out: VideoFrame = {
            pixels: frame,
            width: outputWidth,
            height: outputHeight,
            channels: 3,
            index,
            timestampMs: (index * 1000) / outputFps,
          };
          index++;
          frame = new Uint8Array(frameBytes);
          filled = 0;
          yield out;
        }
      }
    }
    const code = await exited;
    finished = true;
    if (code !== 0) {
      throw new MediaDecodeError(
        'DECODE_FAILED',
        'source',
        `ffmpeg failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' ')}`,
      );
    }
    if (index === 0) {
      throw new MediaDecodeError('NOT_A_VIDEO', 'source', 'the video has no decodable frame');
    }
  } finally {
    if (!finished && child.exitCode === null) child.kill('SIGKILL');
  }
}
