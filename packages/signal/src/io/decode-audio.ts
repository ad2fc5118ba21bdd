import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import decodeWav from '@audio/decode-wav';
import { SignalInputError } from '../errors.js';
import { AudioDecodeError } from './audio-decode-error.js';

export interface DecodeAudioOptions {
  /** Sample rate of the returned samples, Hz. Default 8000 (the cry model's rate). */
  sampleRateHz?: number;
  /** Longest audio accepted, s; longer input is an `AUDIO_TOO_LONG` error. Default 600. */
  maxSeconds?: number;
  /** Largest input accepted, bytes; larger is `AUDIO_TOO_LARGE`. Default 50 MiB. */
  maxBytes?: number;
  /** The ffmpeg executable. Default `ffmpeg` (Debian's package, found on PATH). */
  ffmpegPath?: string;
  /** Decoding time limit, ms; past it ffmpeg is killed and the input is undecodable. Default 60000. */
  timeoutMs?: number;
}

/** Output of `decodeAudio`. */
export interface DecodedAudio {
  /** Mono samples (channels averaged), full scale ±1. */
  samples: Float32Array;
  sampleRateHz: number;
  durationS: number;
}

function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  maxOutBytes: number,
  timeoutMs: number,
): Promise<{ code: number | null; out: Buffer; stderr: string; truncated: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      size += chunk.length;
      if (size > maxOutBytes) {
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out: Buffer.concat(chunks), stderr, truncated });
    });
  });
}

/**
 * Decodes an audio file or its bytes (WAV PCM/float, MP3, M4A/AAC, OGG Vorbis/Opus, FLAC, WebM,
 * 3GP/AMR, CAF/IMA-ADPCM and whatever else Debian's ffmpeg reads) to mono 32-bit float PCM at
 * `sampleRateHz`, by running ffmpeg as a child process (no codec is written here). Bytes are
 * written to a private temporary file first, because MP4-family containers (M4A, 3GP) may keep
 * their index at the end and cannot be decoded from a pipe.
 *
 * @param input a file path, or the file's bytes
 * @throws AudioDecodeError `UNDECODABLE_AUDIO` (not audio, corrupt, no audio stream),
 *   `AUDIO_TOO_LARGE`, `AUDIO_TOO_LONG`, `DECODER_UNAVAILABLE` (ffmpeg missing)
 */
export async function decodeAudio(
  input: string | Uint8Array,
  options: DecodeAudioOptions = {},
): Promise<DecodedAudio> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'input', 'input must be a path or bytes');
  }
  const sampleRateHz = options.sampleRateHz ?? 8000;
  const maxSeconds = options.maxSeconds ?? 600;
  const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  const timeoutMs = options.timeoutMs ?? 60000;
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 1000 || sampleRateHz > 192000) {
    throw new SignalInputError(
      'INVALID_SAMPLE_RATE',
      'options.sampleRateHz',
      'sampleRateHz must be an integer from 1000 to 192000 Hz',
    );
  }
  if (!(maxSeconds > 0) || !(maxBytes > 0)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.maxSeconds',
      'maxSeconds and maxBytes must be positive',
    );
  }
  const size = typeof input === 'string' ? (await stat(input)).size : input.length;
  if (size > maxBytes) {
    throw new AudioDecodeError(
      'AUDIO_TOO_LARGE',
      'audio',
      `audio is ${size} bytes, more than the ${maxBytes} allowed`,
    );
  }
  if (size === 0) {
    throw new AudioDecodeError('UNDECODABLE_AUDIO', 'audio', 'audio is empty');
  }
  if (typeof input !== 'string') {
    const inProcess = decodeWavAtRate(input, sampleRateHz, maxSeconds);
    if (inProcess !== null) return inProcess;
  }
  let tempDir: string | undefined;
  try {
    let path: string;
    if (typeof input === 'string') {
      path = input;
    } else {
      tempDir = await mkdtemp(join(tmpdir(), 'vigil-audio-'));
      path = join(tempDir, 'input');
      await writeFile(path, input);
    }
    // "file:" keeps a path that looks like a URL or protocol from being opened as one.
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', `file:${path}`];
    args.push('-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(sampleRateHz));
    args.push('-t', String(maxSeconds + 1), '-f', 'f32le', 'pipe:1');
    const maxOutBytes = Math.ceil((maxSeconds + 1) * sampleRateHz) * 4;
    let result: Awaited<ReturnType<typeof runFfmpeg>>;
    try {
      result = await runFfmpeg(ffmpegPath, args, maxOutBytes, timeoutMs);
    } catch (error) {
      throw new AudioDecodeError(
        'DECODER_UNAVAILABLE',
        'options.ffmpegPath',
        `cannot run ${ffmpegPath}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const nSamples = Math.floor(result.out.length / 4);
    const durationS = nSamples / sampleRateHz;
    if (result.truncated || durationS > maxSeconds) {
      throw new AudioDecodeError(
        'AUDIO_TOO_LONG',
        'audio',
        `audio is longer than the ${maxSeconds} s allowed`,
      );
    }
    if (result.code !== 0 || nSamples === 0) {
      const reason = result.stderr.trim().split('\n').pop() ?? '';
      throw new AudioDecodeError(
        'UNDECODABLE_AUDIO',
        'audio',
        `not a decodable audio file${reason === '' ? '' : ` (${reason.replace(/^.*?: /, '')})`}`,
      );
    }
    const samples = new Float32Array(nSamples);
    for (let i = 0; i < nSamples; i++) {
      const v = result.out.readFloatLE(i * 4);
      samples[i] = Number.isFinite(v) ? v : 0;
    }
    return { samples, sampleRateHz, durationS };
  } finally {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  }
}

/**
 * A WAV file already at `sampleRateHz` (what monitors and phone recorders commonly upload, and the
 * cry model's 8 kHz) decoded in this process by `@audio/decode-wav` (PCM, float, A-law, µ-law,
 * ADPCM): starting ffmpeg costs more than the cry analysis itself. Anything else (another rate,
 * not WAV, a WAV the library refuses) returns null and goes to ffmpeg, which also words the errors.
 */
function decodeWavAtRate(
  bytes: Uint8Array,
  sampleRateHz: number,
  maxSeconds: number,
): DecodedAudio | null {
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 44 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    // A copy: the library views float data in place, which needs an aligned buffer (a Node
    // Buffer may sit anywhere in its pool).
    decoded = decodeWav(new Uint8Array(bytes));
  } catch {
    return null;
  }
  const channels = decoded.channelData;
  const n = channels[0]?.length ?? 0;
  if (decoded.sampleRate !== sampleRateHz || n === 0) return null;
  const durationS = n / sampleRateHz;
  if (durationS > maxSeconds)
    throw new AudioDecodeError(
      'AUDIO_TOO_LONG',
      'audio',
      `audio is longer than the ${maxSeconds} s allowed`,
    );
  const samples = new Float32Array(n);
  for (const channel of channels)
    for (let i = 0; i < n; i++)
      samples[i] = (samples[i] ?? 0) + (channel[i] ?? 0) / channels.length;
  for (let i = 0; i < n; i++) if (!Number.isFinite(samples[i])) samples[i] = 0;
  return { samples, sampleRateHz, durationS };
}
