import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { MediaDecodeError } from './media-decode-error.js';

export interface ProbeVideoOptions {
  /** ffprobe executable. Default 'ffprobe' (Debian's ffmpeg package). */
  ffprobePath?: string;
}

export interface VideoInfo {
  width: number;
  height: number;
  /** Average frame rate, frames/s (null when the container does not say). */
  fps: number | null;
  /** Duration, seconds (null when the container does not say, e.g. live WebM). */
  durationSeconds: number | null;
  codec: string;
  container: string;
}

function parseRate(rate: unknown): number | null {
  if (typeof rate !== 'string') return null;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return null;
  const value = den === undefined ? num : num / den;
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : null;
}

/**
 * Reads the first video stream's size, frame rate, duration and codec with ffprobe. A file that
 * ffprobe cannot read, or that has no video stream (audio, text, an image sequence ffprobe calls
 * a single frame is still video), is a MediaDecodeError 'NOT_A_VIDEO'.
 */
export async function probeVideo(
  path: string,
  options: ProbeVideoOptions = {},
): Promise<VideoInfo> {
  if (typeof path !== 'string' || path === '') {
    throw new MediaDecodeError('NOT_A_VIDEO', 'source', 'the video path is empty');
  }
  try {
    await stat(path);
  } catch (error) {
    throw new MediaDecodeError('NOT_A_VIDEO', 'source', `cannot read ${path}`, { cause: error });
  }
  const ffprobe = options.ffprobePath ?? 'ffprobe';
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,avg_frame_rate,r_frame_rate,codec_name,duration:format=duration,format_name',
    '-of',
    'json',
    path,
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(ffprobe, args, { maxBuffer: 1 << 20, timeout: 30_000 }, (error, out, err) => {
      if (error !== null) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new MediaDecodeError(
              'DECODER_UNAVAILABLE',
              'ffprobePath',
              `${ffprobe} not found: install ffmpeg (apt-get install ffmpeg)`,
              { cause: error },
            ),
          );
        } else {
          reject(
            new MediaDecodeError(
              'NOT_A_VIDEO',
              'source',
              `not a readable video: ${err.trim().split('\n').pop() ?? error.message}`,
              { cause: error },
            ),
          );
        }
        return;
      }
      resolve(out);
    });
  });
  let parsed: { streams?: Record<string, unknown>[]; format?: Record<string, unknown> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (error) {
    throw new MediaDecodeError('NOT_A_VIDEO', 'source', 'ffprobe gave no description of the file', {
      cause: error,
    });
  }
  const stream = parsed.streams?.[0];
  const width = Number(stream?.width);
  const height = Number(stream?.height);
  if (stream === undefined || !(width > 0) || !(height > 0)) {
    throw new MediaDecodeError('NOT_A_VIDEO', 'source', 'the file has no video stream');
  }
  const duration = Number(parsed.format?.duration ?? stream.duration);
  return {
    width,
    height,
    fps: parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate),
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null,
    codec: typeof stream.codec_name === 'string' ? stream.codec_name : 'unknown',
    container:
      typeof parsed.format?.format_name === 'string' ? parsed.format.format_name : 'unknown',
  };
}
