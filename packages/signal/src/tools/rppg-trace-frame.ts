/**
 * One frame of a dumped camera trace (dump-rppg-traces.ts writes them, rppg-trace-windows.ts
 * replays them): what the estimator consumed from the frame.
 */
export interface RppgTraceFrame {
  i: number;
  /** Frame time, ms. */
  t: number;
  face: boolean;
  /** Mean skin RGB of the smoothed face box, 0–255. */
  r: number;
  g: number;
  b: number;
  /** The detector's raw box [x, y, width, height], px; null without a face. */
  box: [number, number, number, number] | null;
  /** The live estimator's number, bpm, to check the replay. */
  bpm: number | null;
}
