import { detectQrs } from '../../ecg/detect-qrs.js';
import { SignalInputError } from '../../errors.js';
import { readWfdbRecord } from '../../io/read-wfdb-record.js';
import type { WfdbRecord } from '../../io/wfdb-types.js';
import type { CliCommand } from '../cli-command.js';
import { recordArguments } from '../record-arguments.js';

/** Output of `vigil-signal ecg detect <record> --json`. */
export interface EcgDetectResult {
  /** Sampling frequency of the record in Hz. */
  fs: number;
  /** R-peak sample indices in the record's own sampling. */
  peaks: number[];
}

/** Picks channel `channel` of a record or throws a typed error naming the channel. */
export function recordChannel(record: WfdbRecord, channel: number): Float64Array {
  if (!Number.isInteger(channel) || channel < 0) {
    throw new SignalInputError('INVALID_ARGUMENT', 'channel', 'channel must be an integer ≥ 0');
  }
  const signal = record.signals[channel];
  if (signal === undefined) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'channel',
      `record ${record.name} has ${record.signals.length} signals, no channel ${channel}`,
    );
  }
  return signal.physical;
}

/**
 * Detects the R peaks of one channel of a decoded record with `detectQrs` (default options).
 * `vigil-signal ecg detect` and `bench/qrs.ts` both call this, so the benchmark scores exactly
 * what the command prints.
 */
export function detectRecordPeaks(record: WfdbRecord, channel = 0): EcgDetectResult {
  const ecg = recordChannel(record, channel);
  const peaks = detectQrs(ecg, { fs: record.fs });
  return { fs: record.fs, peaks: Array.from(peaks) };
}

/** Reads a WFDB record (path without extension) and detects its R peaks on `channel`. */
export async function ecgDetect(recordPath: string, channel = 0): Promise<EcgDetectResult> {
  return detectRecordPeaks(await readWfdbRecord(recordPath), channel);
}

export const ecgDetectCommand: CliCommand = {
  path: ['ecg', 'detect'],
  summary: 'detect R peaks (QRS complexes) in one channel of a WFDB record',
  args: '<record> [--channel N] [--json]',
  options: {
    channel: { type: 'string', short: 'c', description: 'signal index, default 0' },
    json: { type: 'boolean', description: 'print {"fs": Hz, "peaks": [sample indices]}' },
  },
  async run({ positionals, values, io }) {
    const args = recordArguments(positionals, values);
    const { recordPath } = args;
    const channel = args.channel ?? 0;
    const result = await ecgDetect(recordPath, channel);
    if (values.json === true) {
      io.stdout(`${JSON.stringify(result)}\n`);
    } else {
      const n = result.peaks.length;
      const first = result.peaks[0];
      const last = result.peaks[n - 1];
      const meanHr =
        n > 1 && first !== undefined && last !== undefined
          ? ((n - 1) * 60 * result.fs) / (last - first)
          : null;
      io.stdout(
        `${recordPath} channel ${channel}: ${n} beats at ${result.fs} Hz` +
          (meanHr === null ? '\n' : `, mean heart rate ${meanHr.toFixed(1)} bpm\n`),
      );
    }
    return 0;
  },
};
