import { SignalInputError } from '../errors.js';
import { sortSmallInPlace } from '../sort-small-in-place.js';
import type { SampleView } from './beat-window.js';
import type { BeatModel } from './beat-model.js';
import {
  BEAT_FEATURE_NAMES,
  SINUS_P_FEATURE_NAMES,
  createBeatFeatureExtractor,
} from './create-beat-feature-extractor.js';
import type { BeatCluster } from './create-beat-feature-extractor.js';
import { fuseLeadProbabilities, LEAD_FUSION_RULES } from './fuse-lead-probabilities.js';
import type { LeadFusionRule } from './fuse-lead-probabilities.js';
import { predictBeatProbabilities } from './predict-beat-probabilities.js';
import type { BeatClass } from './types.js';

const PREMATURITY = BEAT_FEATURE_NAMES.indexOf('preRR/localRR');
const PREMATURITY_REGULAR = BEAT_FEATURE_NAMES.indexOf('preRR/regularRR');
const IRREGULARITY = BEAT_FEATURE_NAMES.indexOf('rrIrregularity');
const POST_OVER_PRE = BEAT_FEATURE_NAMES.indexOf('postRR/preRR');
const POST_REGULAR = BEAT_FEATURE_NAMES.indexOf('postRR/regularRR');
const CLUSTER_CORR = BEAT_FEATURE_NAMES.indexOf('clusterCorrQrs');
const CORR_QRS = BEAT_FEATURE_NAMES.indexOf('corrQrs');
const CLUSTER_WIDTH = BEAT_FEATURE_NAMES.indexOf('clusterWidth');
/**
 * Beats of a record before the prematurity rule applies, and the cold-start rule's default span
 * (the irregularity spans 16 intervals).
 */
const RULE_MIN_BEATS = 16;
/**
 * Pre RR / RR of the recent non-premature beats below which a beat is in a fast stretch (the
 * gradual-rise veto), and post RR / that RR below which the next beat is fast (reset-pause rule).
 */
const FAST_STRETCH = 0.9;
/**
 * Largest ratio between successive RR intervals (either way) that continues an SVEB run
 * (`svebRunRatio`): chosen with it on the validation runs (1.25 lost runs of DS1 record 209,
 * whose atrial tachycardia is irregular; 1.5 gained nothing more).
 */
const SVEB_RUN_STEP = 4 / 3;
/**
 * Paused-premature rule (`svebPausedProbability`): the beat's pre RR below 0.85 of the RR of the
 * recent non-premature beats, its post RR at least 1.3 times its pre RR and at least 1.05 times
 * that RR (a pause longer than the sinus cycle), the previous beat not fast (pre RR at least
 * `FAST_STRETCH` of that RR). Chosen with it on the validation runs: without the last two
 * conditions (and at 0.9 and 1.2) the rule cost 3 to 5 points of leave-one-record-out SVEB +P,
 * most in the atrial fibrillation and flutter of DS1 record 203 and on VEBs the model called N.
 */
const PAUSED_PREMATURITY = 0.85;
const PAUSED_POST_OVER_PRE = 1.3;
const PAUSED_POST_REGULAR = 1.05;

/**
 * Sinus-cycle floor (`svebSinusFloor`): sinus cycles needed before it applies, and the post RR /
 * pre RR from which a beat counts as followed by a resetting pause (the reset-pause rule's
 * default 1.2): its interval is not taken as a sinus cycle (a missed atrial premature beat's),
 * and an SVEB call with such a pause is left to the other rules.
 */
const SINUS_FLOOR_MIN_CYCLES = 8;
const SINUS_FLOOR_PAUSE = 1.2;
/**
 * Sinus-cycle reference (`svebSinusRefBeats`): the last sinus cycles whose median is the
 * reference (16, the span of the RR of the recent non-premature beats it stands in for), and the
 * least number of them. 4 rather than the floor's 8: where premature beats outnumber sinus beats
 * two beats called N in a row are rare (DS1 probe at 75 % SVEBs, shipped model: a third of the
 * beats had 8 sinus cycles behind them).
 */
const SINUS_REF_CYCLES = 16;
const SINUS_REF_MIN_CYCLES = 4;
/** Position of pre RR / upper RR (`svebSinusFloorMinUpper`). */
const PRE_UPPER = BEAT_FEATURE_NAMES.indexOf('preRR/upperRR');

