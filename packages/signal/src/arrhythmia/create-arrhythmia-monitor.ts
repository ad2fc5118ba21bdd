import { SignalInputError } from '../errors.js';
import type { BeatModel } from './beat-model.js';
import type { SampleView } from './beat-window.js';
import { createAtrialActivityTracker } from './create-atrial-activity-tracker.js';
import type { AtrialActivityOptions } from './create-atrial-activity-tracker.js';
import { createBeatClassifier } from './create-beat-classifier.js';
import type { BeatClassifierOptions } from './create-beat-classifier.js';
import { createEpisodeHistory, EPISODE_HISTORY_DEFAULT } from './create-episode-history.js';
import { createRhythmTracker } from './create-rhythm-tracker.js';
import type { RhythmTrackerOptions } from './create-rhythm-tracker.js';
import { loadBeatModel } from './load-beat-model.js';
import type { ArrhythmiaUpdate, BeatClass, ClassifiedBeat, RhythmEpisode } from './types.js';

export interface ArrhythmiaMonitorOptions extends Omit<RhythmTrackerOptions, 'fs'> {
  /** Sampling rate in Hz (required), 50 to 2000. */
  fs: number;
  /** Beat model, default the shipped one (`loadBeatModel()`). */
  model?: BeatModel;
  /** RR interval in ms above which a PAUSE episode is reported, default 2000. */
  pauseMs?: number;
  /**
   * Delay in ms of the QRS detector's confirmations: an ongoing pause is reported only once
   * no peak arrived for `pauseMs + detectorLatencyMs`, default 500.
   */
  detectorLatencyMs?: number;
  /** Findings are withheld (`too-short`) until this many beats ... default 8 ... */
  minBeats?: number;
  /** ... and this many seconds of signal were seen, default 10. */
  minDurationS?: number;
  /** Report SVEB as N while the recent RR intervals meet the AF criteria, default true. */
  suppressSvebInAf?: boolean;
  /**
   * With `suppressSvebInAf`: report SVEB as N for as long as an AF episode is open, also in
   * windows that no longer meet the AF criteria on their own (an episode closes only after
   * several such windows), default true. Inside an AF episode no P wave marks a beat as atrial
   * premature, and the MIT-BIH annotators label AF beats N. Chosen on the validation runs by a
   * rule set before them (`npm run train:beats -- ... --lodo --score-other-leads --monitor
   * '{"suppressSvebInAfEpisode":false}'`, README): leave-one-record-out SVEB +P 68.4 -> 73.5 %
   * and 65.5 -> 71.7 % (training seeds 1 and 2) for 0.1 point of Se, from SVDB to DS1 59.8 ->
   * 64.1 % and 63.1 -> 68.2 %; the false SVEBs of DS1 record 203 (AF and flutter) 115 -> 10.
   * Offline (`analyzeArrhythmia`) the whole episode is known and its SVEBs are N from its start,
   * before the beat it opened at: LORO SVEB +P 73.5 -> 79.7 % for 0.1 point of Se (README).
   */
  suppressSvebInAfEpisode?: boolean;
  /**
   * With `suppressSvebInAf`: an SVEB verdict is kept in an AF-like window when the classifier's
   * `sinusPConsistency` (share of the recent post-pause beats whose P wave matched the sinus P
   * template) is at least this, default 0.6 (0: off). After each pause of sinus rhythm with
   * frequent atrial premature beats the sinus node fires with its own P wave; in atrial
   * fibrillation the beats after long intervals have no common P wave. Not while an AF episode
   * is open. 0.6 and 0.8 measured (`train:beats`, README): 0.8 found fewer of the SVEB-dominant
   * probe's SVEBs for about a point of LORO SVEB +P.
   */
  keepSvebSinusPConsistency?: number;
  /**
   * Sinus P evidence of the rhythm tracker's atrial-ectopy veto (`afAtrialEctopyShare`): a beat
   * the classifier calls N (rhythm side, `rhythmClass`) whose P wave matched the sinus P template
   * (`sinusPWave`) while the classifier's `sinusPConsistency` is at least this, default 0.6 (the
   * template recurs after the pauses: sinus rhythm, not a template drifting onto AF's f waves).
   * 0 counts every N beat with a matching P wave.
   */
  afAtrialEctopyConsistency?: number;
  /** P-wave measurement feeding the short-window AF path (see AtrialActivityOptions). */
  atrial?: Omit<AtrialActivityOptions, 'fs'>;
  /**
   * P-wave score handed to the rhythm tracker: `template` the correlation of the last beats'
   * average pre-QRS segment with the record's sinus P template (robust to noise, idle until 16
   * sinus beats were seen), `coherence` (template-free, but noise lowers it), or
   * `template-or-coherence` (default: the template correlation, and for the short-window path
   * only the coherence while there is no template yet: a record that starts in AF never teaches
   * the template, so without it the short path stays idle there and AF waits for the 32-beat
   * path).
   */
  afPWaveMeasure?: 'template' | 'coherence' | 'template-or-coherence';
  /**
   * Two-lead beat classification, default false: `push` then takes a second lead's chunk of the
   * same samples (`secondChunkMv`), and each beat, detected on the first lead, is classified from
   * both leads' probabilities (the classifier's `secondLead`, combined by `classifier.leadFusion`).
   * RR, P-wave and noise analysis stay on the first lead; the rhythm tracker reads the two-lead
   * verdicts (`rhythmClass`), so AF calls can change with them.
   */
  secondLead?: boolean;
  /** Noise and pacing guards of the beat classifier (see BeatClassifierOptions). */
  classifier?: Omit<BeatClassifierOptions, 'fs' | 'model' | 'secondLead'>;
}

