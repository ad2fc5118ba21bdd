import { AF_MIN_DURATION_MS } from '../../arrhythmia/create-rhythm-tracker.js';
import { SignalInputError } from '../../errors.js';
import type { CliCommand } from '../cli-command.js';
import { recordArguments } from '../record-arguments.js';
import { analyzeRecordArrhythmia } from './ecg-beats.js';

export const ecgRhythmCommand: CliCommand = {
  path: ['ecg', 'rhythm'],
  summary: 'rhythm episodes of a WFDB record (AF, VT, runs, pauses, brady/tachycardia)',
  args: '<record> [--channel N] [--annotations] [--af-min-duration MS] [--json]',
  options: {
    channel: {
      type: 'string',
      short: 'c',
      description: 'signal index, default lead MLII or II, else 0',
    },
    annotations: {
      type: 'boolean',
      description: 'use the beats of <record>.atr instead of detecting them',
    },
    'af-min-duration': {
      type: 'string',
      description:
        'shortest AF run in ms listed as an episode, default 0: every AF episode the detector ' +
        `finds, as ANSI/AAMI EC57 scores them; each says whether it reached the live alarm's ` +
        `${String(AF_MIN_DURATION_MS)} ms`,
    },
    json: {
      type: 'boolean',
      description:
        'print {"fs": Hz, "episodes": [{"rhythm", "start", "end", ..., "alarm" (AF only)}], "withheld"}',
    },
  },
  async run({ positionals, values, io }) {
    const { recordPath, channel, useAnnotations } = recordArguments(positionals, values);
    const minText = values['af-min-duration'];
    const afMinDurationMs = typeof minText === 'string' ? Number(minText) : 0;
    if (typeof minText === 'string' && !(/^\d+$/.test(minText) && afMinDurationMs >= 0)) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'af-min-duration',
        `--af-min-duration must be an integer number of ms ≥ 0, got "${minText}"`,
      );
    }
    // An offline report lists every AF run the detector finds (a clinician reviewing a Holter
    // sees the short paroxysms too, and EC57 scores them); the live monitor's alert waits for
    // AF_MIN_DURATION_MS, so each AF episode says whether it would have raised one.
    const r = await analyzeRecordArrhythmia(recordPath, channel, useAnnotations, {
      afMinDurationMs,
    });
    const alarmSamples = (AF_MIN_DURATION_MS * r.fs) / 1000;
    const episodes = r.episodes.map((e) => ({
      rhythm: e.rhythm,
      start: e.start,
      end: e.end,
      beats: e.beats,
      meanBpm: e.meanBpm === null ? null : Math.round(e.meanBpm * 10) / 10,
      maxRrMs: Math.round(e.maxRrMs),
      ...(e.rhythm === 'AF' ? { alarm: (e.end ?? e.start) - e.start >= alarmSamples } : {}),
    }));
    if (values.json === true) {
      io.stdout(
        `${JSON.stringify({ fs: r.fs, record: r.record, channel: r.channel, signal: r.signal, episodes, burden: r.burden, withheld: r.withheld })}\n`,
      );
      return 0;
    }
    const time = (s: number): string => {
      const t = s / r.fs;
      const m = Math.floor(t / 60);
      return `${String(m).padStart(2, '0')}:${(t - 60 * m).toFixed(1).padStart(4, '0')}`;
    };
    const lines = episodes.map(
      (e) =>
        `  ${e.rhythm.padEnd(8)} ${time(e.start)} - ${time(e.end ?? e.start)}  ${e.beats} beats` +
        `${e.meanBpm === null ? '' : `, ${e.meanBpm} bpm`}${e.rhythm === 'PAUSE' ? `, ${e.maxRrMs} ms` : ''}` +
        (e.alarm === false ? ', shorter than the alarm minimum' : ''),
    );
    io.stdout(
      `${recordPath} ${r.signal}: ${episodes.length} episodes` +
        `${r.withheld === null ? '' : ` (findings withheld: ${r.withheld})`}\n${lines.join('\n')}\n`,
    );
    return 0;
  },
};