export interface BeatClassifierOptions {
  /** Sampling rate in Hz (required). */
  fs: number;
  /** Trained parameters (required; `loadBeatModel()` gives the shipped model). */
  model: BeatModel;
  /**
   * Track the sinus P-wave template (`sinusPConsistency` of the verdicts) even when the model
   * does not use the sinus P-wave features, default false (the arrhythmia monitor sets it for
   * `keepSvebSinusPConsistency`).
   */
  sinusPState?: boolean;
  /**
   * A beat whose slope contrast (BeatWindow.slopeContrast) is below this counts as noise-like,
   * default 6: white noise stays below 5.3, 99% of MIT-BIH DS1 beats are above 6.6.
   */
  noiseSlopeContrast?: number;
  /**
   * Probability the model must give VEB before a beat is called VEB, default 0.5; below it the
   * most probable other class is reported. One global operating point, chosen on the validation
   * data only (the leave-one-record-out CV of `npm run train:beats` over DS1 and the QT
   * Database's SVDB records, and its leave-one-database-out run, `--lodo`; README): 0.6 gave
   * more VEB +P there but less Se (LORO end to end 86.9 / 91.3% against 90.7 / 90.0%). Applied
   * after the cluster vote; 0 gives the plain argmax.
   */
  minVebProbability?: number;
  /**
   * Probability the model must give SVEB before a beat is called SVEB, default 0.5. Chosen on
   * the same validation runs: from one database to the other (`--lodo`) SVEB sensitivity is the
   * target that fails, and 0.5 gave the most of it with +P above 60% both ways (DS1 54.0 / 60.4%,
   * SVDB 75.0 / 81.3% against 52.0 / 63.4% and 65.9 / 83.4% at 0.6; LORO end to end 84.3 / 71.1%
   * against 82.9 / 76.0%). 0 gives the plain argmax.
   */
  minSvebProbability?: number;
  /**
   * Cluster vote: once a beat's morphology cluster (createBeatFeatureExtractor) holds at least
   * this many beats, this one included, its VEB probability is the running mean of the model's
   * VEB probability over the cluster's members (the last ~32, exponentially), default 5; 0
   * turns the vote off. A patient's ectopic beats of one focus look alike, so the cluster decides
   * rather than each noisy beat (after the cluster-level labelling of Llamedo & Martinez 2012,
   * here without an expert). The other classes keep their proportions.
   */
  clusterVoteMembers?: number;
  /**
   * Fusion rule: a beat that would be called VEB is called F when it is not premature (pre RR /
   * local RR at least `fusionMinPrematurity`, default 0.9, the extractor's own limit for a
   * non-premature beat), its QRS fits as alpha x the record's main normal cluster + beta x its
   * main ventricular cluster with a normal share alpha / (alpha + beta) within `fusionMix`
   * (default [0.3, 1]), and that two-shape fit leaves at most `fusionMaxResidualRatio` (default
   * 0.8) of the residual energy the ventricular shape alone leaves. A fusion beat is a sinus
   * beat and a ventricular one depolarising the ventricles together: it comes at the sinus time
   * and its QRS lies between the two shapes (EC57 class F). Both shapes are the record's own
   * clusters (the cluster vote tells which are ventricular), so the rule needs no fusion beats
   * to learn from: DS1 holds 415, 373 of them in record 208, so with 208 held out the model
   * has 42 and calls F beats VEB. In the leave-one-record-out CV, at the VEB threshold 0.6, the
   * rule took end-to-end false VEB from 579 to 301 (F Se 2 -> 59%; 368 with the limit 0.7;
   * README). Clusters count once they have `clusterVoteMembers` members.
   * `fusionMaxResidualRatio` 0 turns the rule off.
   */
  fusionMix?: readonly [number, number];
  fusionMinPrematurity?: number;
  fusionMaxResidualRatio?: number;
  /**
   * Prematurity rule: a beat the model would call N is called SVEB when its pre RR is below
   * `svebPrematurity` of both the local RR (median of the last 8) and the RR of the recent
   * non-premature beats, while the rhythm is regular: the median absolute successive RR
   * difference over the last 16 intervals (the rrIrregularity feature) is below
   * `svebMaxIrregularity` (default 0.1) of the average RR. Default 0 (off): at 0.8 it changed
   * the leave-one-record-out SVEB Se by 0.2 points and cost 0.9 points of +P (README). It
   * applies from the 17th beat of a record on (the irregularity needs a history).
   */
  svebPrematurity?: number;
  /**
   * Regularity limit (rrIrregularity, default 0.1) of the prematurity rule above and of the
   * run-continuation rule (`svebRunRatio`), which continues only runs that begin in a regular
   * rhythm.
   */
  svebMaxIrregularity?: number;
  /**
   * Gradual-rise veto, from the patient's own rhythm: a beat that would be called SVEB is given
   * the most probable other class when it belongs to a stretch of fast beats (pre RR below 0.9
   * of the RR of the recent non-premature beats, the preRR/regularRR feature) that was entered
   * gradually: no RR of the stretch, its first included, is shorter than `svebGradualRatio` of
   * the RR before it. A sinus rate rise (exercise, arousal) shortens the cycle over several
   * beats; an atrial premature beat and the onset of a supraventricular run come abruptly. The
   * held-out QT Database's false SVEBs were mostly runs of sinus-rate rises (README). Default
   * 0.9, chosen on the validation runs only (`npm run train:beats -- ... --lodo --sweep`,
   * README): SVEB +P rose 71.1 -> 74.3% (leave-one-record-out), 60.4 -> 61.5% and 81.3 -> 85.8%
   * (from one database to the other) for at most 0.5 points of Se; 0.88 cost over a point of Se,
   * 0.92 and 0.95 gained less. 0 turns it off.

   */
  svebGradualRatio?: number;
  /**
   * Reset-pause rule, from the patient's own rhythm: a beat that would be called SVEB, that does
   * not continue a run the model calls SVEB (the model, at the thresholds, did not call the
   * previous beat SVEB) and whose next beat is not fast (post RR at least 0.9 of the RR of the
   * recent non-premature beats, the postRR/regularRR feature), is given the most probable other
   * class unless its post RR is at least `svebResetPause` times its pre RR. An atrial premature
   * beat usually resets the sinus node, so a pause follows it; a sinus cycle shortened by sinus
   * arrhythmia is followed by a cycle near its own length. The onset of a fast stretch (the next
   * beat fast too: a supraventricular run or a sinus-rate step) is left to the model and the
   * gradual-rise veto. Default 1.2, chosen on the validation runs only (`npm run train:beats --
   * ... --lodo --sweep`, README): SVEB +P rose 74.3 -> 77.1% (leave-one-record-out), 61.5 ->
   * 65.1% and 85.8 -> 87.5% (from one database to the other) for at most 0.7 points of Se; 1.25
   * cost 1.3 points of leave-one-record-out Se, 1.1 and 1.15 gained less. 0 turns it off.
   */
  svebResetPause?: number;
  /**
   * Sinus-cycle reference of the gradual-rise veto and the reset-pause rule, kept while the sinus
   * P wave recurs: while one of the last `svebSinusRefBeats` beats, this one included, was a
   * post-pause beat whose P wave matched the sinus P template (the feature extractor's
   * `sinusPMatch`), the two rules judge a beat against the longer of the RR of the recent
   * non-premature beats and the median of the last 16 sinus cycles (the intervals between two
   * beats called N that the sinus-cycle floor collects, `svebSinusFloor`; 4 at least) instead of
   * the former alone. Where atrial premature beats outnumber sinus beats (sinus rhythm with very
   * frequent APBs and long pauses: issue 18, one unseen record held three quarters of the SVEBs)
   * the "recent non-premature" beats are the premature beats themselves, so the premature beats
   * no longer read as fast against their own RR and the reset-pause rule removed SVEBs the
   * network had called. The sinus cycles keep the sinus node's own rate. Inside atrial
   * fibrillation the collected "sinus cycles" are AF intervals, against which AF beats read as
   * premature: ungated, the rules stopped vetoing SVEB calls in AF (CPSC 2021 development non-AF
   * time called AF 0.5 -> 0.9 % with the AF model retrained). After each pause of sinus rhythm the
   * sinus node fires with its own P wave, every few beats; in AF the beats after the long
   * intervals have no common P wave (the arrhythmia monitor's `keepSvebSinusPConsistency` reads
   * the same evidence), so the reference lapses within this many beats of AF onset. Default 16,
   * chosen on the validation runs only (`npm run train:beats -- ... --lodo --score-other-leads
   * --classifier '{"svebSinusRefBeats":16}'`, seeds 1 and 2, and `npm run eval:cross-db -- ...
   * --only dev` with the AF model retrained; README): SVEB-dominant probe at 75 % SVEBs 66.4 ->
   * 75.0 % SVEB Se (seed 2: 67.2 -> 74.6 %), leave-one-record-out SVEB within 0.2 point, VEB
   * unchanged. With 8 sinus cycles at least the gain was 4.4 and 2.6 points (8 beats: 3.4 and
   * 2.1); gating on `sinusPConsistency` >= 0.6 instead (its last 8 post-pause beats outlive AF
   * onset) gained 4.8 and 2.7 points and cost 1.4 points of seed-2 SVEB +P (DS1 record 207).
   * 0 turns it off. Tracks the sinus P template when above 0.
   */
  svebSinusRefBeats?: number;
  /**
   * Normal-shape cluster veto, from the patient's own beats: a beat still called VEB after the
   * fusion rule is given the most probable class other than VEB and SVEB when its morphology
   * cluster (createBeatFeatureExtractor) is shaped like the patient's normal beat: its members'
   * QRS correlate on average at least `vebNormalClusterCorr` (default 0.9) with the running
   * template of recent non-premature beats and their width ratio to it averages below
   * `vebNormalClusterWidth` (default 0: off; 1.05 was measured). A ventricular beat spreads through the myocardium,
   * not the bundle branches, so its QRS differs in shape or width from the patient's usual one
   * (the morphology half of the AAMI V class; de Chazal et al. 2004 use QRS width and shape for
   * the same reason). The cluster vote could carry a secondary cluster of normal beats over the
   * VEB threshold (a few premature members with a high VEB probability lift the running mean):
   * most false VEBs from DS1 to the SVDB records were such beats. A noise-like beat, which joins
   * no cluster, is judged on its own correlation and width. Measured on the validation runs
   * (`npm run train:beats -- ... --lodo --score-other-leads --sweep`, README) at 0.9 / 1.05: VEB
   * +P from DS1 to the SVDB records 78.5 -> 87.6% and leave-one-record-out 90.0 -> 90.3% with no
   * VEB lost there, from SVDB to DS1 one false VEB fewer; the other leads lose 0.6 points of VEB
   * Se for 1.9 of +P. Off by default: on the first leads the whole gain is one record's (sel821),
   * on the other leads mostly one lead of one record (201's V1), and it changed no held-out
   * figure; rules that drew their gain from one record did not carry over to unseen patients
   * before (issue 18), so it stays an option until more data judges it.
   */
  vebNormalClusterCorr?: number;
  vebNormalClusterWidth?: number;
  /**
   * Run-continuation rule, from the patient's own rhythm: a beat the model calls N right after a
   * beat called SVEB (after the rules above) is SVEB too when its pre RR is below `svebRunRatio`
   * times the RR of the recent non-premature beats as it was at the run's first beat (the sinus
   * cycle the run interrupted) and within a factor 4/3 of the previous RR (the run goes on at its
   * own, not quite regular, rate). Within a few beats of a supraventricular run the running RR
   * statistics (the local median, the RR of the recent non-premature beats) are the run's own, so
   * the model reads the run's later beats as the patient's rhythm: trained on the SVDB records
   * (few long runs), it found the onsets of DS1's atrial tachycardia runs (records 207, 209) and
   * called the rest N. The anchor is fixed at the run's first beat, so the run ends at the pause
   * after it or when the rate falls back towards the sinus cycle; a run whose first beat no rule
   * keeps SVEB (a gradual rise, a lone beat without a reset pause) is not continued, nor one that
   * begins in an irregular rhythm (rrIrregularity at its first beat not below
   * `svebMaxIrregularity`: in atrial fibrillation or flutter, DS1 record 203, continued runs were
   * false). Default 0.8, chosen on the validation runs only (`npm run train:beats -- ... --lodo
   * --sweep`, README): SVEB Se from SVDB to DS1 rose 53.1 -> 79.2% (+P 65.1 -> 73.3%),
   * leave-one-record-out 83.1 -> 83.5% (+P 77.1 -> 77.0%), from DS1 to SVDB unchanged (74.8 /
   * 87.5%); 0.75 and 0.85 gave within 0.3 point of the same, a step limit of 1.25 instead of 4/3
   * lost 6 points of Se from SVDB to DS1 (atrial tachycardia is irregular). 0 turns it off.
   */
  svebRunRatio?: number;
  /**
   * Paused-premature rule, from the patient's own rhythm: a beat the model calls N (SVEB, at
   * under its threshold, not the most probable class) is SVEB when its SVEB probability is at
   * least `svebPausedProbability` and it has the RR pattern of an atrial premature beat in sinus
   * rhythm: it comes after a beat at the usual rate (pre RR at least 0.9 of the RR of the recent
   * non-premature beats), it is premature (pre RR below 0.85 of that RR) and a resetting pause
   * follows it (post RR at least 1.3 times its pre RR and at least 1.05 times that RR). A model
   * trained on DS1 gave the lone atrial premature beats of the SVDB records with frequent APBs
   * (sel821, sel891) SVEB probabilities of 0.2 to 0.5. Default 0.2, chosen on the validation runs
   * only (`npm run train:beats -- ... --lodo --sweep`, README): SVEB Se from DS1 to SVDB rose
   * 74.8 -> 85.0% (+P 87.5 -> 88.5%), leave-one-record-out +P fell 0.7 points with the
   * run-continuation rule on; 0.3 gained 1.4 points less. 0 turns it off.
   */
  svebPausedProbability?: number;
  /**
   * Cold-start rule: over a record's (a stream's) first `svebColdStartBeats` beats, before the
   * running RR statistics have a history (the local median spans 8 intervals, the RR of the
   * recent non-premature beats and the irregularity 16), a beat that would be called SVEB keeps
   * that call only as a lone atrial premature beat judged from its own neighbours: the previous
   * beat not SVEB, its pre RR below 0.9 of the previous RR (premature against the one interval
   * known before it) and a resetting pause after it (post RR at least `svebResetPause` times its
   * pre RR); otherwise it is given the most probable other class. With a few intervals known the
   * features compare a beat with one to a few cycles, so a sinus cycle shortened by sinus
   * arrhythmia or a rate step reads as premature, and a run cannot be told from a new sinus
   * rate. Default 16 (the span of the irregularity feature and of the RR of the recent
   * non-premature beats), chosen on the development and validation data only (`npm run
   * train:beats -- ... --lodo --sweep`, `npm run eval:cross-db -- ... --only dev`, README): SVEB
   * calls on the CinC 2017 development normal-rhythm strips 17.4 -> 12.0 per 1,000 beats (strips
   * with a call 806 -> 644 of 2,546), no SVEB lost in any validation run (false SVEBs 397 -> 391
   * leave-one-record-out, 271 -> 267 from SVDB to DS1); 8 and 12 gave 14.3 and 13.2 per 1,000,
   * 24 10.3 (past the statistics' span). 0 turns it off.
   */
  svebColdStartBeats?: number;
  /**
   * Sinus-cycle floor, from the patient's own sinus rhythm: a beat that would be called SVEB,
   * does not continue a run (the previous beat was not SVEB) and is not followed by a resetting
   * pause (post RR below 1.2 times its pre RR) is given the most probable other class when its
   * pre RR is at least `svebSinusFloorMinUpper` of the upper RR and `svebSinusFloor` times the
   * short end of the patient's recent sinus
   * cycles: the `svebSinusFloorQuantile` quantile (default 0.1) of the last
   * `svebSinusFloorBeats` (default 32) RR intervals between two beats called N whose next
   * interval is not such a pause (a missed atrial premature beat's interval is followed by one).
   * Respiratory sinus arrhythmia shortens the cycle with every breath, by about the same amount
   * breath after breath, so a beat not clearly shorter than the shortest sinus cycles the
   * patient has just had is no more premature than the patient's sinus arrhythmia: prematurity
   * is judged against the range of the patient's own beat-to-beat variation rather than a fixed
   * share of a running median (the record-adaptive criterion of Berntson et al., "An approach to
   * artifact identification: application to heart period data", Psychophysiology 27(5):586-598,
   * 1990, whose limits come from the record's own distribution of successive differences).
   * Atrial premature beats couple at 50 to 85 % of the sinus cycle (Killip & Gault, Am Heart J
   * 70:172, 1965) and usually reset the sinus node (the pause, exempt here); breathing swings
   * the cycle by a few to 15 % (Hirsch & Bishop, Am J Physiol 241:H620, 1981). The N verdicts
   * the rule gives enter the sinus cycles, so once the short end of a breath is read as sinus it
   * stays so. Default 0.9, chosen on the development data only (`npm run train:beats -- ...
   * --sweep`, seeds 1 and 2, and the `mitdb-sinus-arrhythmia` rows of `npm run eval:cross-db
   * -- --only dev`; README), with the AF model retrained after it: SVEB calls in the DS1
   * sinus-arrhythmia probe 12.3 -> 2.4 per 1,000 beats (± 15 %: 31.4 -> 6.0),
   * leave-one-record-out SVEB 85.9 / 79.7 -> 85.4 / 81.1 % (seed 2: 85.7 / 77.6 -> 85.5 /
   * 78.5 %), VEB unchanged; 0.93 and 0.95 left more of the probe's calls for at most 0.1 point
   * more Se, and without the pause exemption the DS1 records lost 1.3 points of SVEB Se at 0.95.
   * 0 turns it off. Needs 8 sinus cycles; see also `svebSinusFloorMinUpper`.
   */
  svebSinusFloor?: number;
  svebSinusFloorQuantile?: number;
  svebSinusFloorBeats?: number;
  /**
   * Sinus-cycle floor: least pre RR / upper RR (the slow end of the last ~5 min of RR, the
   * extractor's `preRR/upperRR`) of an interval taken as a sinus cycle and of a beat the floor
   * judges, default 0.65. Breathing swings the cycle by up to about ± 15 %, so a sinus cycle
   * stays above about 0.7 of the slowest ones; where premature beats outnumber sinus beats (the
   * SVEB-dominant probe, sick sinus syndrome) the model misses some, and without this limit
   * their intervals filled the sinus cycles and the floor reported the next premature beats N
   * (the SVEB-dominant probe of DS1, model trained on the SVDB records: SVEB Se at 75 % SVEBs
   * 63.0 -> 23.9 %; with the limit 63.0 as without the rule). 0.7 gave less leave-one-record-out
   * SVEB +P (80.2 against 81.3 %, seed 1, before the AF model was retrained).
   */
  svebSinusFloorMinUpper?: number;
  /**
   * Odd-detection rule: a beat that would be SVEB is reported as the most probable other class when
   * the detection before it is odd (QRS correlation with the running template below
   * `svebOddCorr`, or noise-like), its own QRS is like the template, and the previous beat's
   * pre RR + its own pre RR lie within `svebOddCycleMin`..`svebOddCycleMax` of the reference
   * RR (the one of the gradual-rise and reset-pause rules). The two intervals then make one sinus
   * cycle: the odd detection was no beat (a T wave or artefact taken for a QRS) or an
   * interpolated one, and this beat is the on-time sinus beat after it, whose short pre RR and
   * full post RR the model reads as an atrial premature beat and its pause. The rule changes the
   * reported class only (`BeatVerdict.class`): its decisions feed no other rule's state, and
   * `rhythmClass`, which the rhythm side reads, is the verdict without it. On the CinC 2017
   * development normal-rhythm strips (AliveCor, single lead) such beats were 439 of the 1,200
   * SVEB calls (throwaway diagnosis on the dev strips). Lower bound 0.9: below it the beat is
   * premature even counted from the beat before the odd one, and a real atrial premature beat
   * after an interpolated or odd beat keeps its call. Upper bound 1.25: breathing swings the
   * sinus cycle by up to about ± 15 % (see `svebSinusFloor`), while true SVEBs after a real
   * ventricular or aberrated beat had the two intervals at 1.3 to 1.9 of the reference (DS1 and
   * SVDB records) and a full compensatory pause makes 2. Without the upper bound and the
   * own-shape condition the rule cost 2.3 points of leave-one-record-out SVEB Se and 2.8 of
   * SVDB -> DS1. Default 0.9 (on), chosen on the development data only (`npm run train:beats --
   * ... --sweep`, seeds 1 and 2; `npm run eval:cross-db -- ... --only dev` and `--only val`;
   * README): CinC 2017 dev N strips 1,200 -> 883 SVEB calls (12.1 -> 8.9 per 1,000 beats),
   * leave-one-record-out SVEB 85.6 / 80.9 -> 85.5 / 81.9 % (seed 2: 85.6 / 78.2 -> 85.5 /
   * 79.3 %), VEB and every AF figure unchanged; also judging the odd detection itself (pre +
   * post RR in the same window) removed 1,200 -> 728 calls but cost 0.8 point of SVEB Se (the
   * split-cycle rule, `svebSplitCycleMin`, judges it, sparing beats after an SVEB verdict). 0
   * turns it off.
   */
  svebOddCycleMin?: number;
  /** Odd-detection rule: most (previous pre RR + own pre RR) / reference RR, default 1.25. */
  svebOddCycleMax?: number;
  /**
   * Odd-detection rule: QRS correlation with the running template (the `corrQrs` feature) below
   * which a detection is odd and at or above which the judged beat has the normal shape,
   * default 0.8 (the odd detections before CinC 2017 calls had a median of 0.11).
   */
  svebOddCorr?: number;
  /**
   * Split-cycle rule: an SVEB verdict on a detection that is itself odd (QRS correlation with the
   * running template below `svebSplitCorr`, or noise-like) is reported Q (unclassifiable) when the
   * verdict of the detection before it was not SVEB and its own pre RR + the next detection's pre
   * RR lie within `svebSplitCycleMin`..`svebSplitCycleMax` of the reference RR (that of the
   * odd-detection rule). A T wave or an artefact taken for a beat sits inside a sinus cycle and the
   * next sinus beat comes on time, so the two intervals split one cycle; a real atrial premature
   * beat, aberrated or not, resets the sinus node and is followed by a non-compensatory pause
   * (longer than one cycle, shorter than two minus the coupling), so its pre RR + post RR lies
   * between 1 + its coupling and 2 cycles (1.6 to 2 for a coupling of 0.6 to 0.8). The next
   * detection is already known (the classifier judges a beat when the next one is detected, for its
   * post RR), so the rule needs no further delay. Q, not the most probable other class: the
   * detection is judged not to be a beat at all (as the early-noise rule, `noiseEarlyRatio`,
   * reports its detections), N would count a T wave as a sinus beat, and EC57 scoring leaves Q out
   * of the VEB and SVEB figures. Spared: a beat after an SVEB verdict (the second and later beats
   * of a run of aberrated premature beats, whose intervals can also add to one cycle: with this
   * gate dropped the in-sample DS1 calls lost 11 beats of a run in record 207), a premature beat of
   * the normal shape, and one followed by its pause. Not spared: the first beat of a run at twice
   * the sinus rate, which one beat of look-ahead cannot tell from a false detection. Like the
   * odd-detection rule it changes the reported class only (`rhythmClass` is the verdict without
   * it). Default 0.9 (on), chosen on the development data only (`npm run eval:cross-db -- ...
   * --only dev` and `--only val`; `npm run train:beats -- ... --lodo --score-other-leads --sweep`,
   * seeds 1 and 2; README): CinC 2017 dev N strips 883 -> 712 SVEB calls (8.9 -> 7.2 per 1,000
   * beats), leave-one-record-out SVEB 85.5 / 81.9 -> 85.5 / 82.5 % (seed 2: 85.5 / 79.3 -> 85.5 /
   * 79.9 %), SVDB -> DS1 82.3 / 73.2 -> 82.2 / 73.6 %, VEB, F and every AF figure unchanged. 0
   * turns it off.
   */
  svebSplitCycleMin?: number;
  /** Split-cycle rule: most (own pre RR + next pre RR) / reference RR, default 1.25. */
  svebSplitCycleMax?: number;
  /**
   * Split-cycle rule: QRS correlation with the running template below which a detection may be
   * judged, default 0.9: with 0.8 (the odd-detection rule's `svebOddCorr`) 745 of the 883 CinC
   * 2017 dev N-strip calls stayed (712 with 0.9) for the same leave-one-record-out SVEB Se.
   */
  svebSplitCorr?: number;
  /**
   * Cold-start sinus-interval rule: over the cold-start span (`svebColdStartBeats`), an SVEB
   * verdict is reported as the most probable other class unless the one interval it is judged
   * against is a sinus cycle between two beats of the normal shape: the previous detection's
   * verdict N, and neither it nor this beat odd (QRS correlation with the running template below
   * `svebOddCorr`, or noise-like). With one to a few intervals known, the cold-start rule reads
   * prematurity from the previous RR alone; when the beat before is a T wave, an artefact or an
   * ectopic beat (or this detection is one), that RR is no sinus cycle and the template of the
   * first beats too young to tell. Reported class only, like `svebOddCycleMin`. Default true
   * (CinC 2017 development normal strips: 712 → 547 SVEB calls, no leave-one-record-out figure
   * lower; README, "Measured").
   */
  svebColdStartSinusInterval?: boolean;
  /**
   * Two-lead classification, default false: `next` then takes a second lead's samples
   * (`secondView`) at the same R peaks, a second feature extractor follows that lead with its
   * own running templates, RR statistics and morphology clusters, the model's probabilities on
   * it get its own cluster vote, and the two leads' probabilities are combined (`leadFusion`)
   * before the thresholds and every rule below. The rules' RR features, clusters, sinus P state
   * and noise guards stay the first lead's. One lead can show a ventricular beat barely unlike
   * the normal ones (a QRS axis along which the two look alike) that another lead shows clearly
   * (de Chazal et al. 2004 and Llamedo & Martinez 2011 classify from two leads for this reason).
   * Off by default, measured and not adopted: in the leave-one-record-out validation on the first
   * lead (`npm run train:beats -- ... --two-lead mean,log-mean,confidence`, README) every rule
   * raised VEB +P (91.3 -> 93.0 to 93.7 %) and lowered VEB Se (90.6 -> 87.4 to 89.2 %) and SVEB
   * Se (85.5 -> 83.8 to 84.5 %): a model trained on one lead at a time is weaker on the second
   * leads (V1 mostly), and DS1 record 203's V1 cost 70 to 115 of its VEBs.
   */
  secondLead?: boolean;
  /**
   * With `secondLead`: how the two leads' probabilities are combined (`fuseLeadProbabilities`;
   * a lead whose beat is noise-like does not vote), default `mean`.
   */
  leadFusion?: LeadFusionRule;
  /**
   * With `secondLead`: how far the second lead is trusted on this record, default `none` (both
   * leads vote as `leadFusion` weighs them). Issue 18: fused on every beat, a second lead like V1
   * cost DS1 record 203 70 to 115 VEBs while the SVDB records' similar Holter leads gained.
   * - `template`: each lead weighs 1 / (1 − r), r its running mean (last 32) of the QRS
   *   correlation with its own template over the beats it calls N itself (floored at 0.01): a
   *   lead whose normal beats repeat one shape is trusted more than one whose normal beats vary.
   * - `cluster-map`: the second lead votes only where its cluster is the one the first lead's
   *   cluster usually maps onto (its running share, last 32 beats of the first lead's cluster,
   *   at least 0.8): where the two leads' groupings of the beats disagree, the second is ignored.
   * - `veb-only`: the second lead informs only the VEB probability (QRS morphology), the rest
   *   keeps the first lead's proportions: the SVEB call (timing, P wave) stays the first lead's.
   * - `template-veb-only`: as `veb-only`, with the VEB probability pooled under the `template`
   *   weights (the second lead informs only VEB, and only as far as its normal beats repeat).
   * - `template-split`: the VEB probability as `veb-only` gives it (both leads, equal
   *   reliability), the other classes sharing the rest in the proportions of the
   *   `template`-weighted pool (the second lead's SVEB / N evidence counts as far as its normal
   *   beats repeat).
   * Off by default, measured and not adopted (docs/arrhythmia-choices.md, "Per-lead reliability"):
   * on the confidence rule, leave-one-record-out VEB / SVEB Se and +P summed 353.9, 351.5,
   * 352.5, 354.2 and 352.3 (`template`, `cluster-map`, `veb-only`, `template-veb-only`,
   * `template-split`) against 351.0 with one lead (the rule asked for 355.0), and only `veb-only`
   * kept every CPSC 2021 development AF episode (the other four found 9 of 10). `template-veb-only`
   * matching `template` shows that its gain (and a lost episode) comes through the VEB
   * probability, not through the second lead's SVEB evidence.
   */
  secondLeadReliability?: SecondLeadReliability;
  /**
   * With `secondLead`: a joint two-lead model (issue 18), default none. Its features are the
   * first lead's BEAT_FEATURE_NAMES followed by second-lead features named `lead2:<base name>`
   * (JOINT_SECOND_LEAD_PREFIX; each relative to the second lead's own template, clusters and
   * RR statistics, from the second feature extractor): one network reads both leads' morphology
   * with the shared RR, in place of the one-lead model run per lead and `leadFusion`. Its
   * probabilities get the first lead's cluster vote. One-lead input (no `secondLead`) keeps
   * `model`. Trained by `train:beats --joint`. None shipped, measured and not adopted
   * (docs/arrhythmia-choices.md, "Joint two-lead model"): leave-one-record-out VEB / SVEB Se and
   * +P summed 347.4, 350.4 and 352.2 over three variants against 351.0 with one lead (the rule
   * asked for 355.0), and each lost a CPSC 2021 development AF episode.
   */
  jointModel?: BeatModel;
  /** Pacing-spike indicator above which a beat counts as paced, default 0.5 (DS1 beats: < 0.25). */
  spikeRatio?: number;
  /** Recent beats over which noise and pacing are judged, default 16. */
  contextBeats?: number;
  /** Share of noise-like (or paced) recent beats that makes the context noisy (paced), default 0.5. */
  contextShare?: number;
  /**
   * A noise-like beat (see `noiseSlopeContrast`) whose pre RR is below this share of the local
   * RR (`preRR/localRR`) is Q, whatever the context, default 0.5; 0 turns the rule off. A
   * deflection with no QRS standing out that comes less than half a cycle after a beat is the
   * T wave or an artefact that the detector took for a beat: on leads whose T wave is large
   * against a small QRS (V1) such detections were mostly called VEB or SVEB (README).
   */
  noiseEarlyRatio?: number;
}