export interface ArrhythmiaMonitor {
  /**
   * Adds the next chunk of one ECG lead (mV) and the R peaks confirmed so far that were not
   * passed before (absolute sample indices since the start, increasing, as `createQrsDetector`
   * returns them). A beat is classified once the next beat and 1.1 s of signal after it are known.
   * With the `secondLead` option, `secondChunkMv` (required then) is the second lead's chunk of
   * the same samples, as long as `chunkMv`.
   */
  push(
    chunkMv: Float64Array,
    newPeaks: Int32Array | readonly number[],
    secondChunkMv?: Float64Array,
  ): ArrhythmiaUpdate;
  /** Classifies the remaining beats and closes open episodes. */
  flush(): ArrhythmiaUpdate;
  readonly samplesSeen: number;
  /**
   * The episodes reported so far, in opening order: every open one and the newest
   * `episodeHistory` closed ones (default 1000; `analyzeArrhythmia` keeps them all).
   */
  readonly episodes: readonly RhythmEpisode[];
}

/**
 * Streaming arrhythmia analysis of one ECG lead: beat classes (AAMI N/SVEB/VEB/F/Q), rhythm
 * episodes (AF, VT, IVR, couplets, triplets, pauses, sinus brady/tachycardia, NOISE and PACED
 * stretches) and ectopic burden. Pushing a record in any chunking gives the same beats and
 * episodes as pushing it at once (`analyzeArrhythmia` does that).
 */
