import { analyzeArrhythmia } from '../../arrhythmia/analyze-arrhythmia.js';
import type { ArrhythmiaAnalysis } from '../../arrhythmia/analyze-arrhythmia.js';
import type { ArrhythmiaMonitorOptions } from '../../arrhythmia/create-arrhythmia-monitor.js';
import { detectQrs } from '../../ecg/detect-qrs.js';
import { isBeatSymbol } from '../../ecg/beat-symbols.js';
import { readAnnotations } from '../../io/read-annotations.js';
import { readWfdbRecord } from '../../io/read-wfdb-record.js';
import type { CliCommand } from '../cli-command.js';
import { recordArguments } from '../record-arguments.js';
import { recordChannel } from './ecg-detect.js';

export interface RecordArrhythmia extends ArrhythmiaAnalysis {
  record: string;
  channel: number;
  /** Description of the analysed signal, e.g. `MLII`. */
  signal: string;
  /** Where the beat positions came from. */
  peaks: 'detectQrs' | 'annotations';
}

/**
 * Reads a WFDB record and runs the arrhythmia analysis on one channel (default: lead MLII or II
 * when the record has one, else channel 0), on beats found by `detectQrs` or, with
 * `useAnnotations`, on the beat positions of the record's `.atr` file.
 */
export async function analyzeRecordArrhythmia(
  recordPath: string,
  channel: number | null = null,
  useAnnotations = false,
  options: Omit<ArrhythmiaMonitorOptions, 'fs'> = {},
): Promise<RecordArrhythmia> {
  const record = await readWfdbRecord(recordPath);
  // Limb lead II (MLII on Holter records) shows the largest QRS and P waves in most people.
  const lead = (name: string): number =>
    record.signals.findIndex((s) => s.description.toUpperCase() === name);
  const ii = lead('MLII') >= 0 ? lead('MLII') : lead('II');
  const ch = channel ?? (ii >= 0 ? ii : 0);
  const ecg = recordChannel(record, ch);
  const peaks = useAnnotations
    ? Int32Array.from(
        (await readAnnotations(recordPath)).filter((a) => isBeatSymbol(a.symbol)),
        (a) => a.sample,
      )
    : detectQrs(ecg, { fs: record.fs });
  return {
    record: record.name,
    channel: ch,
    signal: record.signals[ch]?.description ?? '',
    peaks: useAnnotations ? 'annotations' : 'detectQrs',
    ...analyzeArrhythmia(ecg, record.fs, peaks, options),
  };
}

export const ecgBeatsCommand: CliCommand = {
  path: ['ecg', 'beats'],
  summary: 'classify every beat of a WFDB record (AAMI N, SVEB, VEB, F, Q)',
  args: '<record> [--channel N] [--annotations] [--json]',
  options: {
    channel: {
      type: 'string',
      short: 'c',
      description: 'signal index, default lead MLII or II, else 0',
    },
    annotations: {
      type: 'boolean',
      description: 'classify the beats of <record>.atr instead of detecting them',
    },
    json: {
      type: 'boolean',
      description: 'print {"fs": Hz, "beats": [{"sample", "class"}], "burden", "withheld"}',
    },
  },
  async run({ positionals, values, io }) {
    const { recordPath, channel, useAnnotations } = recordArguments(positionals, values);
    const r = await analyzeRecordArrhythmia(recordPath, channel, useAnnotations);
    if (values.json === true) {
      io.stdout(
        `${JSON.stringify({ fs: r.fs, record: r.record, channel: r.channel, signal: r.signal, beats: r.beats, burden: r.burden, withheld: r.withheld })}\n`,
      );
      return 0;
    }
    const counts: Record<string, number> = { N: 0, SVEB: 0, VEB: 0, F: 0, Q: 0 };
    for (const b of r.beats) counts[b.class] = (counts[b.class] ?? 0) + 1;
    io.stdout(
      `${recordPath} ${r.signal} (channel ${r.channel}), ${r.beats.length} beats at ${r.fs} Hz: ` +
        `${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}; VEB ${r.burden.vebPercent.toFixed(1)}% (${r.burden.vebPerHour.toFixed(0)}/h), ` +
        `SVEB ${r.burden.svebPercent.toFixed(1)}% (${r.burden.svebPerHour.toFixed(0)}/h)` +
        `${r.withheld === null ? '' : `; findings withheld: ${r.withheld}`}\n`,
    );
    return 0;
  },
};