export interface BeatVerdict {
  /** The reported class: `rhythmClass` after the odd-detection rule (see `svebOddCycleMin`). */
  class: BeatClass;
  /**
   * The class before the odd-detection rule, which the rhythm side reads (the AF window
   * features of the rhythm tracker and the P-wave tracker's choice of supraventricular beats in
   * `createArrhythmiaMonitor`). The shipped AF window model was trained on these verdicts
   * (`npm run train:af`); fed the reported classes instead, it would have to be retrained, and
   * a retrain on a few changed verdicts moved the ensemble to another optimum that lost AF strips
   * and called more ectopy AF (README, "measured and not kept"). The rule's own decisions do not
   * feed the classifier's state either, so this is the verdict of the classifier without it.
   */
  rhythmClass: BeatClass;
  /** Class probabilities in the order of `model.classes` (after the cluster vote on VEB). */
  probabilities: Float64Array;
  noiseLike: boolean;
  paced: boolean;
  /** The recent context is mostly noise: the beat is reported as Q (unclassifiable). */
  noisyContext: boolean;
  /** The recent context is mostly paced beats: the beat is reported as Q (paced, AAMI Q). */
  pacedContext: boolean;
  /**
   * Fit of the beat's QRS as a mix of the record's main normal and main ventricular clusters (see
   * `fusionMix`), or null while the record has no voted cluster of either kind.
   */
  fusion: FusionFit | null;
  /**
   * The feature extractor's `sinusPConsistency` after this beat (post-pause beats with a
   * recurring sinus P wave); 0 unless the model uses the sinus P-wave features or `sinusPState`
   * is set.
   */
  sinusPConsistency: number;
  /**
   * The feature extractor's `sinusPWave` for this beat: its P wave matched the sinus P template,
   * whatever its timing; false unless the model uses the sinus P-wave features or `sinusPState`
   * is set.
   */
  sinusPWave: boolean;
}

