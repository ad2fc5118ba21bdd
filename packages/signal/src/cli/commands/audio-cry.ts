import { detectCry, type CryDetection } from '../../audio/detect-cry.js';
import { decodeAudio } from '../../io/decode-audio.js';
import type { CliCommand } from '../cli-command.js';

/** Output of `vigil-signal audio cry <file> --json`. */
export interface AudioCryResult {
  file: string;
  durationS: number;
  /** Probability (0–1) that the clip contains crying. */
  probability: number;
  /** Probability for each second. */
  per_second: number[];
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Decodes an audio file with ffmpeg at the model's 8 kHz and runs `detectCry` on it. The command
 * and `npm run eval:cry` both call this, so the evaluation measures exactly what the command
 * prints.
 *
 * @param path any audio file ffmpeg reads (WAV, MP3, M4A, OGG, FLAC, WebM, 3GP, CAF, …)
 */
export async function audioCry(path: string, maxSeconds = 600): Promise<AudioCryResult> {
  const audio = await decodeAudio(path, { sampleRateHz: 8000, maxSeconds });
  const r: CryDetection = detectCry(audio.samples, audio.sampleRateHz);
  return {
    file: path,
    durationS: round3(audio.durationS),
    probability: round3(r.probability),
    per_second: r.perSecond.map(round3),
  };
}

export const audioCryCommand: CliCommand = {
  path: ['audio', 'cry'],
  summary: 'infant cry probability of an audio file, for the clip and for each second',
  args: '<file> [--json]',
  options: {
    json: { type: 'boolean', description: 'print {"probability", "per_second"} as JSON' },
  },
  async run({ positionals, values, io }) {
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) {
      io.stderr('error: give exactly one audio file\nvigil-signal audio cry <file> [--json]\n');
      return 2;
    }
    const r = await audioCry(file);
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ probability: r.probability, per_second: r.per_second })}\n`);
      return 0;
    }
    io.stdout(
      `${file}: ${r.durationS.toFixed(1)} s, cry probability ${r.probability.toFixed(2)} ` +
        `(${r.probability >= 0.5 ? 'crying' : 'not crying'})\n` +
        `  per second: ${r.per_second.map((p) => p.toFixed(2)).join(' ')}\n`,
    );
    return 0;
  },
};
