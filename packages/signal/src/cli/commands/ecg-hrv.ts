import { classifyBeats } from '../../arrhythmia/classify-beats.js';
import { hrvReport, type HrvReport } from '../../hrv/hrv-report.js';
import { readWfdbRecord } from '../../io/read-wfdb-record.js';
import type { CliCommand } from '../cli-command.js';
import { recordArguments } from '../record-arguments.js';
import { detectRecordPeaks } from './ecg-detect.js';

/** Output of `vigil-signal ecg hrv <record> --json`. */
export interface EcgHrvResult extends HrvReport {
  record: string;
  channel: number;
  /** Description of the analysed signal, e.g. `MLII`. */
  signal: string;
  /** Source of the beats: the QRS detector (`detectQrs`, default options). */
  beats: 'detectQrs';
  /** Source of the normal/ectopic labels used for NN: none (20 % rule only) or `classifyBeats`. */
  labels: 'none' | 'classifyBeats';
}

/**
 * Reads a WFDB record, detects its beats on one channel exactly as `vigil-signal ecg detect` does
 * and computes every HRV measure with `hrvReport`. NN intervals come from the 20 % rule alone, or,
 * with `classify`, also require both beats to be classified `N` by `classifyBeats` (morphology
 * catches ectopic beats that are not premature, e.g. fusion beats and late PVCs). The command and
 * `bench/hrv.ts` both call this, so the benchmark measures what the command prints.
 *
 * @param recordPath record path without extension
 * @param channel signal index (default 0)
 */
export async function ecgHrv(
  recordPath: string,
  channel = 0,
  options: { classify?: boolean } = {},
): Promise<EcgHrvResult> {
  const record = await readWfdbRecord(recordPath);
  const { fs, peaks } = detectRecordPeaks(record, channel);
  const ecg = record.signals[channel]?.physical ?? new Float64Array(0);
  const beatIsNormal =
    options.classify === true ? classifyBeats(ecg, fs, peaks).map((c) => c === 'N') : undefined;
  return {
    record: record.name,
    channel,
    signal: record.signals[channel]?.description ?? '',
    beats: 'detectQrs',
    labels: beatIsNormal === undefined ? 'none' : 'classifyBeats',
    ...hrvReport(peaks, fs, { beatIsNormal }),
  };
}

const f1 = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(1));

export const ecgHrvCommand: CliCommand = {
  path: ['ecg', 'hrv'],
  summary: 'heart-rate variability (time, frequency, Poincaré) of one channel of a WFDB record',
  args: '<record> [--channel N] [--classify] [--json]',
  options: {
    channel: { type: 'string', short: 'c', description: 'signal index, default 0' },
    classify: {
      type: 'boolean',
      description: 'keep as NN only beats that classifyBeats calls normal (plus the 20 % rule)',
    },
    json: { type: 'boolean', description: 'print every measure as JSON (ms, ms², bpm, %)' },
  },
  async run({ positionals, values, io }) {
    const args = recordArguments(positionals, values);
    const { recordPath } = args;
    const channel = args.channel ?? 0;
    const r = await ecgHrv(recordPath, channel, { classify: values.classify === true });
    if (values.json === true) {
      io.stdout(`${JSON.stringify(r)}\n`);
      return 0;
    }
    const t = r.timeDomain;
    const fd = r.frequencyDomain;
    const p = r.poincare;
    io.stdout(
      `${recordPath} channel ${channel} (${r.signal}): ${r.nBeats} beats, ` +
        `${r.nn.nKept} of ${r.nn.nRr} intervals kept as NN (labels: ${r.labels})\n` +
        `  time: mean NN ${f1(t?.meanNnMs)} ms, SDNN ${f1(t?.sdnnMs)} ms, RMSSD ${f1(t?.rmssdMs)} ms, ` +
        `pNN50 ${f1(t?.pnn50)} %, HR ${f1(t?.hrMeanBpm)} bpm (${f1(t?.hrMinBpm)}–${f1(t?.hrMaxBpm)})\n` +
        `  frequency (Lomb–Scargle): VLF ${f1(fd?.vlfMs2)} LF ${f1(fd?.lfMs2)} HF ${f1(fd?.hfMs2)} ms², ` +
        `LF/HF ${fd?.lfHfRatio.toFixed(2) ?? '—'}\n` +
        `  Poincaré: SD1 ${f1(p?.sd1Ms)} ms, SD2 ${f1(p?.sd2Ms)} ms\n` +
        r.notes.map((n) => `  note: ${n}\n`).join(''),
    );
    return 0;
  },
};
