import type { CliCommand } from '../cli-command.js';
import { audioCryCommand } from './audio-cry.js';
import { ecgBeatsCommand } from './ecg-beats.js';
import { ecgDetectCommand } from './ecg-detect.js';
import { ecgHrvCommand } from './ecg-hrv.js';
import { ecgRhythmCommand } from './ecg-rhythm.js';

/**
 * Every `vigil-signal` command, in help order. To add one, write `src/cli/commands/<name>.ts`
 * exporting a `CliCommand` and add it here (one line).
 */
export const commands: readonly CliCommand[] = [
  ecgDetectCommand,
  ecgBeatsCommand,
  ecgRhythmCommand,
  ecgHrvCommand,
  audioCryCommand,
];
