/**
 * Writes a synthetic rPPG test video: the public-domain face of assets/ whose skin pulses at a
 * known rate with a real PPG beat shape (createFaceVideoSynth), as .y4m (for Chromium's
 * --use-file-for-fake-video-capture) or .mp4/.mov/.webm/.avi through ffmpeg. Prints the truth as
 * JSON (mean rate, frames, size) on stdout.
 *
 * npm run rppg:make-video -- --bpm 72 --out x.y4m [--duration 20] [--fps 30] [--width 640]
 *   [--height 480] [--amplitude 0.006] [--noise 2] [--motion-px 0] [--motion-hz 0.3]
 *   [--flicker 0] [--flicker-hz 1.5] [--drift 0] [--wander 1] [--seed 1] [--crf 12]
 */
import { parseArgs } from 'node:util';
import { loadSynthFace } from '../io/load-synth-face.js';
import { writeSynthVideo } from '../io/write-synth-video.js';
import { createFaceVideoSynth } from '../rppg/synth/create-face-video-synth.js';

const { values } = parseArgs({
  options: {
    bpm: { type: 'string', default: '72' },
    out: { type: 'string' },
    duration: { type: 'string', default: '20' },
    fps: { type: 'string', default: '30' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '480' },
    amplitude: { type: 'string', default: '0.006' },
    noise: { type: 'string', default: '2' },
    'motion-px': { type: 'string', default: '0' },
    'motion-hz': { type: 'string', default: '0.3' },
    flicker: { type: 'string', default: '0' },
    'flicker-hz': { type: 'string', default: '1.5' },
    drift: { type: 'string', default: '0' },
    wander: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    crf: { type: 'string', default: '12' },
  },
});

function num(name: keyof typeof values): number {
  const raw = values[name];
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value)) {
    console.error(`--${name} must be a number (got ${String(raw)})`);
    process.exit(2);
  }
  return value;
}

if (values.out === undefined) {
  console.error('usage: npm run rppg:make-video -- --bpm 72 --out x.y4m [options]');
  process.exit(2);
}
const face = await loadSynthFace();
const synth = createFaceVideoSynth({
  face,
  bpm: num('bpm'),
  durationSeconds: num('duration'),
  fps: num('fps'),
  width: num('width'),
  height: num('height'),
  pulseAmplitude: num('amplitude'),
  noiseSd: num('noise'),
  motionPx: num('motion-px'),
  motionHz: num('motion-hz'),
  flickerAmplitude: num('flicker'),
  flickerHz: num('flicker-hz'),
  lightingDrift: num('drift'),
  bpmWanderSd: num('wander'),
  seed: num('seed'),
});
const written = await writeSynthVideo(synth, values.out, { crf: num('crf') });
console.log(
  JSON.stringify({
    out: values.out,
    frames: written.frames,
    width: synth.width,
    height: synth.height,
    fps: synth.fps,
    meanBpm: Math.round(synth.meanBpm * 100) / 100,
  }),
);