/** Least-squares fit of a QRS as alpha * normal + beta * ventricular (QRS_GRID_MS bins). */
export interface FusionFit {
  /** Share of the normal shape in the mix, alpha / (alpha + beta). */
  mix: number;
  /** Residual energy of the two-shape fit over the beat's energy. */
  residual: number;
  /** Residual energy of the best scaled ventricular shape alone, over the beat's energy. */
  residualV: number;
  /** Residual energy of the best scaled normal shape alone, over the beat's energy. */
  residualN: number;
}

function fitFusion(x: Float64Array, n: Float64Array, v: Float64Array): FusionFit | null {
  let xx = 0;
  let nn = 0;
  let vv = 0;
  let nv = 0;
  let xn = 0;
  let xv = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i] ?? 0;
    const b = n[i] ?? 0;
    const c = v[i] ?? 0;
    xx += a * a;
    nn += b * b;
    vv += c * c;
    nv += b * c;
    xn += a * b;
    xv += a * c;
  }
  const det = nn * vv - nv * nv;
  if (xx <= 1e-12 || nn <= 1e-12 || vv <= 1e-12 || det <= 1e-9 * nn * vv) return null;
  const alpha = (xn * vv - xv * nv) / det;
  const beta = (xv * nn - xn * nv) / det;
  const fitted = alpha * xn + beta * xv; // |projection|^2 = x . fit
  return {
    mix: Math.abs(alpha + beta) > 1e-9 ? alpha / (alpha + beta) : 0,
    residual: Math.max(0, xx - fitted) / xx,
    residualV: Math.max(0, xx - (xv * xv) / vv) / xx,
    residualN: Math.max(0, xx - (xn * xn) / nn) / xx,
  };
}

