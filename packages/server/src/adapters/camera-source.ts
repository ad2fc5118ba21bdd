import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';

export interface CameraSourceOptions {
  /**
   * `/dev/videoN` (V4L2), `rtsp://…`, `http(s)://…` (MJPEG or any stream ffmpeg reads), or a
   * video file path.
   */
  source: string;
  /** Frames per second delivered (ffmpeg's fps filter). */
  fps: number;
  /** Frames are scaled to fit and padded to width × height. Default 640 × 480. */
  width?: number;
  height?: number;
  /** Files only: read at the video's own rate (`-re`), as a camera would deliver it. Default true. */
  realtime?: boolean;
  /** Files only: start again at the end. Default true. */
  loop?: boolean;
  /** Wait before restarting a camera that stopped (unplugged, stream lost), ms. Default 5000. */
  restartDelayMs?: number;
  /** One RGB frame with its time, ms (from the start of the source, increasing across restarts). */
  onFrame(pixels: Uint8Array, width: number, height: number, timestampMs: number): Promise<void>;
  onRunning(running: boolean): void;
  /** Epoch ms at which the first frame is placed (frame times count from it). */
  startMs: number;
  ffmpegPath?: string;
  log: Logger;
}

export interface CameraSource {
  /** Resolves when a file source (without loop) has been read to its end. */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

/** ffmpeg input arguments for a camera source (exported for the configuration test). */
export function cameraInputArgs(
  source: string,
  file: { realtime: boolean; loop: boolean },
): string[] {
  if (/^\/dev\/video\d+$/.test(source)) return ['-f', 'v4l2', '-i', source];
  if (/^rtsps?:\/\//i.test(source)) return ['-rtsp_transport', 'tcp', '-i', source];
  if (/^https?:\/\//i.test(source)) return ['-i', source];
  return [
    ...(file.realtime ? ['-re'] : []),
    ...(file.loop ? ['-stream_loop', '-1'] : []),
    '-i',
    source,
  ];
}

/** Whether the source is a file (it ends) rather than a camera (restarted when it stops). */
export function isFileSource(source: string): boolean {
  return !/^(\/dev\/video\d+|rtsps?:\/\/|https?:\/\/)/i.test(source);
}

/**
 * A bedside camera read by Debian's ffmpeg as a child process: raw RGB frames at a fixed size and
 * rate on a pipe, one frame in memory at a time; a slow consumer pauses ffmpeg. A camera that
 * stops is restarted after a delay; a file ends (or loops).
 */
export function startCameraSource(o: CameraSourceOptions): CameraSource {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const frameBytes = width * height * 3;
  const file = isFileSource(o.source);
  const realtime = o.realtime ?? true;
  const loop = o.loop ?? true;
  const frameMs = 1000 / o.fps;
  const state = { stopped: false };
  // Read through a function: the flag changes while the loops below await.
  const isStopped = (): boolean => state.stopped;
  let child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  let nextTs = o.startMs;
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });

  const runOnce = async (): Promise<number | null> => {
    const args = [
      '-nostdin',
      '-v',
      'error',
      ...cameraInputArgs(o.source, { realtime, loop }),
      '-map',
      '0:v:0',
      '-vf',
      `fps=${o.fps},scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ];
    const proc = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (t: string) => {
      stderr = (stderr + t).slice(-2000);
    });
    const exited = new Promise<number | null>((resolve) => {
      proc.once('error', (err) => {
        o.log.error({ err }, 'bedside camera: ffmpeg could not start');
        resolve(-1);
      });
      proc.once('close', (code) => {
        resolve(code);
      });
    });
    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    let running = false;
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          if (!running) {
            running = true;
            o.onRunning(true);
          }
          const ts = nextTs;
          nextTs += frameMs;
          try {
            await o.onFrame(frame, width, height, ts);
          } catch (err) {
            o.log.warn({ err }, 'bedside camera: a frame could not be analysed');
          }
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
      if (isStopped()) break;
    }
    const code = await exited;
    child = null;
    o.onRunning(false);
    if (code !== 0 && !isStopped())
      o.log.warn(
        { code, stderr: stderr.trim().split('\n').slice(-2).join(' ') },
        'bedside camera stopped',
      );
    return code;
  };

  void (async () => {
    while (!isStopped()) {
      await runOnce();
      if (isStopped() || (file && !loop)) break;
      // A camera that stops (or a looping file that failed) is tried again after a pause; the
      // gap also restarts the estimator's window (frames more than 1 s apart).
      nextTs += Math.max(1000, o.restartDelayMs ?? 5000);
      await new Promise((resolve) => setTimeout(resolve, o.restartDelayMs ?? 5000).unref());
    }
    resolveFinished();
  })();

  return {
    finished,
    async stop() {
      state.stopped = true;
      const c = child;
      if (c !== null && c.exitCode === null) c.kill('SIGKILL');
      await finished;
    },
  };
}
