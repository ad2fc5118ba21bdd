/**
 * Why `decodeAudio` could not return samples. The server maps `UNDECODABLE_AUDIO` to 415,
 * `AUDIO_TOO_LARGE` and `AUDIO_TOO_LONG` to 413, and `DECODER_UNAVAILABLE` (ffmpeg missing or
 * failing to start: a deployment fault, not the client's) to 500.
 */
export type AudioDecodeErrorCode =
  'UNDECODABLE_AUDIO' | 'AUDIO_TOO_LARGE' | 'AUDIO_TOO_LONG' | 'DECODER_UNAVAILABLE';

export class AudioDecodeError extends Error {
  override readonly name = 'AudioDecodeError';
  readonly code: AudioDecodeErrorCode;
  /** The input at fault: `audio` (the bytes or file) or `options.ffmpegPath`. */
  readonly field: string;

  constructor(code: AudioDecodeErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}