/** How far the second lead is trusted (see `BeatClassifierOptions.secondLeadReliability`). */
export type SecondLeadReliability =
  'none' | 'template' | 'cluster-map' | 'veb-only' | 'template-veb-only' | 'template-split';

export const SECOND_LEAD_RELIABILITIES: readonly SecondLeadReliability[] = [
  'none',
  'template',
  'cluster-map',
  'veb-only',
  'template-veb-only',
  'template-split',
];

/** Beats after which the reliability running means become exponential (as the clusters'). */
const RELIABILITY_MEMORY = 32;
/** Least share of a first-lead cluster's beats in one second-lead cluster for `cluster-map`. */
const CLUSTER_MAP_SHARE = 0.8;
/** Floor of 1 − r in the `template` weight 1 / (1 − r). */
const TEMPLATE_SPREAD_FLOOR = 0.01;

export interface BeatClassifier {
  /**
   * Classifies the beat at `peak` (absolute index); beats must come in time order. With the
   * `secondLead` option, `secondView` (required then) holds the second lead's samples, indexed
   * as `view`'s.
   */
  next(
    view: SampleView,
    prevPeak: number | null,
    peak: number,
    nextPeak: number | null,
    secondView?: SampleView,
  ): BeatVerdict;
}

/** The options that are numbers >= 0 (checked alike). */
type NonNegativeOption =
  | 'minVebProbability'
  | 'minSvebProbability'
  | 'fusionMinPrematurity'
  | 'fusionMaxResidualRatio'
  | 'svebPrematurity'
  | 'svebMaxIrregularity'
  | 'svebGradualRatio'
  | 'svebResetPause'
  | 'vebNormalClusterWidth'
  | 'svebRunRatio'
  | 'svebPausedProbability'
  | 'svebSinusFloor'
  | 'svebSinusFloorMinUpper'
  | 'svebOddCycleMin'
  | 'svebOddCycleMax'
  | 'svebOddCorr'
  | 'svebSplitCycleMin'
  | 'svebSplitCycleMax'
  | 'svebSplitCorr'
  | 'noiseEarlyRatio';

/** Options of the classifier that are counts (beats, members). */
type IntegerOption =
  'svebSinusRefBeats' | 'clusterVoteMembers' | 'svebColdStartBeats' | 'svebSinusFloorBeats';

/**
 * Stateful beat classifier: feature extraction with the record's running statistics, the
 * perceptron, the cluster vote on VEB, the VEB and SVEB probability thresholds, the
 * normal-shape cluster veto (no VEB in a cluster shaped like the patient's normal beat; off by
 * default), the fusion rule
 * (VEB at the sinus time with a QRS between the record's normal and ventricular shapes is F), the
 * gradual-rise veto (SVEB in a stretch of fast beats reached gradually is a sinus rate rise), the
 * reset-pause rule (a lone SVEB not followed by a pause is a short sinus cycle), the
 * paused-premature rule (an unsure beat with an APB's RR pattern is SVEB), the run-continuation
 * rule (a supraventricular run stays SVEB once the running RR has adapted to it), the cold-start
 * rule (before the running RR statistics exist only a lone premature beat with a resetting pause
 * is SVEB), the sinus-cycle floor (a lone SVEB without a pause, no shorter than the patient's
 * recent short sinus cycles, is sinus arrhythmia), the sinus-cycle reference of the gradual-rise
 * veto and the reset-pause rule (the patient's sinus cycles while the sinus P wave recurs after
 * the pauses, where premature beats outnumber sinus beats), the
 * prematurity rule (N clearly early in a regular rhythm is SVEB; off by default), and the noise
 * and pacing guards that turn doubtful beats into Q instead of a guess.
 */