export function createArrhythmiaMonitor(options: ArrhythmiaMonitorOptions): ArrhythmiaMonitor {
  const fs = options.fs;
  if (typeof fs !== 'number' || !Number.isFinite(fs) || fs < 50 || fs > 2000) {
    throw new SignalInputError(
      'SAMPLE_RATE_OUT_OF_RANGE',
      'options.fs',
      'fs must be 50 to 2000 Hz',
    );
  }
  const model = options.model ?? loadBeatModel();
  const secondLead = options.secondLead === true;
  const classifier = createBeatClassifier({
    ...options.classifier,
    fs,
    model,
    secondLead,
    ...((options.keepSvebSinusPConsistency ?? 0.6) > 0 || (options.afAtrialEctopyShare ?? 1) > 0
      ? { sinusPState: true }
      : {}),
  });
  // The monitor keeps the episode history (its own: the tracker's episodes and its PAUSE, NOISE
  // and PACED ones); the tracker need not keep a second copy of it.
  const tracker = createRhythmTracker({ ...options, fs, episodeHistory: 0 });
  const atrial = createAtrialActivityTracker({
    ...options.atrial,
    fs,
    // Kept only when asked for or the AF model reads it (it costs an average-beat subtraction
    // per beat).
    spectrum: options.atrial?.spectrum === true || tracker.usesAtrialSpectrum,
    // The spectrum the AF model was trained on (its band, whitening), unless the caller sets one.
    spectrumOptions: options.atrial?.spectrumOptions ?? tracker.atrialSpectrumOptions,
  });
  const pWaveMeasure = options.afPWaveMeasure ?? 'template-or-coherence';
  const pauseSamples = ((options.pauseMs ?? 2000) * fs) / 1000;
  const latencySamples = ((options.detectorLatencyMs ?? 500) * fs) / 1000;
  const suppressSvebInAf = options.suppressSvebInAf ?? true;
  const suppressSvebInAfEpisode = options.suppressSvebInAfEpisode ?? true;
  const keepSvebConsistency = options.keepSvebSinusPConsistency ?? 0.6;
  if (!(keepSvebConsistency >= 0 && keepSvebConsistency <= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.keepSvebSinusPConsistency',
      'keepSvebSinusPConsistency must be within 0..1',
    );
  }
  const ectopySinusConsistency = options.afAtrialEctopyConsistency ?? 0.6;
  if (!(ectopySinusConsistency >= 0 && ectopySinusConsistency <= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.afAtrialEctopyConsistency',
      'afAtrialEctopyConsistency must be within 0..1',
    );
  }
  const minBeats = options.minBeats ?? 8;
  const minSamples = (options.minDurationS ?? 10) * fs;
  // Samples a beat needs after (before) its peak: the beat window plus the baseline filters'
  // margins (beat-window.ts) plus its re-alignment.
  const after = Math.ceil(0.6 * fs) + Math.round(0.1 * fs) + Math.round(0.3 * fs) + 2;
  const before = Math.ceil(0.45 * fs) + Math.round(0.1 * fs) + Math.round(0.3 * fs) + 2;

  let buf = new Float64Array(Math.ceil(30 * fs));
  /** The second lead's samples (`secondLead`), kept alike: same offset and length as `buf`. */
  let buf2 = new Float64Array(secondLead ? buf.length : 0);
  let bufOffset = 0;
  let bufLen = 0;
  let samplesSeen = 0;
  const pending: number[] = [];
  let lastClassified: number | null = null;
  let lastPeak: number | null = null;
  let nBeats = 0;
  const counts: Record<BeatClass, number> = { N: 0, SVEB: 0, VEB: 0, F: 0, Q: 0 };
  const history = createEpisodeHistory(
    options.episodeHistory ?? EPISODE_HISTORY_DEFAULT,
    'options.episodeHistory',
  );
  let pause: RhythmEpisode | null = null;
  let guard: RhythmEpisode | null = null;
  let lastVerdict: { noisy: boolean; paced: boolean } = { noisy: false, paced: false };

  /** The buffered samples as the classifier reads them, made again after each append. */
  let view: SampleView | null = null;
  let view2: SampleView | null = null;
  const append = (chunk: Float64Array, chunk2: Float64Array | undefined): void => {
    view = null;
    view2 = null;
    // Drop samples no pending beat needs any more, then grow if necessary.
    const oldestNeeded =
      Math.min(pending[0] ?? samplesSeen, lastClassified ?? samplesSeen, samplesSeen) - before;
    const drop = Math.max(0, Math.min(bufLen, oldestNeeded - bufOffset));
    if (drop > 0 && (drop > bufLen / 2 || bufLen + chunk.length > buf.length)) {
      buf.copyWithin(0, drop, bufLen);
      if (chunk2 !== undefined) buf2.copyWithin(0, drop, bufLen);
      bufLen -= drop;
      bufOffset += drop;
    }
    if (bufLen + chunk.length > buf.length) {
      const size = Math.max(2 * buf.length, bufLen + chunk.length);
      const bigger = new Float64Array(size);
      bigger.set(buf.subarray(0, bufLen));
      buf = bigger;
      if (chunk2 !== undefined) {
        const bigger2 = new Float64Array(size);
        bigger2.set(buf2.subarray(0, bufLen));
        buf2 = bigger2;
      }
    }
    buf.set(chunk, bufLen);
    if (chunk2 !== undefined) buf2.set(chunk2, bufLen);
    bufLen += chunk.length;
    samplesSeen += chunk.length;
  };

  const record = (episodes: RhythmEpisode[], out: RhythmEpisode[]): void => {
    for (const e of episodes) {
      history.add(e);
      if (!out.includes(e)) out.push(e);
    }
  };

  const classifyNext = (
    next: number | null,
    beatsOut: ClassifiedBeat[],
    epOut: RhythmEpisode[],
  ): void => {
    const peak = pending.shift();
    if (peak === undefined) return;
    // One view for all the beats classified after an append (the buffer changes only there).
    view ??= { x: buf.subarray(0, bufLen), offset: bufOffset };
    if (secondLead) view2 ??= { x: buf2.subarray(0, bufLen), offset: bufOffset };
    const v = classifier.next(view, lastClassified, peak, next, view2 ?? undefined);
    lastClassified = peak;
    nBeats++;
    // In atrial fibrillation every conducted beat comes at an irregular, often short, interval:
    // prematurity is no evidence of a supraventricular ectopic beat (the MIT-BIH annotators
    // label AF beats N). So while the recent RR intervals meet the AF criteria, or an AF episode
    // is open (suppressSvebInAfEpisode), SVEB becomes N.
    let cls: BeatClass = v.class;
    if (cls === 'SVEB' && suppressSvebInAf) {
      const afOpen = tracker.afOngoing;
      const keep = keepSvebConsistency > 0 && v.sinusPConsistency >= keepSvebConsistency && !afOpen;
      if ((tracker.irregular && !keep) || (suppressSvebInAfEpisode && afOpen)) cls = 'N';
    }
    counts[cls]++;
    beatsOut.push({ sample: peak, class: cls });
    lastVerdict = { noisy: v.noisyContext, paced: v.pacedContext };
    // NOISE / PACED stretches: findings are withheld there.
    const kind = v.noisyContext ? 'NOISE' : v.pacedContext ? 'PACED' : null;
    if (guard && guard.rhythm !== kind) {
      guard.ongoing = false;
      record([guard], epOut);
      guard = null;
    }
    if (kind) {
      if (!guard) {
        guard = {
          rhythm: kind,
          start: peak,
          end: peak,
          ongoing: true,
          beats: 0,
          meanBpm: null,
          maxRrMs: 0,
        };
      }
      guard.end = peak;
      guard.beats++;
      record([guard], epOut);
    }
    // P-wave evidence from supraventricular beats (ventricular, fusion and noise beats carry no
    // sinus P wave); the sinus template learns only while the RR intervals are measured and
    // regular (not before the first full window: a record that starts in AF must not teach it).
    // The rhythm side reads the classifier's verdict before the odd-detection rule
    // (`rhythmClass`: the verdicts the shipped AF model was trained on; BeatVerdict).
    const rhythmCls = v.rhythmClass;
    const coherence = atrial.push(
      view.x,
      view.offset,
      peak,
      rhythmCls === 'N' || rhythmCls === 'SVEB',
      tracker.regular,
    );
    const pScore = pWaveMeasure === 'coherence' ? coherence : atrial.templateCorrelation;
    const shortScore = pWaveMeasure === 'template-or-coherence' ? coherence : null;
    // The rhythm tracker gets the classifier's own verdict: were SVEBs suppressed in AF handed to it as
    // N, frequent atrial ectopy would keep the RR irregular, the AF call would go on suppressing
    // them, and the sinus P template (learnt only in regular rhythm) would never form.
    const sinusP =
      rhythmCls === 'N' && v.sinusPWave && v.sinusPConsistency >= ectopySinusConsistency;
    record(
      tracker.push(
        peak,
        rhythmCls,
        pScore,
        shortScore,
        sinusP,
        tracker.usesAtrialResidual ? atrial.atrialResidual : null,
        atrial.atrialSpectrum,
      ),
      epOut,
    );
  };

  const notePeaks = (peaks: Int32Array | readonly number[], epOut: RhythmEpisode[]): void => {
    for (const p of peaks) {
      if (!Number.isInteger(p) || p < 0 || (lastPeak !== null && p <= lastPeak)) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'newPeaks',
          'peaks must be increasing sample indices',
        );
      }
      if (lastPeak !== null && p - lastPeak > pauseSamples) {
        const e = pause ?? {
          rhythm: 'PAUSE' as const,
          start: lastPeak,
          end: null,
          ongoing: true,
          beats: 0,
          meanBpm: null,
          maxRrMs: 0,
        };
        e.end = p;
        e.ongoing = false;
        e.maxRrMs = ((p - lastPeak) * 1000) / fs;
        record([e], epOut);
        pause = null;
      }
      pending.push(p);
      lastPeak = p;
    }
  };

  const update = (beats: ClassifiedBeat[], episodes: RhythmEpisode[]): ArrhythmiaUpdate => {
    const hours = samplesSeen / fs / 3600;
    const classified = counts.N + counts.SVEB + counts.VEB + counts.F;
    const tooShort = nBeats + pending.length < minBeats || samplesSeen < minSamples;
    return {
      beats,
      // Snapshots: the tracker keeps mutating its open episodes.
      episodes: episodes.map((e) => ({ ...e })),
      burden: {
        vebPerHour: hours > 0 ? counts.VEB / hours : 0,
        svebPerHour: hours > 0 ? counts.SVEB / hours : 0,
        vebPercent: classified > 0 ? (100 * counts.VEB) / classified : 0,
        svebPercent: classified > 0 ? (100 * counts.SVEB) / classified : 0,
      },
      withheld: tooShort
        ? 'too-short'
        : lastVerdict.noisy
          ? 'noise'
          : lastVerdict.paced
            ? 'paced'
            : null,
    };
  };

  return {
    get samplesSeen() {
      return samplesSeen;
    },
    get episodes() {
      return history.list.map((e) => ({ ...e }));
    },
    push(chunkMv, newPeaks, secondChunkMv) {
      if (!(chunkMv instanceof Float64Array)) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'chunkMv',
          'chunk must be a Float64Array in mV',
        );
      }
      if (
        secondLead &&
        (!(secondChunkMv instanceof Float64Array) || secondChunkMv.length !== chunkMv.length)
      ) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'secondChunkMv',
          'with secondLead, the second lead must be a Float64Array in mV as long as chunkMv',
        );
      }
      const beats: ClassifiedBeat[] = [];
      const episodes: RhythmEpisode[] = [];
      append(chunkMv, secondLead ? secondChunkMv : undefined);
      notePeaks(newPeaks, episodes);
      while (pending.length >= 2 && samplesSeen >= (pending[0] ?? 0) + after) {
        classifyNext(pending[1] ?? null, beats, episodes);
      }
      if (
        lastPeak !== null &&
        !pause &&
        samplesSeen - 1 - lastPeak > pauseSamples + latencySamples
      ) {
        pause = {
          rhythm: 'PAUSE',
          start: lastPeak,
          end: null,
          ongoing: true,
          beats: 0,
          meanBpm: null,
          maxRrMs: ((samplesSeen - 1 - lastPeak) * 1000) / fs,
        };
        record([pause], episodes);
      } else if (pause) {
        pause.maxRrMs = ((samplesSeen - 1 - (lastPeak ?? 0)) * 1000) / fs;
      }
      return update(beats, episodes);
    },
    flush() {
      const beats: ClassifiedBeat[] = [];
      const episodes: RhythmEpisode[] = [];
      while (pending.length > 0) classifyNext(pending[1] ?? null, beats, episodes);
      record(tracker.flush(), episodes);
      if (guard) {
        guard.ongoing = false;
        record([guard], episodes);
        guard = null;
      }
      if (pause) {
        pause.end = samplesSeen - 1;
        pause.ongoing = false;
        record([pause], episodes);
        pause = null;
      }
      return update(beats, episodes);
    },
  };
}
