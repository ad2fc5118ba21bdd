import { describe, expect, it } from 'vitest';
import type { PacketAnalysis } from '../../adapters/ecg-analysis.adapter.js';
import { assessEcgVitals, type EcgVitalsAssessorInput } from './ecg-vitals.assessor.js';
import { createNews2RiskModel } from './risk-model.js';

const T = Date.UTC(2026, 0, 1, 8, 30);
const ids = { id: 'p1', vitals_id: 'v1', device_id: 'ESP32-A', patient_id: 'pat', created_at: T };
const noReadings = { hr: null, spo2: null, temp: null, resp: null, leadOff: null };

/** A fake analysis of one packet: analysable sinus rhythm at 75 bpm unless overridden. */
function analysis(over: Partial<PacketAnalysis> = {}): PacketAnalysis {
  return {
    heartRateBpm: 75,
    qrsDurationMs: 90,
    hrv: { windowMs: 60_000, nBeats: 70, meanNnMs: 800, sdnnMs: 40, rmssdMs: 30, pnn50: 0.1 },
    quality: { analysable: true, score: 0.95, reasons: [] },
    beats: 1,
    longestRrMs: 900,
    longestRrAtMs: T + 100,
    arrhythmia: null,
    ...over,
  };
}

function input(over: Partial<EcgVitalsAssessorInput>): EcgVitalsAssessorInput {
  return {
    ids,
    tsMs: T,
    values: noReadings,
    analysis: null,
    analysisFailed: false,
    late: false,
    hrBand: null,
    risk: createNews2RiskModel(),
    ...over,
  };
}

