export const SIGNAL_VERSION = '0.1.0';
export { SignalInputError } from './errors.js';
export type { SignalInputErrorCode } from './errors.js';
export { isBeatSymbol, BEAT_SYMBOLS } from './ecg/beat-symbols.js';
// QRS detection, filters and the EC57 evaluator.
export { detectQrs } from './ecg/detect-qrs.js';
export { createQrsDetector } from './ecg/create-qrs-detector.js';
export type { QrsDetector } from './ecg/create-qrs-detector.js';
export { QRS_MIN_FS, QRS_MAX_FS } from './ecg/qrs-detector-options.js';
export type { QrsDetectorOptions } from './ecg/qrs-detector-options.js';
export * from './filters/index.js';
export { ecgsyn } from './synth/ecgsyn.js';
export type { EcgsynOptions, EcgsynResult } from './synth/ecgsyn.js';
export { createEcgSynth } from './synth/create-ecg-synth.js';
export type {
  EcgSynth,
  EcgSynthOptions,
  SynthBeat,
  SynthBeatKind,
} from './synth/create-ecg-synth.js';
export { createRrProcess } from './synth/create-rr-process.js';
export type { RrProcess, RrProcessOptions } from './synth/create-rr-process.js';
export { createRng } from './synth/create-rng.js';
export type { Rng } from './synth/create-rng.js';
// Beat measures, HRV, signal quality and the live-path analyzer.
export { rrIntervalsMs } from './hrv/rr-intervals-ms.js';
export { nnIntervals } from './hrv/nn-intervals.js';
export type { NnIntervalsOptions } from './hrv/nn-intervals.js';
export { hrvTimeDomain } from './hrv/hrv-time-domain.js';
export type { HrvTimeDomainOptions } from './hrv/hrv-time-domain.js';
export { hrvFrequencyDomain } from './hrv/hrv-frequency-domain.js';
export type { HrvFrequencyDomainOptions } from './hrv/hrv-frequency-domain.js';
export { poincare } from './hrv/poincare.js';
export type { PoincareOptions } from './hrv/poincare.js';
export { hrvReport } from './hrv/hrv-report.js';
export type { HrvReport, HrvReportOptions } from './hrv/hrv-report.js';
export type { NnSeries, HrvTimeDomain, HrvFrequencyDomain, Poincare } from './hrv/hrv-types.js';
export { qrsDelineate, QRS_DELINEATE_CONTEXT_MS } from './ecg/qrs-delineate.js';
export type { QrsDelineateOptions, QrsDelineation } from './ecg/qrs-delineate.js';
export { signalQuality } from './ecg/signal-quality.js';
export { selectRhythmLead } from './ecg/select-rhythm-lead.js';
export type { SelectRhythmLeadOptions } from './ecg/select-rhythm-lead.js';
export type { SignalQuality, SignalQualityOptions } from './ecg/signal-quality.js';
export { heartRate } from './ecg/heart-rate.js';
export type { HeartRate, HeartRateOptions } from './ecg/heart-rate.js';
export { createEcgAnalyzer } from './ecg/create-ecg-analyzer.js';
export type {
  AnalyzedBeat,
  EcgAnalysisUpdate,
  EcgAnalyzer,
  EcgAnalyzerOptions,
} from './ecg/create-ecg-analyzer.js';
// Arrhythmia: AAMI beat classes, rhythm episodes, the streaming monitor.
export { aamiClass } from './arrhythmia/aami-class.js';
export { classifyBeats } from './arrhythmia/classify-beats.js';
export { detectRhythmEpisodes } from './arrhythmia/detect-rhythm-episodes.js';
export { analyzeArrhythmia } from './arrhythmia/analyze-arrhythmia.js';
export type {
  ArrhythmiaAnalysis,
  ArrhythmiaAnalysisOptions,
} from './arrhythmia/analyze-arrhythmia.js';
export type { LeadFusionRule } from './arrhythmia/fuse-lead-probabilities.js';
export { createArrhythmiaMonitor } from './arrhythmia/create-arrhythmia-monitor.js';
export type {
  ArrhythmiaMonitor,
  ArrhythmiaMonitorOptions,
} from './arrhythmia/create-arrhythmia-monitor.js';
export type { RhythmTrackerOptions } from './arrhythmia/create-rhythm-tracker.js';
export { AF_MIN_DURATION_MS } from './arrhythmia/create-rhythm-tracker.js';
export { createAtrialActivityTracker } from './arrhythmia/create-atrial-activity-tracker.js';
export { averageBeatResidual } from './arrhythmia/average-beat-residual.js';
export { atrialSpectrum } from './arrhythmia/atrial-spectrum.js';
export type { AtrialSpectrum, AtrialSpectrumOptions } from './arrhythmia/atrial-spectrum.js';
export type {
  AverageBeatResidual,
  AverageBeatResidualOptions,
} from './arrhythmia/average-beat-residual.js';
export type {
  AtrialActivityOptions,
  AtrialActivityTracker,
} from './arrhythmia/create-atrial-activity-tracker.js';
export type {
  BeatClassifierOptions,
  SecondLeadReliability,
} from './arrhythmia/create-beat-classifier.js';
export { loadBeatModel } from './arrhythmia/load-beat-model.js';
export type { BeatModel } from './arrhythmia/beat-model.js';
export type {
  ArrhythmiaUpdate,
  BeatClass,
  ClassifiedBeat,
  EctopicBurden,
  RhythmEpisode,
  RhythmKind,
} from './arrhythmia/types.js';
// 12-lead resting ECG interpretation: measurements, PTB-XL superclasses, criteria (issue "ecg12").
export { interpretEcg12 } from './ecg12/interpret-ecg12.js';
export type { InterpretEcg12Options } from './ecg12/interpret-ecg12.js';
export { loadEcg12Model } from './ecg12/load-ecg12-model.js';
export { measureEcg12 } from './ecg12/measure-ecg12.js';
export { measureMultiLeadQrs } from './ecg/measure-multi-lead-qrs.js';
export type { MeasureMultiLeadQrsOptions, MultiLeadQrs } from './ecg/measure-multi-lead-qrs.js';
export type { MeasureEcg12Options } from './ecg12/measure-ecg12.js';
export { assessEcg12Units } from './ecg12/assess-ecg12-units.js';
export { findFlatEcg12Leads } from './ecg12/find-flat-ecg12-leads.js';
export type { FindFlatEcg12LeadsOptions } from './ecg12/find-flat-ecg12-leads.js';
export { detectEcg12LimbReversal } from './ecg12/detect-ecg12-limb-reversal.js';
export type {
  DetectEcg12LimbReversalOptions,
  Ecg12LimbReversal,
} from './ecg12/detect-ecg12-limb-reversal.js';
export { swapEcg12LimbElectrodes, ECG12_LIMB_SWAPS } from './ecg12/swap-ecg12-limb-electrodes.js';
export type {
  Ecg12LimbSwap,
  SwapEcg12LimbElectrodesOptions,
} from './ecg12/swap-ecg12-limb-electrodes.js';
export type { Ecg12UnitsAssessment } from './ecg12/assess-ecg12-units.js';
export { interpretEcg12Rules } from './ecg12/interpret-ecg12-rules.js';
export type { Ecg12RuleScores, InterpretEcg12RulesOptions } from './ecg12/interpret-ecg12-rules.js';
export { ecg12Features, ECG12_FEATURE_NAMES } from './ecg12/ecg12-features.js';
export { predictEcg12Model } from './ecg12/predict-ecg12-model.js';
export { ECG12_CRITERIA } from './ecg12/ecg12-criteria.js';
export { ECG12_LEADS, ECG12_CLASSES } from './ecg12/ecg12-types.js';
export { ECG12_MIN_FS, ECG12_MAX_FS } from './ecg12/assert-ecg12-input.js';
export type {
  Ecg12Class,
  Ecg12Finding,
  Ecg12Lead,
  Ecg12LeadMeasurements,
  Ecg12Measurements,
  Ecg12Model,
  Ecg12Probabilities,
  Ecg12Result,
} from './ecg12/ecg12-types.js';
// Camera heart rate (rPPG): the streaming estimator and its parts; the synthetic face
// video. Face detection is in '@vigil/signal/vision', video and JPEG decoding in '@vigil/signal/io'.
export { createRppgEstimator } from './rppg/create-rppg-estimator.js';
export type {
  RppgEstimate,
  RppgEstimator,
  RppgEstimatorOptions,
  RppgFrameInput,
  RppgMeanRgbInput,
} from './rppg/create-rppg-estimator.js';
export type {
  FaceBox,
  MeanRgb,
  PixelFrame,
  RppgConfidence,
  RppgMethod,
  RppgSignalQuality,
} from './rppg/types.js';
export { posPulse } from './rppg/pos-pulse.js';
export type { PosPulseOptions } from './rppg/pos-pulse.js';
export { chromPulse } from './rppg/chrom-pulse.js';
export type { ChromPulseOptions } from './rppg/chrom-pulse.js';
export type { RgbSeries } from './rppg/rgb-series.js';
export { pulseSpectrum } from './rppg/pulse-spectrum.js';
export type { PulseSpectrum, PulseSpectrumOptions } from './rppg/pulse-spectrum.js';
export { resampleUniform } from './rppg/resample-uniform.js';
export type { ResampleUniformOptions } from './rppg/resample-uniform.js';
export { meanSkinRgb } from './rppg/mean-skin-rgb.js';
export type { MeanSkinRgbOptions, SkinRgb } from './rppg/mean-skin-rgb.js';
export { createFaceBoxSmoother } from './rppg/create-face-box-smoother.js';
export type { FaceBoxSmoother, FaceBoxSmootherOptions } from './rppg/create-face-box-smoother.js';
export { createFaceVideoSynth } from './rppg/synth/create-face-video-synth.js';
export type {
  FaceVideoSynth,
  FaceVideoSynthOptions,
  SynthFrame,
} from './rppg/synth/create-face-video-synth.js';
export { PPG_BEAT_TEMPLATE } from './rppg/synth/ppg-template.js';
// Infant cry detection (issue "cry detection", packages/signal part).
export { detectCry } from './audio/detect-cry.js';
export type { CryDetection, DetectCryOptions } from './audio/detect-cry.js';
export { loadCryModel } from './audio/load-cry-model.js';
export type { CryModel } from './audio/cry-model.js';
export { computeAudioFrames } from './audio/compute-audio-frames.js';
export type { ComputeAudioFramesOptions } from './audio/compute-audio-frames.js';
export type { AudioFrames } from './audio/audio-frames.js';
export { createRealFft } from './spectral/create-real-fft.js';
export type { RealFft } from './spectral/create-real-fft.js';
export { encodeInt16Lossless } from './codec/encode-int16-lossless.js';
export type { EncodeInt16LosslessOptions } from './codec/encode-int16-lossless.js';
export { decodeInt16Lossless } from './codec/decode-int16-lossless.js';