export function createBeatClassifier(options: BeatClassifierOptions): BeatClassifier {
  // The model names its features: the base set, or the base set followed by the sinus P-wave
  // features (`sinusPFeatures`, trained with `train:beats --sinus-p-features`).
  const names = options.model.featureNames;
  const sinusPFeatures = names.length === BEAT_FEATURE_NAMES.length + SINUS_P_FEATURE_NAMES.length;
  if (
    names.length !== BEAT_FEATURE_NAMES.length &&
    (!sinusPFeatures ||
      SINUS_P_FEATURE_NAMES.some((n, i) => names[BEAT_FEATURE_NAMES.length + i] !== n))
  ) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.model',
      'model was trained on a different feature set',
    );
  }
  /** The option's value (`fallback` when unset), checked to be a number >= 0. */
  const nonNegative = (name: NonNegativeOption, fallback: number): number => {
    const value = options[name] ?? fallback;
    if (!(value >= 0)) {
      throw new SignalInputError(
        'INVALID_OPTION',
        `options.${name}`,
        `${name} must be a number >= 0`,
      );
    }
    return value;
  };
  /** The option's value (`fallback` when unset), checked to be an integer >= `min`. */
  const integerAtLeast = (name: IntegerOption, fallback: number, min: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isInteger(value) || value < min) {
      throw new SignalInputError(
        'INVALID_OPTION',
        `options.${name}`,
        `${name} must be an integer >= ${min}`,
      );
    }
    return value;
  };
  const svebSinusRefBeats = integerAtLeast('svebSinusRefBeats', 16, 0);
  const extractor = createBeatFeatureExtractor({
    fs: options.fs,
    sinusPFeatures: sinusPFeatures || options.sinusPState === true || svebSinusRefBeats > 0,
  });
  const secondLead = options.secondLead === true;
  const leadFusion = options.leadFusion ?? 'mean';
  if (!LEAD_FUSION_RULES.includes(leadFusion)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.leadFusion',
      `leadFusion must be one of ${LEAD_FUSION_RULES.join(', ')}`,
    );
  }
  const secondLeadReliability = options.secondLeadReliability ?? 'none';
  if (!SECOND_LEAD_RELIABILITIES.includes(secondLeadReliability)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.secondLeadReliability',
      `secondLeadReliability must be one of ${SECOND_LEAD_RELIABILITIES.join(', ')}`,
    );
  }
  const extractor2 = secondLead
    ? createBeatFeatureExtractor({
        fs: options.fs,
        sinusPFeatures: sinusPFeatures || options.sinusPState === true || svebSinusRefBeats > 0,
      })
    : null;
  const model = options.model;
  const jointModel = secondLead ? (options.jointModel ?? null) : null;
  /** Index in the extractor's features of each joint-model feature (first lead, then second). */
  const jointIndex = jointModel === null ? null : jointFeatureIndex(jointModel.featureNames);
  if (jointModel !== null && jointModel.classes.join() !== model.classes.join()) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.jointModel',
      'jointModel must have the classes of model',
    );
  }
  const noiseSlopeContrast = options.noiseSlopeContrast ?? 6;
  const spikeRatio = options.spikeRatio ?? 0.5;
  const contextBeats = options.contextBeats ?? 16;
  const contextShare = options.contextShare ?? 0.5;
  const minVebProbability = nonNegative('minVebProbability', 0.5);
  const noiseEarlyRatio = nonNegative('noiseEarlyRatio', 0.5);
  const minSvebProbability = nonNegative('minSvebProbability', 0.5);
  const veb = model.classes.indexOf('VEB');
  const sveb = model.classes.indexOf('SVEB');
  const clusterVoteMembers = integerAtLeast('clusterVoteMembers', 5, 0);
  const [fusionMinMix, fusionMaxMix] = options.fusionMix ?? [0.3, 1];
  if (!(fusionMinMix <= fusionMaxMix)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.fusionMix',
      'fusionMix must be [min, max] with min <= max',
    );
  }
  const fusionMinPrematurity = nonNegative('fusionMinPrematurity', 0.9);
  const fusionMaxResidualRatio = nonNegative('fusionMaxResidualRatio', 0.8);
  const f = model.classes.indexOf('F');
  const nClass = model.classes.indexOf('N');
  const svebPrematurity = nonNegative('svebPrematurity', 0);
  const svebMaxIrregularity = nonNegative('svebMaxIrregularity', 0.1);
  const svebGradualRatio = nonNegative('svebGradualRatio', 0.9);
  const svebResetPause = nonNegative('svebResetPause', 1.2);
  const vebNormalClusterCorr = options.vebNormalClusterCorr ?? 0.9;
  if (!(vebNormalClusterCorr >= -1 && vebNormalClusterCorr <= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.vebNormalClusterCorr',
      'vebNormalClusterCorr must be a number within -1..1',
    );
  }
  const vebNormalClusterWidth = nonNegative('vebNormalClusterWidth', 0);
  const svebRunRatio = nonNegative('svebRunRatio', 0.8);
  const svebPausedProbability = nonNegative('svebPausedProbability', 0.2);
  const svebColdStartBeats = integerAtLeast('svebColdStartBeats', RULE_MIN_BEATS, 0);
  const svebSinusFloor = nonNegative('svebSinusFloor', 0.9);
  const svebSinusFloorQuantile = options.svebSinusFloorQuantile ?? 0.1;
  const svebSinusFloorMinUpper = nonNegative('svebSinusFloorMinUpper', 0.65);
  if (!(svebSinusFloorQuantile >= 0 && svebSinusFloorQuantile <= 1)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.svebSinusFloorQuantile',
      'svebSinusFloorQuantile must be a number within 0..1',
    );
  }
  const svebSinusFloorBeats = integerAtLeast('svebSinusFloorBeats', 32, 1);
  const svebOddCycleMin = nonNegative('svebOddCycleMin', 0.9);
  const svebOddCycleMax = nonNegative('svebOddCycleMax', 1.25);
  const svebOddCorr = nonNegative('svebOddCorr', 0.8);
  if (svebOddCycleMax < svebOddCycleMin) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.svebOddCycleMax',
      'svebOddCycleMax must not be below svebOddCycleMin',
    );
  }
  const svebSplitCycleMin = nonNegative('svebSplitCycleMin', 0.9);
  const svebSplitCycleMax = nonNegative('svebSplitCycleMax', 1.25);
  const svebSplitCorr = nonNegative('svebSplitCorr', 0.9);
  if (svebSplitCycleMax < svebSplitCycleMin) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.svebSplitCycleMax',
      'svebSplitCycleMax must not be below svebSplitCycleMin',
    );
  }
  const svebColdStartSinusInterval = options.svebColdStartSinusInterval ?? true;
  /** The previous detection's rhythmClass was N (cold-start sinus-interval rule). */
  let prevRhythmN = false;
  /** The previous detection's QRS was unlike the template or noise-like (odd-detection rule). */
  let prevOdd = false;
  /** The previous detection's rhythmClass was SVEB (split-cycle rule). */
  let prevRhythmSveb = false;
  /** RR (samples) between recent pairs of beats called N, not followed by a pause (sinus-cycle floor). */
  const sinusCycles: number[] = [];
  const sinusCycleScratch = new Float64Array(svebSinusFloorBeats);
  const sinusRefScratch = new Float64Array(SINUS_REF_CYCLES);
  /** Beats since the last post-pause beat with the sinus P wave (`svebSinusRefBeats`). */
  let sinceSinusPMatch = Infinity;
  /** The previous beat's verdict was N (its interval to this beat can be a sinus cycle). */
  let prevVerdictN = false;
  /** RR (samples) of the recent non-premature beats at the first beat of the current SVEB run; null outside one. */
  let runAnchorRr: number | null = null;
  /** The previous beat's verdict so far was SVEB (the run-continuation rule's run). */
  let inSvebRun = false;
  /** The previous beat's pre RR / RR of the recent non-premature beats (paused-premature rule). */
  let prevRegular = 1;
  /** The model (at the thresholds) called the previous beat SVEB: this beat continues a run. */
  let prevModelSveb = false;
  let prevRrSamples: number | null = null;
  /** Least successive-RR ratio since the current stretch of fast beats began; null outside one. */
  let stretchMinRatio: number | null = null;
  let beatsSeen = 0;
  const votes = new WeakMap<object, { members: number; vebProbability: number }>();
  const noiseFlags: boolean[] = [];
  const pacedFlags: boolean[] = [];
  const classes = model.classes as BeatClass[];
  const featureScratch = new Float64Array(extractor.nFeatures);
  // The model reads its own features, the first names.length of the extractor's (more when the
  // sinus P state is tracked for a model that does not read it): a view made once, not per beat.
  const modelFeatures =
    names.length === extractor.nFeatures
      ? featureScratch
      : featureScratch.subarray(0, names.length);
  const featureScratch2 = new Float64Array(extractor.nFeatures);
  const modelFeatures2 = featureScratch2.subarray(0, names.length);
  const probabilities2 = new Float64Array(model.classes.length);
  const jointFeatures = new Float64Array(jointIndex?.length ?? 0);
  /**
   * Cluster vote (see `clusterVoteMembers`) on `probabilities` of a beat of `cluster`, in place.
   * Each lead's clusters are its own objects, so one map holds both leads' votes.
   */
  const clusterVote = (probabilities: Float64Array, cluster: object | null): void => {
    if (cluster === null || veb < 0 || clusterVoteMembers <= 0) return;
    const own = probabilities[veb] ?? 0;
    const vote = votes.get(cluster) ?? { members: 0, vebProbability: 0 };
    vote.members++;
    vote.vebProbability += (own - vote.vebProbability) / Math.min(vote.members, 32);
    votes.set(cluster, vote);
    if (vote.members >= clusterVoteMembers && own < 1) {
      const q = vote.vebProbability;
      const scale = (1 - q) / (1 - own);
      for (let c = 0; c < probabilities.length; c++) {
        probabilities[c] = c === veb ? q : (probabilities[c] ?? 0) * scale;
      }
    }
  };
  // `secondLeadReliability` state: each lead's running QRS correlation of its own N calls
  // (`template`), and for each first-lead cluster the running share of its beats in each
  // second-lead cluster (`cluster-map`; shares below 1e-3 are dropped, so the maps stay small).
  const normalCorr = [
    { n: 0, r: 0 },
    { n: 0, r: 0 },
  ];
  const clusterMaps = new WeakMap<object, { n: number; shares: Map<object, number> }>();
  const templateWeights =
    secondLeadReliability === 'template' ||
    secondLeadReliability === 'template-veb-only' ||
    secondLeadReliability === 'template-split';
  /** `template-split`: the equal-reliability pool, whose VEB probability is kept. */
  const pooledEqual = new Float64Array(model.classes.length);
  /** The two leads' weights for this beat (updating the state above). */
  const reliability = (
    features1: Float64Array,
    p1: Float64Array,
    noisy1: boolean,
    cluster1: object | null,
    features2: Float64Array,
    p2: Float64Array,
    noisy2: boolean,
    cluster2: object | null,
  ): [number, number] => {
    if (templateWeights) {
      const leads = [
        { f: features1, p: p1, noisy: noisy1 },
        { f: features2, p: p2, noisy: noisy2 },
      ];
      leads.forEach(({ f, p, noisy }, i) => {
        const s = normalCorr[i];
        if (s === undefined || noisy || nClass < 0) return;
        let top = 0;
        for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[top] ?? 0)) top = c;
        if (top !== nClass) return;
        s.n++;
        s.r += ((f[CORR_QRS] ?? 0) - s.r) / Math.min(s.n, RELIABILITY_MEMORY);
      });
      // Before a lead has called a beat N itself, both weigh alike.
      const [a, b] = normalCorr;
      if (a === undefined || b === undefined || a.n === 0 || b.n === 0) return [1, 1];
      return [
        1 / Math.max(1 - a.r, TEMPLATE_SPREAD_FLOOR),
        1 / Math.max(1 - b.r, TEMPLATE_SPREAD_FLOOR),
      ];
    }
    if (secondLeadReliability === 'cluster-map') {
      if (cluster1 === null || cluster2 === null) return [1, 1];
      const map = clusterMaps.get(cluster1) ?? { n: 0, shares: new Map<object, number>() };
      clusterMaps.set(cluster1, map);
      map.n++;
      const a = 1 / Math.min(map.n, RELIABILITY_MEMORY);
      for (const [c, share] of map.shares) {
        const next = share * (1 - a);
        if (next < 1e-3) map.shares.delete(c);
        else map.shares.set(c, next);
      }
      const own = (map.shares.get(cluster2) ?? 0) + a;
      map.shares.set(cluster2, own);
      return own >= CLUSTER_MAP_SHARE ? [1, 1] : [1, 0];
    }
    return [1, 1];
  };
  return {
    next(view, prevPeak, peak, nextPeak, secondView) {
      if (secondLead && secondView === undefined) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'secondView',
          'the second lead is required with the secondLead option',
        );
      }
      // Used only inside this call: one array for every beat.
      // Written into featureScratch, which modelFeatures views.
      const features = extractor.next(view, prevPeak, peak, nextPeak, featureScratch);
      const w = extractor.last;
      const noiseLike = w === null || w.slopeContrast < noiseSlopeContrast;
      const paced = w !== null && w.spikeRatio > spikeRatio;
      noiseFlags.push(noiseLike);
      pacedFlags.push(paced);
      if (noiseFlags.length > contextBeats) noiseFlags.shift();
      if (pacedFlags.length > contextBeats) pacedFlags.shift();
      const share = (flags: boolean[]): number => {
        let set = 0;
        for (const flag of flags) if (flag) set++;
        return set / flags.length;
      };
      const noisyContext = noiseLike && share(noiseFlags) >= contextShare;
      const pacedContext = paced && share(pacedFlags) >= contextShare;
      let probabilities: Float64Array;
      if (jointIndex !== null && jointModel !== null && secondView !== undefined) {
        // One network over both leads: the first lead's features, then the second lead's (its
        // own extractor at the same peaks); the first lead's cluster vote.
        extractor2?.next(secondView, prevPeak, peak, nextPeak, featureScratch2);
        const n = BEAT_FEATURE_NAMES.length;
        for (let i = 0; i < jointIndex.length; i++) {
          const k = jointIndex[i] ?? 0;
          jointFeatures[i] = k < n ? (featureScratch[k] ?? 0) : (featureScratch2[k - n] ?? 0);
        }
        probabilities = predictBeatProbabilities(jointModel, jointFeatures);
        clusterVote(probabilities, extractor.lastCluster);
      } else {
        probabilities = predictBeatProbabilities(model, modelFeatures);
        clusterVote(probabilities, extractor.lastCluster);
      }
      if (jointModel === null && extractor2 !== null && secondView !== undefined) {
        // The second lead at the same peaks: its own features, probabilities and cluster vote.
        extractor2.next(secondView, prevPeak, peak, nextPeak, featureScratch2);
        const w2 = extractor2.last;
        predictBeatProbabilities(model, modelFeatures2, probabilities2);
        clusterVote(probabilities2, extractor2.lastCluster);
        const secondNoisy = w2 === null || w2.slopeContrast < noiseSlopeContrast;
        const weights = reliability(
          features,
          probabilities,
          noiseLike,
          extractor.lastCluster,
          featureScratch2,
          probabilities2,
          secondNoisy,
          extractor2.lastCluster,
        );
        const vebOnly =
          (secondLeadReliability === 'veb-only' || secondLeadReliability === 'template-veb-only') &&
          veb >= 0;
        const split = secondLeadReliability === 'template-split' && veb >= 0;
        if (split) {
          fuseLeadProbabilities(
            probabilities,
            probabilities2,
            { rule: leadFusion, firstNoisy: noiseLike, secondNoisy },
            pooledEqual,
          );
        }
        fuseLeadProbabilities(
          probabilities,
          probabilities2,
          {
            rule: leadFusion,
            firstNoisy: noiseLike,
            secondNoisy,
            weights,
            ...(vebOnly ? { onlyClass: veb } : {}),
          },
          probabilities,
        );
        if (split) {
          // VEB as `veb-only` gives it, the other classes in the weighted pool's proportions
          // (evenly if that pool gave VEB everything).
          const vebP = pooledEqual[veb] ?? 0;
          const rest = 1 - (probabilities[veb] ?? 0);
          for (let c = 0; c < probabilities.length; c++) {
            probabilities[c] =
              c === veb
                ? vebP
                : rest > 1e-12
                  ? ((probabilities[c] ?? 0) * (1 - vebP)) / rest
                  : (1 - vebP) / (probabilities.length - 1);
          }
        }
      }
      // The record's two main shapes, without labels: the heaviest cluster whose members the
      // vote calls VEB (ventricular) and the heaviest of the other voted clusters (normal). The
      // running median template is not used as the normal shape: in a run of ventricular beats
      // (all of them "not premature" against the run's own RR) it turns ventricular itself.
      let ventricular: BeatCluster | null = null;
      let normal: BeatCluster | null = null;
      for (const c of extractor.clusters) {
        const vote = votes.get(c);
        if (vote === undefined || vote.members < Math.max(clusterVoteMembers, 1)) continue;
        if (vote.vebProbability < minVebProbability) {
          if (normal === null || c.weight > normal.weight) normal = c;
        } else if (ventricular === null || c.weight > ventricular.weight) ventricular = c;
      }
      const fusion =
        ventricular !== null && normal !== null && w !== null
          ? fitFusion(w.qrs, normal.qrs, ventricular.qrs)
          : null;
      // Ectopic classes are called only above their probability thresholds; otherwise the most
      // probable remaining class (N or F) is reported.
      const vebAllowed = (probabilities[veb] ?? 0) >= minVebProbability;
      /** The most probable class, VEB and SVEB only where allowed. */
      const mostProbable = (svebAllowed: boolean, vebOk = vebAllowed): number => {
        let top = -1;
        for (let c = 0; c < probabilities.length; c++) {
          if ((c === veb && !vebOk) || (c === sveb && !svebAllowed)) continue;
          if (top < 0 || (probabilities[c] ?? 0) > (probabilities[top] ?? 0)) top = c;
        }
        return top;
      };
      let best = mostProbable((probabilities[sveb] ?? 0) >= minSvebProbability);
      // Whether this beat continues a run is judged on the model's calls, not on the verdicts
      // after the rules below: a run whose first beat a rule reports N stays a run.
      const continuesRun = prevModelSveb;
      const prevPreRr = prevRrSamples;
      prevModelSveb = best === sveb;
      // Gradual-rise veto (see `svebGradualRatio`). The stretch is tracked on every beat, whatever
      // its class, so it is the same whether or not the model calls its first beats SVEB.
      const rrSamples = prevPeak === null ? null : peak - prevPeak;
      const stepRatio =
        rrSamples !== null && prevRrSamples !== null && prevRrSamples > 0
          ? rrSamples / prevRrSamples
          : 1;
      prevRrSamples = rrSamples;
      // Sinus-cycle reference (see `svebSinusRefBeats`): the two rules below read pre RR and
      // post RR over max(RR of the recent non-premature beats, median sinus cycle).
      let refScale = 1;
      const regularPremature = features[PREMATURITY_REGULAR] ?? 1;
      sinceSinusPMatch = extractor.sinusPMatch ? 0 : sinceSinusPMatch + 1;
      if (
        sinceSinusPMatch < svebSinusRefBeats &&
        sinusCycles.length >= SINUS_REF_MIN_CYCLES &&
        rrSamples !== null &&
        regularPremature > 0
      ) {
        const n = Math.min(sinusCycles.length, SINUS_REF_CYCLES);
        const from = sinusCycles.length - n;
        for (let j = 0; j < n; j++) sinusRefScratch[j] = sinusCycles[from + j] ?? 0;
        sortSmallInPlace(sinusRefScratch, n);
        const sinusRr =
          n % 2 === 1
            ? (sinusRefScratch[(n - 1) / 2] ?? 0)
            : ((sinusRefScratch[n / 2 - 1] ?? 0) + (sinusRefScratch[n / 2] ?? 0)) / 2;
        const regularRr = rrSamples / regularPremature;
        if (sinusRr > regularRr) refScale = regularRr / sinusRr;
      }
      const refPremature = regularPremature * refScale;
      const refPost = (features[POST_REGULAR] ?? 0) * refScale;
      stretchMinRatio =
        refPremature < FAST_STRETCH ? Math.min(stretchMinRatio ?? stepRatio, stepRatio) : null;
      if (
        best === sveb &&
        svebGradualRatio > 0 &&
        stretchMinRatio !== null &&
        stretchMinRatio >= svebGradualRatio
      ) {
        best = mostProbable(false);
      }
      // Reset-pause rule (see `svebResetPause`); at the end of a recording (no next beat) there
      // is no post RR to judge.
      if (
        best === sveb &&
        !continuesRun &&
        svebResetPause > 0 &&
        nextPeak !== null &&
        refPost >= FAST_STRETCH &&
        (features[POST_OVER_PRE] ?? Infinity) < svebResetPause
      ) {
        best = mostProbable(false);
      }
      // Paused-premature rule (see `svebPausedProbability`).
      if (
        best === nClass &&
        svebPausedProbability > 0 &&
        sveb >= 0 &&
        !noiseLike &&
        nextPeak !== null &&
        (probabilities[sveb] ?? 0) >= svebPausedProbability &&
        (features[PREMATURITY_REGULAR] ?? 1) < PAUSED_PREMATURITY &&
        (features[POST_OVER_PRE] ?? 0) >= PAUSED_POST_OVER_PRE &&
        (features[POST_REGULAR] ?? 0) >= PAUSED_POST_REGULAR &&
        prevRegular >= FAST_STRETCH
      ) {
        best = sveb;
      }
      // Run-continuation rule (see `svebRunRatio`).
      if (
        best === nClass &&
        svebRunRatio > 0 &&
        runAnchorRr !== null &&
        rrSamples !== null &&
        stepRatio >= 1 / SVEB_RUN_STEP &&
        stepRatio <= SVEB_RUN_STEP &&
        rrSamples < svebRunRatio * runAnchorRr
      ) {
        best = sveb;
      }
      // Cold-start rule (see `svebColdStartBeats`): `beatsSeen` counts the beats before this one;
      // on a record's first two beats there is no previous RR (stepRatio 1), so no SVEB.
      if (
        best === sveb &&
        beatsSeen < svebColdStartBeats &&
        (inSvebRun ||
          stepRatio >= FAST_STRETCH ||
          nextPeak === null ||
          (features[POST_OVER_PRE] ?? 0) < svebResetPause)
      ) {
        best = mostProbable(false);
      }
      // Sinus-cycle floor (see `svebSinusFloor`): `inSvebRun` is still the previous beat's.
      if (
        best === sveb &&
        svebSinusFloor > 0 &&
        !inSvebRun &&
        rrSamples !== null &&
        sinusCycles.length >= SINUS_FLOOR_MIN_CYCLES
      ) {
        const n = sinusCycles.length;
        for (let j = 0; j < n; j++) sinusCycleScratch[j] = sinusCycles[j] ?? 0;
        sortSmallInPlace(sinusCycleScratch, n);
        const floor =
          sinusCycleScratch[Math.min(n - 1, Math.floor(svebSinusFloorQuantile * n))] ?? 0;
        const paused = nextPeak !== null && (features[POST_OVER_PRE] ?? 0) >= SINUS_FLOOR_PAUSE;
        if (
          rrSamples >= svebSinusFloor * floor &&
          !paused &&
          (features[PRE_UPPER] ?? 0) >= svebSinusFloorMinUpper
        ) {
          best = mostProbable(false);
        }
      }
      // The run's anchor: the RR of the recent non-premature beats at its first beat, kept only
      // when the rhythm before the run was regular (irregular RR, as in atrial fibrillation or
      // flutter, give no sinus cycle to measure the run against).
      if (best !== sveb) {
        inSvebRun = false;
        runAnchorRr = null;
      } else if (!inSvebRun) {
        inSvebRun = true;
        const regular = features[PREMATURITY_REGULAR] ?? 0;
        runAnchorRr =
          rrSamples !== null &&
          regular > 0 &&
          (features[IRREGULARITY] ?? Infinity) < svebMaxIrregularity
            ? rrSamples / regular
            : null;
      }
      prevRegular = features[PREMATURITY_REGULAR] ?? 1;
      // Fusion rule (see `fusionMaxResidualRatio`).
      if (
        best === veb &&
        f >= 0 &&
        fusion !== null &&
        fusion.mix >= fusionMinMix &&
        fusion.mix <= fusionMaxMix &&
        (features[PREMATURITY] ?? 0) >= fusionMinPrematurity &&
        fusion.residual <= fusionMaxResidualRatio * fusion.residualV
      ) {
        best = f;
      }
      // Normal-shape cluster veto (see `vebNormalClusterWidth`), on the beats still VEB after the
      // fusion rule.
      if (
        best === veb &&
        vebNormalClusterWidth > 0 &&
        (features[CLUSTER_CORR] ?? -1) >= vebNormalClusterCorr &&
        (features[CLUSTER_WIDTH] ?? Infinity) < vebNormalClusterWidth
      ) {
        best = mostProbable(false, false);
      }
      // Prematurity rule (see `svebPrematurity`), once 16 beats give the RR statistics a history.
      beatsSeen++;
      if (
        best === nClass &&
        beatsSeen > RULE_MIN_BEATS &&
        sveb >= 0 &&
        !noiseLike &&
        (features[PREMATURITY] ?? 1) < svebPrematurity &&
        (features[PREMATURITY_REGULAR] ?? 1) < svebPrematurity &&
        (features[IRREGULARITY] ?? 1) < svebMaxIrregularity
      ) {
        best = sveb;
      }
      // A sinus cycle for the floor: this beat and the previous one N, no pause after this beat.
      const verdictN = best === nClass && !noiseLike;
      const sinusLength = (features[PRE_UPPER] ?? 0) >= svebSinusFloorMinUpper;
      if (
        verdictN &&
        prevVerdictN &&
        sinusLength &&
        rrSamples !== null &&
        nextPeak !== null &&
        nextPeak - peak < SINUS_FLOOR_PAUSE * rrSamples
      ) {
        sinusCycles.push(rrSamples);
        if (sinusCycles.length > svebSinusFloorBeats) sinusCycles.shift();
      }
      prevVerdictN = verdictN;
      // Noise-like and early (see `noiseEarlyRatio`): a false detection, not a beat to classify.
      const noiseEarly =
        noiseLike && prevPeak !== null && (features[PREMATURITY] ?? 1) < noiseEarlyRatio;
      const cls: BeatClass =
        noisyContext || pacedContext || noiseEarly ? 'Q' : (classes[best] ?? 'Q');
      // Odd-detection rule (see `svebOddCycleMin`): the previous detection odd, this beat of the
      // normal shape, and the two intervals one cycle. Applied to the reported class only, after
      // every rule above has updated its state, so `rhythmClass` stays the classifier's verdict
      // before it (see BeatVerdict).
      const odd = noiseLike || (features[CORR_QRS] ?? 1) < svebOddCorr;
      let reported = cls;
      if (
        cls === 'SVEB' &&
        svebOddCycleMin > 0 &&
        prevOdd &&
        !odd &&
        prevPreRr !== null &&
        rrSamples !== null &&
        refPremature > 0
      ) {
        const cycle = (prevPreRr + rrSamples) / (rrSamples / refPremature);
        if (cycle >= svebOddCycleMin && cycle <= svebOddCycleMax) {
          reported = classes[mostProbable(false)] ?? 'Q';
        }
      }
      // Split-cycle rule (see `svebSplitCycleMin`): this detection odd, the verdict before it not
      // SVEB, and this detection's pre RR + the next one's one sinus cycle. Reported only, like
      // the rule above.
      if (
        reported === 'SVEB' &&
        svebSplitCycleMin > 0 &&
        (noiseLike || (features[CORR_QRS] ?? 1) < svebSplitCorr) &&
        !prevRhythmSveb &&
        rrSamples !== null &&
        nextPeak !== null &&
        refPremature > 0
      ) {
        const refRr = rrSamples / refPremature;
        const split = (rrSamples + nextPeak - peak) / refRr;
        if (split >= svebSplitCycleMin && split <= svebSplitCycleMax) {
          reported = 'Q';
        }
      }
      // Cold-start sinus-interval rule (see `svebColdStartSinusInterval`); `beatsSeen` now counts
      // this beat too.
      if (
        reported === 'SVEB' &&
        svebColdStartSinusInterval &&
        beatsSeen <= svebColdStartBeats &&
        (!prevRhythmN || prevOdd || odd)
      ) {
        reported = classes[mostProbable(false)] ?? 'Q';
      }
      prevOdd = odd;
      prevRhythmSveb = cls === 'SVEB';
      prevRhythmN = cls === 'N';
      return {
        class: reported,
        rhythmClass: cls,
        probabilities,
        noiseLike,
        paced,
        noisyContext,
        pacedContext,
        fusion,
        sinusPConsistency: extractor.sinusPConsistency,
        sinusPWave: extractor.sinusPWave,
      };
    },
  };
}

