/**
 * The live strip of a multi-lead device (seed 004's 12-lead sensors): its last 10 s drawn on the
 * standard 12-lead layout of the 12-lead page (TwelveLeadGrid: 3 × 4 panels of 2.5 s and a lead II
 * rhythm strip). A device with fewer leads shows the leads it has in their places.
 */
import type { ReactNode } from 'react';
import type { LeadsWindow } from '../live/live-store.js';
import { TwelveLeadGrid } from './TwelveLeadGrid.js';

export function LiveTwelveLead({
  leads: window,
  patientName,
}: {
  leads: LeadsWindow;
  patientName: string;
}): ReactNode {
  const seconds = (window.samples[0]?.length ?? 0) / window.samplingRateHz;
  const n = window.leads.length;
  return (
    <section className="card" aria-labelledby="live12-title" data-testid="live-twelve-lead">
      <h2 id="live12-title">
        Live {n}-lead ECG · last {seconds.toFixed(0)} s
      </h2>
      {n < 12 && (
        <p className="muted" data-testid="live-leads-note">
          Leads {window.leads.join(', ')}: MI is not assessable from {n} lead{n === 1 ? '' : 's'}.
        </p>
      )}
      <TwelveLeadGrid
        signal={{
          samplingRateHz: window.samplingRateHz,
          leads: window.leads,
          samples: window.samples,
        }}
        title={`Live ${n}-lead ECG of ${patientName}`}
      />
    </section>
  );
}
