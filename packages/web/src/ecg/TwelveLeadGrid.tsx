/**
 * The standard 12-lead printout as SVG: 3 × 4 panels of 2.5 s, a 10 s lead II rhythm strip,
 * 25 mm/s and 10 mm/mV paper with 1 mm / 5 mm grid and a 1 mV calibration pulse per row. All
 * geometry comes from twelve-lead-layout.ts (in mm); the SVG's viewBox is in mm, so the paper
 * scales with the page and the proportions stay true.
 */
import { useMemo } from 'react';
import type { ReactNode } from 'react';
import { panelTraceMm, twelveLeadLayout, type LeadPanel } from './twelve-lead-layout.js';
import './twelve-lead.css';

export interface TwelveLeadSignal {
  samplingRateHz: number;
  /** Lead names, in the order of `samples`. */
  leads: readonly string[];
  /** One array per lead; mV (or relative units, see `relativeUnits`). */
  samples: readonly (readonly number[])[];
}

const points = (mm: readonly number[]): string => {
  let s = '';
  for (let i = 0; i + 1 < mm.length; i += 2)
    s += `${(mm[i] as number).toFixed(2)},${(mm[i + 1] as number).toFixed(2)} `;
  return s;
};

function Trace({
  panel,
  signal,
  testId,
}: {
  panel: LeadPanel;
  signal: TwelveLeadSignal;
  testId: string;
}): ReactNode {
  const index = signal.leads.indexOf(panel.lead);
  const samples = index >= 0 ? signal.samples[index] : undefined;
  const line = samples ? points(panelTraceMm(samples, signal.samplingRateHz, panel)) : '';
  return (
    <g data-testid={testId} data-lead={panel.lead}>
      <text x={panel.xMm + 1} y={panel.baselineMm - 10} className="tl-label">
        {panel.lead}
      </text>
      {line && <polyline points={line} className="tl-trace" />}
    </g>
  );
}

export function TwelveLeadGrid({
  signal,
  title,
}: {
  signal: TwelveLeadSignal;
  title: string;
}): ReactNode {
  const durationS = (signal.samples[0]?.length ?? 0) / signal.samplingRateHz;
  const layout = useMemo(() => twelveLeadLayout(durationS > 0 ? durationS : 10), [durationS]);
  return (
    <svg
      className="twelve-lead"
      viewBox={`0 0 ${layout.widthMm} ${layout.heightMm}`}
      role="img"
      aria-label={title}
      data-testid="twelve-lead-grid"
    >
      <defs>
        <pattern id="tl-minor" width="1" height="1" patternUnits="userSpaceOnUse">
          <path d="M 1 0 L 0 0 0 1" className="tl-minor" />
        </pattern>
        <pattern id="tl-major" width="5" height="5" patternUnits="userSpaceOnUse">
          <rect width="5" height="5" fill="url(#tl-minor)" />
          <path d="M 5 0 L 0 0 0 5" className="tl-major" />
        </pattern>
      </defs>
      <rect width={layout.widthMm} height={layout.heightMm} fill="url(#tl-major)" />
      {layout.calibration.map((pulse, row) => (
        <polyline
          key={row}
          points={points(pulse)}
          className="tl-trace"
          data-testid="calibration-pulse"
        />
      ))}
      {layout.panels.map((p) => (
        <Trace key={p.lead} panel={p} signal={signal} testId="lead-panel" />
      ))}
      <Trace panel={layout.rhythm} signal={signal} testId="rhythm-strip" />
    </svg>
  );
}