describe('assessEcgVitals', () => {
  const cases: {
    name: string;
    given: Partial<EcgVitalsAssessorInput>;
    prediction: Record<string, unknown>;
    reasons: string[];
    observation: Record<string, unknown>;
  }[] = [
    {
      name: "scores a packet without ECG on the device's own HR (NEWS2 red: moderate)",
      given: { values: { ...noReadings, hr: 135, spo2: 97 } },
      prediction: {
        heart_rate_bpm: 135,
        heart_rate_source: 'device',
        analysable: null,
        quality_score: null,
        risk_score: 0.3,
        risk_label: 'moderate',
        confidence: 0.5,
        hrv: null,
        arrhythmia: null,
      },
      reasons: ['HR_HIGH:HR 135 bpm:3'],
      observation: { heartRateBpm: 135, spo2Percent: 97, analysable: null, riskLabel: 'moderate' },
    },
    {
      name: "prefers the analysable ECG's HR to the device's and scores low SpO2",
      given: { values: { ...noReadings, hr: 140, spo2: 92 }, analysis: analysis() },
      prediction: {
        heart_rate_bpm: 75,
        heart_rate_source: 'ecg',
        analysable: true,
        quality_score: 0.95,
        qrs_duration_ms: 90,
        risk_score: 0.2,
        risk_label: 'low',
        confidence: 0.488,
      },
      reasons: ['SPO2_LOW:SpO2 92%:2'],
      observation: { heartRateBpm: 75, analysable: true, longestPauseMs: 900 },
    },
    {
      name: 'trusts no heart rate when the leads are off, and says why',
      given: { values: { ...noReadings, hr: 80, leadOff: true }, analysis: analysis() },
      prediction: {
        heart_rate_bpm: null,
        heart_rate_source: null,
        analysable: false,
        hrv: null,
        risk_score: 0,
        risk_label: 'normal',
        confidence: 0.1,
      },
      reasons: ['POOR_SIGNAL:poor signal (lead off):0'],
      observation: { heartRateBpm: null, analysable: false, longestPauseMs: null },
    },
    {
      name: "lets the device's HR stand in while the stream warms up, without a poor-signal verdict",
      given: {
        values: { ...noReadings, hr: 72 },
        analysis: analysis({
          heartRateBpm: null,
          quality: { analysable: false, score: 0, reasons: ['too-short'] },
        }),
      },
      prediction: {
        heart_rate_bpm: 72,
        heart_rate_source: 'device',
        analysable: false,
        risk_label: 'normal',
        confidence: 0.25,
      },
      reasons: [],
      observation: { heartRateBpm: 72, analysable: null },
    },
    {
      name: 'adds a VT run and a VEB burden to a fast rate (high)',
      given: {
        analysis: analysis({
          heartRateBpm: 150,
          arrhythmia: {
            afSinceMs: null,
            vtRunBeats: 5,
            vtRunAtMs: T,
            vebPercent: 12,
            svebPercent: 0,
            vebBeats: 2,
            svebBeats: 1,
            episodes: [{ rhythm: 'VT', start: T, end: T + 2000, ongoing: false }],
            withheld: null,
          },
        }),
      },
      prediction: {
        heart_rate_source: 'ecg',
        risk_score: 0.7,
        risk_label: 'high',
        arrhythmia: {
          af_since: null,
          vt_run_beats: 5,
          longest_pause_ms: 900,
          veb_percent: 12,
          sveb_percent: 0,
          veb_beats: 2,
          sveb_beats: 1,
          episodes: [{ rhythm: 'VT', start: T, end: T + 2000, ongoing: false }],
          withheld: null,
        },
      },
      reasons: [
        'HR_HIGH:HR 150 bpm:3',
        'VT_RUN:5-beat VT run at 08:30:3',
        'VEB_BURDEN:VEB burden 12%:1',
      ],
      // The events' data times for the alert's onset: the run's first beat, the pause's start.
      observation: {
        vtRunBeats: 5,
        vtRunAtMs: T,
        longestPauseAtMs: T + 100,
        afOngoing: false,
        riskLabel: 'high',
      },
    },
    {
      name: 'marks a late packet, scored on its vitals alone',
      given: { late: true, values: { ...noReadings, hr: 135 } },
      prediction: { heart_rate_bpm: 135, risk_label: 'moderate' },
      reasons: [
        'HR_HIGH:HR 135 bpm:3',
        'LATE_PACKET:ECG not analysed: the packet arrived after later ones:0',
      ],
      observation: { heartRateBpm: 135 },
    },
    {
      name: 'marks a packet whose analysis failed',
      given: { analysisFailed: true, values: { ...noReadings, spo2: 97 } },
      prediction: { heart_rate_bpm: null, risk_label: 'normal', confidence: 0.25 },
      reasons: ['ANALYSIS_FAILED:ECG not analysed: the analysis failed:0'],
      observation: { spo2Percent: 97 },
    },
  ];

  it.each(cases)('$name', ({ given, prediction, reasons, observation }) => {
    const out = assessEcgVitals(input(given));
    expect(out.prediction).toMatchObject({ ...ids, timestamp: T, ...prediction });
    expect(out.prediction.reasons.map((r) => `${r.code}:${r.text}:${r.points}`)).toEqual(reasons);
    expect(out.observation).toMatchObject({ atMs: T, ...observation });
  });

  it('reports how long the HR has been in its band, and keeps the band while it holds', () => {
    const band = { points: 3, since: T - 120_000 };
    const out = assessEcgVitals(input({ values: { ...noReadings, hr: 135 }, hrBand: band }));
    expect(out.prediction.reasons[0]?.text).toBe('HR 135 bpm for 2 min');
    expect(out.hrBand).toEqual(band);
    const back = assessEcgVitals(input({ values: { ...noReadings, hr: 70 }, hrBand: band }));
    expect(back.hrBand).toEqual({ points: 0, since: T });
  });

  it("gives the alert rules the AF episode's start from the monitor, withheld findings none", () => {
    const af = {
      afSinceMs: T - 45_000,
      vtRunBeats: 0,
      vtRunAtMs: null,
      vebPercent: 0,
      svebPercent: 0,
      vebBeats: 0,
      svebBeats: 0,
      episodes: [{ rhythm: 'AF', start: T - 45_000, end: null, ongoing: true }],
      withheld: null,
    };
    const out = assessEcgVitals(input({ analysis: analysis({ arrhythmia: af }) }));
    expect(out.observation).toMatchObject({ afOngoing: true, afSinceMs: T - 45_000 });
    const withheld = assessEcgVitals(
      input({ analysis: analysis({ arrhythmia: { ...af, withheld: 'too few beats' } }) }),
    );
    expect(withheld.observation).toMatchObject({ afOngoing: null, afSinceMs: null });
  });

  it('leaves the HR band alone for a late packet', () => {
    const band = { points: 0, since: T - 60_000 };
    const out = assessEcgVitals(
      input({ late: true, values: { ...noReadings, hr: 135 }, hrBand: band }),
    );
    expect(out.hrBand).toBe(band);
  });
});
