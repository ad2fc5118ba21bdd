/**
 * Pure drawing math for the ECG strip: paper millimetres to pixels, the standard grid, and
 * samples to polylines with gaps kept as gaps. No DOM here, so it is unit-tested in Node.
 *
 * Conventions of the paper ECG (AHA/ACC/HRS recommendations for the standardization of the
 * electrocardiogram, Kligfield et al., Circulation 2007): paper speed 25 mm/s, gain 10 mm/mV,
 * minor grid every 1 mm (40 ms, 0.1 mV), major grid every 5 mm (200 ms, 0.5 mV).
 */

/** CSS pixels per millimetre at the CSS reference density (96 px per inch, 25.4 mm per inch). */
export const CSS_PX_PER_MM = 96 / 25.4;

export interface EcgPaper {
  /** Device pixels per millimetre of paper (CSS_PX_PER_MM × devicePixelRatio by default). */
  pxPerMm: number;
  /** Paper speed in mm/s; 25 is the standard. */
  speedMmPerS: number;
  /** Gain in mm/mV; 10 is the standard. */
  gainMmPerMv: number;
}

export const STANDARD_PAPER: EcgPaper = {
  pxPerMm: CSS_PX_PER_MM,
  speedMmPerS: 25,
  gainMmPerMv: 10,
};

/** One received piece of waveform: uniformly sampled from `startMs`. NaN samples are gaps. */
export interface EcgChunk {
  /** Epoch milliseconds of the first sample. */
  startMs: number;
  /** Sampling frequency in Hz. */
  fsHz: number;
  /** Amplitudes in mV. */
  samplesMv: ArrayLike<number>;
}

function assertPaper(paper: EcgPaper): void {
  if (!(paper.pxPerMm > 0) || !(paper.speedMmPerS > 0) || !(paper.gainMmPerMv > 0)) {
    throw new RangeError('pxPerMm, speedMmPerS and gainMmPerMv must be positive');
  }
}

/** Duration in ms that a strip `widthPx` wide shows at the paper's speed. */
export function visibleDurationMs(widthPx: number, paper: EcgPaper = STANDARD_PAPER): number {
  assertPaper(paper);
  return (widthPx / paper.pxPerMm / paper.speedMmPerS) * 1000;
}

export interface GridLines {
  /** x positions (px) of minor (1 mm) and major (5 mm) vertical lines. */
  minorX: number[];
  majorX: number[];
  /** y positions (px) of minor and major horizontal lines. */
  minorY: number[];
  majorY: number[];
}

/**
 * Grid line positions for a strip. Vertical lines scroll with the paper: `phaseMs` is the time at
 * the left edge, so a line sits wherever a whole millimetre of paper time falls.
 */
export function gridLines(
  widthPx: number,
  heightPx: number,
  paper: EcgPaper = STANDARD_PAPER,
  phaseMs = 0,
): GridLines {
  assertPaper(paper);
  const out: GridLines = { minorX: [], majorX: [], minorY: [], majorY: [] };
  const mmPerMs = paper.speedMmPerS / 1000;
  const leftMm = phaseMs * mmPerMs;
  const firstMm = Math.ceil(leftMm - 1e-9);
  const widthMm = widthPx / paper.pxPerMm;
  for (let mm = firstMm; mm - leftMm <= widthMm + 1e-9; mm++) {
    const x = (mm - leftMm) * paper.pxPerMm + 0; // + 0 turns -0 into 0
    (((mm % 5) + 5) % 5 === 0 ? out.majorX : out.minorX).push(x);
  }
  // Horizontal lines are anchored to the baseline (middle of the strip) so 0 mV sits on a major line.
  const mid = heightPx / 2;
  const halfMm = Math.floor(mid / paper.pxPerMm);
  for (let mm = -halfMm; mm <= halfMm; mm++) {
    const y = mid + mm * paper.pxPerMm;
    (mm % 5 === 0 ? out.majorY : out.minorY).push(y);
  }
  return out;
}

export interface StripLayout {
  widthPx: number;
  heightPx: number;
  /** Epoch ms shown at the right edge (the newest instant on screen). */
  nowMs: number;
  paper?: EcgPaper;
  /**
   * Two consecutive samples further apart than this are not joined. Default: 1.5 sample periods,
   * so a missing packet, a late device or a lead-off stretch shows as blank paper, never as a
   * straight line that looks like asystole.
   */
  gapToleranceSamples?: number;
}

/**
 * Polylines (flat [x0, y0, x1, y1, ...] arrays in px) for the chunks inside the visible window.
 * Scrolling paper: the newest instant is at the right edge; older samples move left.
 */
export function ecgPolylines(chunks: readonly EcgChunk[], layout: StripLayout): Float32Array[] {
  const paper = layout.paper ?? STANDARD_PAPER;
  assertPaper(paper);
  const tolerance = layout.gapToleranceSamples ?? 1.5;
  const pxPerMs = (paper.pxPerMm * paper.speedMmPerS) / 1000;
  const pxPerMv = paper.pxPerMm * paper.gainMmPerMv;
  const leftMs = layout.nowMs - layout.widthPx / pxPerMs;
  const mid = layout.heightPx / 2;

  const sorted = [...chunks].sort((a, b) => a.startMs - b.startMs);
  const lines: Float32Array[] = [];
  let current: number[] = [];
  let lastT = Number.NEGATIVE_INFINITY;
  let lastPeriod = 0;
  const flush = (): void => {
    if (current.length >= 4) lines.push(Float32Array.from(current));
    current = [];
  };
  for (const chunk of sorted) {
    if (!(chunk.fsHz > 0)) continue;
    const period = 1000 / chunk.fsHz;
    const n = chunk.samplesMv.length;
    const endMs = chunk.startMs + (n - 1) * period;
    if (endMs < leftMs - period || chunk.startMs > layout.nowMs + period) {
      continue;
    }
    const first = Math.max(0, Math.floor((leftMs - chunk.startMs) / period));
    const last = Math.min(n - 1, Math.ceil((layout.nowMs - chunk.startMs) / period));
    for (let i = first; i <= last; i++) {
      const t = chunk.startMs + i * period;
      const v = chunk.samplesMv[i];
      if (v === undefined || !Number.isFinite(v)) {
        flush();
        lastT = Number.NEGATIVE_INFINITY;
        continue;
      }
      if (t - lastT > tolerance * Math.max(period, lastPeriod)) flush();
      if (t <= lastT) continue; // overlapping chunk: the earlier one already drew this instant
      current.push(layout.widthPx - (layout.nowMs - t) * pxPerMs, mid - v * pxPerMv);
      lastT = t;
      lastPeriod = period;
    }
  }
  flush();
  return lines;
}

/** Drops chunks that ended before `keepAfterMs`, so a live buffer stays bounded. */
export function pruneChunks(chunks: readonly EcgChunk[], keepAfterMs: number): EcgChunk[] {
  return chunks.filter((c) => c.startMs + (c.samplesMv.length * 1000) / c.fsHz >= keepAfterMs);
}
