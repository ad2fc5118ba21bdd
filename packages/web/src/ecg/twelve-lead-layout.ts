/**
 * Pure geometry of the standard 12-lead printout: 3 rows × 4 columns of 2.5 s (I, aVR, V1, V4 /
 * II, aVL, V2, V5 / III, aVF, V3, V6) and a 10 s lead II rhythm strip, on paper at 25 mm/s and
 * 10 mm/mV with a 1 mV × 200 ms calibration pulse at the start of each row (AHA/ACC/HRS
 * recommendations for the standardization of the electrocardiogram, Kligfield et al., 2007).
 * Everything is in millimetres of paper; `mmToPx` turns it into pixels. No DOM here.
 */

/** Column-major lead order of the 3 × 4 layout: column c, row r is LAYOUT_LEADS[r][c]. */
export const LAYOUT_LEADS = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
] as const;

export const RHYTHM_LEAD = 'II';

export interface TwelveLeadPaper {
  /** Paper speed, mm/s (25). */
  speedMmPerS: number;
  /** Gain, mm/mV (10). */
  gainMmPerMv: number;
  /** Seconds per panel of the 3 × 4 grid (2.5). */
  panelS: number;
  /** Height of one row, mm (30: room for ±1.5 mV around the baseline). */
  rowHeightMm: number;
  /** Left margin holding the calibration pulse, mm (10). */
  calibrationMarginMm: number;
}

export const STANDARD_12_LEAD_PAPER: TwelveLeadPaper = {
  speedMmPerS: 25,
  gainMmPerMv: 10,
  panelS: 2.5,
  rowHeightMm: 30,
  calibrationMarginMm: 10,
};

export interface LeadPanel {
  lead: string;
  /** 0–2 for the grid, 3 for the rhythm strip. */
  row: number;
  /** 0–3; 0 for the rhythm strip. */
  col: number;
  /** Left edge of the trace, mm from the paper's left edge. */
  xMm: number;
  /** Baseline (0 mV), mm from the paper's top edge. */
  baselineMm: number;
  widthMm: number;
  /** Seconds of the recording this panel shows, from startS. */
  startS: number;
  durationS: number;
}

export interface TwelveLeadLayout {
  widthMm: number;
  heightMm: number;
  panels: LeadPanel[];
  /** The rhythm strip (lead II, whole recording up to 4 panels' length). */
  rhythm: LeadPanel;
  /** Calibration pulse polyline per row, [x0, y0, x1, y1, …] in mm. */
  calibration: number[][];
}

/**
 * The layout of a recording `durationS` long (10 s standard). Each column shows its own
 * consecutive 2.5 s (column c from c × 2.5 s), as printed by electrocardiographs.
 */
export function twelveLeadLayout(
  durationS = 10,
  paper: TwelveLeadPaper = STANDARD_12_LEAD_PAPER,
): TwelveLeadLayout {
  if (!(durationS > 0) || !(paper.speedMmPerS > 0) || !(paper.panelS > 0))
    throw new RangeError('durationS, speedMmPerS and panelS must be positive');
  const panelMm = paper.panelS * paper.speedMmPerS;
  const x0 = paper.calibrationMarginMm;
  const panels: LeadPanel[] = [];
  LAYOUT_LEADS.forEach((leads, row) => {
    leads.forEach((lead, col) => {
      panels.push({
        lead,
        row,
        col,
        xMm: x0 + col * panelMm,
        baselineMm: (row + 0.5) * paper.rowHeightMm,
        widthMm: panelMm,
        startS: col * paper.panelS,
        durationS: Math.min(paper.panelS, Math.max(0, durationS - col * paper.panelS)),
      });
    });
  });
  const rhythmS = Math.min(durationS, 4 * paper.panelS);
  const rhythm: LeadPanel = {
    lead: RHYTHM_LEAD,
    row: 3,
    col: 0,
    xMm: x0,
    baselineMm: 3.5 * paper.rowHeightMm,
    widthMm: rhythmS * paper.speedMmPerS,
    startS: 0,
    durationS: rhythmS,
  };
  const pulseHeightMm = paper.gainMmPerMv; // 1 mV
  const pulseWidthMm = 0.2 * paper.speedMmPerS; // 200 ms
  const calibration = [0, 1, 2, 3].map((row) => {
    const base = (row + 0.5) * paper.rowHeightMm;
    const a = (paper.calibrationMarginMm - pulseWidthMm) / 2;
    const top = base - pulseHeightMm;
    return [0, base, a, base, a, top, a + pulseWidthMm, top, a + pulseWidthMm, base, x0, base];
  });
  return {
    widthMm: x0 + 4 * panelMm,
    heightMm: 4 * paper.rowHeightMm,
    panels,
    rhythm,
    calibration,
  };
}

/** Millimetres to pixels at `pxPerMm`. */
export function mmToPx(mm: number, pxPerMm: number): number {
  return mm * pxPerMm;
}

/** Pixels per millimetre that fit a paper `widthMm` wide into `widthPx`. */
export function pxPerMmToFit(widthPx: number, widthMm: number): number {
  if (!(widthPx > 0) || !(widthMm > 0)) throw new RangeError('widths must be positive');
  return widthPx / widthMm;
}

/**
 * The trace of one panel as a polyline in mm ([x0, y0, x1, y1, …]): samples from startS for
 * durationS, x at the paper speed from the panel's left edge, y = baseline − value × gain
 * (up is positive). Non-finite samples break nothing: they are skipped.
 */
export function panelTraceMm(
  samples: ArrayLike<number>,
  fsHz: number,
  panel: LeadPanel,
  paper: TwelveLeadPaper = STANDARD_12_LEAD_PAPER,
): number[] {
  if (!(fsHz > 0)) throw new RangeError('fsHz must be positive');
  const first = Math.round(panel.startS * fsHz);
  const last = Math.min(
    samples.length - 1,
    Math.round((panel.startS + panel.durationS) * fsHz) - 1,
  );
  const out: number[] = [];
  for (let i = first; i <= last; i++) {
    const v = samples[i];
    if (v === undefined || !Number.isFinite(v)) continue;
    out.push(
      panel.xMm + ((i - first) / fsHz) * paper.speedMmPerS,
      panel.baselineMm - v * paper.gainMmPerMv,
    );
  }
  return out;
}
