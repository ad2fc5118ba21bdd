import { SignalInputError, type Ecg12Result } from '@vigil/signal';
import type { Ecg12Request } from '../../adapters/ecg-analysis.adapter.js';
import { isDomainError } from '../../errors/catalogue.js';
import type { MultiLeadValues } from './ecg-vitals.normalizer.js';

/** The 12 leads the interpretation needs, in its order (the normalizer keeps this order). */
const LEADS_NEEDED = 12;

export interface LiveEcg12Options {
  /** Stream time between two interpretations, ms (config ECG12_LIVE_INTERVAL_S). */
  intervalMs: number;
  /** Length of the window interpreted, ms (default 10 000: a resting 12-lead ECG). */
  windowMs?: number;
  /**
   * The 12-lead interpretation of a window (leads I … V6 in mV): EcgAnalysisPort.interpretEcg12,
   * in the device's analysis worker when the server has workers. Rejects with a
   * SignalInputError (or its DomainError) when the window cannot be measured.
   */
  interpret(request: Ecg12Request): Promise<Ecg12Result>;
}

/** A device's rolling window of its 12 leads (ring buffers) and when it was last interpreted. */
export interface LiveEcg12State {
  fsHz: number;
  ring: Float64Array[] | null;
  /** Next write position in the ring, and how many samples it holds (≤ its length). */
  at: number;
  filled: number;
  /** Stream time (end of the packet) of the last interpretation, ms. */
  lastRunEndMs: number | null;
}

export type LiveEcg12Outcome =
  | { status: 'not_assessable'; leads: number; text: string }
  | { status: 'waiting' }
  | { status: 'interpreted'; result: Ecg12Result; miCriteria: string[] }
  | { status: 'not_interpretable'; text: string };

export function createLiveEcg12State(): LiveEcg12State {
  return { fsHz: 0, ring: null, at: 0, filled: 0, lastRunEndMs: null };
}

/**
 * Feeds one multi-lead packet to the device's window and, once it holds `windowMs` and
 * `intervalMs` of stream time passed since the last run, interprets the latest window. With fewer
 * than 12 leads nothing is guessed: the outcome says the rhythm is analysed but MI is "not
 * assessable from N leads". A gap (or a new rate) empties the window: a window must be one
 * continuous recording.
 */
export async function feedLiveEcg12(
  state: LiveEcg12State,
  options: LiveEcg12Options,
  packet: {
    deviceId: string;
    leads: MultiLeadValues;
    fsHz: number;
    startMs: number;
    restart: boolean;
  },
): Promise<LiveEcg12Outcome> {
  const { leads, fsHz, startMs } = packet;
  const n = leads.names.length;
  if (n < LEADS_NEEDED)
    return {
      status: 'not_assessable',
      leads: n,
      text: `MI not assessable from ${n} lead${n === 1 ? '' : 's'} (12 needed)`,
    };
  const windowSamples = Math.round(((options.windowMs ?? 10_000) * fsHz) / 1000);
  if (packet.restart || state.ring === null || state.fsHz !== fsHz) {
    state.fsHz = fsHz;
    state.ring = leads.samplesMv.map(() => new Float64Array(windowSamples));
    state.at = 0;
    state.filled = 0;
    state.lastRunEndMs = null;
  }
  const ring = state.ring;
  const len = leads.samplesMv[0]?.length ?? 0;
  for (let l = 0; l < ring.length; l++) {
    const dst = ring[l] as Float64Array;
    const src = leads.samplesMv[l] as Float64Array;
    for (let i = 0; i < len; i++) dst[(state.at + i) % windowSamples] = src[i] ?? 0;
  }
  state.at = (state.at + len) % windowSamples;
  state.filled = Math.min(windowSamples, state.filled + len);
  const endMs = startMs + (len * 1000) / fsHz;
  if (state.filled < windowSamples) return { status: 'waiting' };
  if (state.lastRunEndMs !== null && endMs - state.lastRunEndMs < options.intervalMs)
    return { status: 'waiting' };
  state.lastRunEndMs = endMs;
  // Unroll the rings, oldest sample first.
  const window = ring.map((r) => {
    const out = new Float64Array(windowSamples);
    out.set(r.subarray(state.at));
    out.set(r.subarray(0, state.at), windowSamples - state.at);
    return out;
  });
  try {
    const result = await options.interpret({ deviceId: packet.deviceId, fsHz, leadsMv: window });
    const miCriteria = result.findings.filter((f) => f.class === 'MI').map((f) => f.text);
    return { status: 'interpreted', result, miCriteria };
  } catch (error) {
    if (!(error instanceof SignalInputError) && !isDomainError(error)) throw error;
    return {
      status: 'not_interpretable',
      text: `12-lead window not interpretable: ${error.message}`,
    };
  }
}
