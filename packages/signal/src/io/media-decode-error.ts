/** Stable codes of MediaDecodeError. */
export type MediaDecodeErrorCode =
  /** The input is not a video ffmpeg can read (or has no video stream). */
  | 'NOT_A_VIDEO'
  /** The JPEG bytes are not a decodable image. */
  | 'CORRUPT_IMAGE'
  /** The image or frame is larger than the configured limit. */
  | 'IMAGE_TOO_LARGE'
  /** The video is longer than the configured limit. */
  | 'VIDEO_TOO_LONG'
  /** ffmpeg/ffprobe is not installed or could not be started. */
  | 'DECODER_UNAVAILABLE'
  /** ffmpeg stopped with an error while decoding. */
  | 'DECODE_FAILED';

/**
 * A typed failure of the image and video decoders, with a stable `code` a server maps to a 4xx
 * (bad upload) or 5xx (decoder missing) without parsing messages.
 */
export class MediaDecodeError extends Error {
  override readonly name = 'MediaDecodeError';
  readonly code: MediaDecodeErrorCode;
  /** The argument at fault, e.g. `source` or `bytes`. */
  readonly field: string;

  constructor(code: MediaDecodeErrorCode, field: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.field = field;
  }
}
