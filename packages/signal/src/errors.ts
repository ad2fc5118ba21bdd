/**
 * Typed input errors of the signal library. Every public function checks its input on its first
 * line and throws a `SignalInputError` naming the field at fault and a stable `code`, so callers
 * (the server's error handler, the CLI) can report the problem without parsing messages.
 */
export type SignalInputErrorCode =
  | 'EMPTY_INPUT'
  | 'NON_FINITE_SAMPLE'
  | 'INVALID_SAMPLE_RATE'
  | 'SAMPLE_RATE_OUT_OF_RANGE'
  | 'INVALID_OPTION'
  | 'INVALID_HEADER'
  | 'UNSUPPORTED_FORMAT'
  | 'TRUNCATED_DATA'
  | 'INVALID_ANNOTATIONS'
  | 'INVALID_ARGUMENT';

export class SignalInputError extends Error {
  override readonly name = 'SignalInputError';
  readonly code: SignalInputErrorCode;
  /** The parameter or option (dotted path) whose value broke the rule, e.g. `options.fs`. */
  readonly field: string;

  constructor(code: SignalInputErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}
