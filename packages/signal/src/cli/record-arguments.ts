import { SignalInputError } from '../errors.js';

/** Parses the shared `<record> [--channel N] [--annotations]` arguments. */
export function recordArguments(
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
): { recordPath: string; channel: number | null; useAnnotations: boolean } {
  const [recordPath, ...extra] = positionals;
  if (recordPath === undefined || extra.length > 0) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'record',
      'give exactly one record path (without extension)',
    );
  }
  const channelText = values.channel;
  if (typeof channelText === 'string' && !/^\d+$/.test(channelText)) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'channel',
      `--channel must be an integer ≥ 0, got "${channelText}"`,
    );
  }
  return {
    recordPath,
    channel: typeof channelText === 'string' ? Number(channelText) : null,
    useAnnotations: values.annotations === true,
  };
}
