import { readFileSync } from 'node:fs';

/** A committed audio clip the simulated monitor uploads (see assets/baby-monitor/NOTICE.md). */
export interface BabyClip {
  name: string;
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** Whether the clip is an infant cry (the simulator's truth, not the server's verdict). */
  isCry: boolean;
}

const CLIPS: readonly { name: string; isCry: boolean }[] = [
  { name: 'cry-discomfort-4s.wav', isCry: true },
  { name: 'cry-tired-4s.wav', isCry: true },
  { name: 'soothing-speech-espeak-4s.wav', isCry: false },
  { name: 'room-noise-sox-2s.wav', isCry: false },
];

/** Reads the four committed clips: two real cries (Donate-a-Cry) and two generated non-cries. */
export function loadBabyClips(): { cries: BabyClip[]; quiet: BabyClip[] } {
  const all = CLIPS.map((c) => ({
    name: c.name,
    contentType: 'audio/wav',
    isCry: c.isCry,
    bytes: new Uint8Array(
      readFileSync(new URL(`../assets/baby-monitor/${c.name}`, import.meta.url)),
    ),
  }));
  return { cries: all.filter((c) => c.isCry), quiet: all.filter((c) => !c.isCry) };
}