/** Prefix of a joint two-lead model's second-lead feature names (`lead2:corrQrs`). */
export const JOINT_SECOND_LEAD_PREFIX = 'lead2:';

/**
 * Where each feature of a joint two-lead model comes from: an index below
 * BEAT_FEATURE_NAMES.length is the first lead's feature, BEAT_FEATURE_NAMES.length + k the
 * second lead's feature k. The model's names must be BEAT_FEATURE_NAMES, then
 * `lead2:<base name>` entries.
 */
function jointFeatureIndex(names: readonly string[]): Int32Array {
  const n = BEAT_FEATURE_NAMES.length;
  const index = new Int32Array(names.length);
  let valid = names.length > n;
  names.forEach((name, i) => {
    if (i < n) {
      if (name !== BEAT_FEATURE_NAMES[i]) valid = false;
      index[i] = i;
      return;
    }
    const k = name.startsWith(JOINT_SECOND_LEAD_PREFIX)
      ? BEAT_FEATURE_NAMES.indexOf(name.slice(JOINT_SECOND_LEAD_PREFIX.length))
      : -1;
    if (k < 0) valid = false;
    index[i] = n + k;
  });
  if (!valid) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.jointModel',
      `jointModel features must be the beat features followed by ${JOINT_SECOND_LEAD_PREFIX}<beat feature> entries`,
    );
  }
  return index;
}
