import type { CliCommand } from '../cli-command.js';
import { recordArguments } from '../record-arguments.js';
import { analyzeRecordArrhythmia } from './ecg-beats.js';

export const ecgRhythmCommand: CliCommand = {
  path: ['ecg', 'rhythm'],
  summary: 'rhythm episodes of a WFDB record (AF, VT, runs, pauses, brady/tachycardia)',
  args: '<record> [--channel N] [--annotations] [--json]',
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
    json: {
      type: 'boolean',
      description: 'print {"fs": Hz, "episodes": [{"rhythm", "start", "end", ...}], "withheld"}',
    },
  },
  async run({ positionals, values, io }) {
    const { recordPath, channel, useAnnotations } = recordArguments(positionals, values);
    const r = await analyzeRecordArrhythmia(recordPath, channel, useAnnotations);
    const episodes = r.episodes.map((e) => ({
      rhythm: e.rhythm,
      start: e.start,
      end: e.end,
      beats: e.beats,
      meanBpm: e.meanBpm === null ? null : Math.round(e.meanBpm * 10) / 10,
      maxRrMs: Math.round(e.maxRrMs),
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
        `${e.meanBpm === null ? '' : `, ${e.meanBpm} bpm`}${e.rhythm === 'PAUSE' ? `, ${e.maxRrMs} ms` : ''}`,
    );
    io.stdout(
      `${recordPath} ${r.signal}: ${episodes.length} episodes` +
        `${r.withheld === null ? '' : ` (findings withheld: ${r.withheld})`}\n${lines.join('\n')}\n`,
    );
    return 0;
  },
};
