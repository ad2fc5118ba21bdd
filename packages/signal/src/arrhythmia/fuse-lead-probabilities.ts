import { SignalInputError } from '../errors.js';

/**
 * How two leads' class probabilities of one beat are combined: `mean` (the linear opinion
 * pool), `log-mean` (the mean of the log-probabilities, renormalised: the logarithmic pool, in
 * which a class either lead finds unlikely stays unlikely) or `confidence` (the mean weighted by
 * each lead's confidence, one minus its normalised entropy).
 */
export type LeadFusionRule = 'mean' | 'log-mean' | 'confidence';

export const LEAD_FUSION_RULES: readonly LeadFusionRule[] = ['mean', 'log-mean', 'confidence'];

export interface FuseLeadProbabilitiesOptions {
  /** Combination rule, default `mean`. */
  rule?: LeadFusionRule;
  /** The beat is noise-like on the first lead: it does not vote (unless both are), default false. */
  firstNoisy?: boolean;
  /** The beat is noise-like on the second lead: it does not vote (unless both are), default false. */
  secondNoisy?: boolean;
  /**
   * Reliability of each lead (first, second; finite, >= 0, not both 0), multiplying the rule's
   * own weights (1 and 1 for `mean` and `log-mean`, the confidences for `confidence`; for
   * `log-mean` the exponents of the weighted geometric mean), default [1, 1]: a lead the caller
   * trusts less on this record counts less.
   */
  weights?: readonly [number, number];
  /**
   * Index of the one class the second lead informs, default none (all): the fused probability of
   * that class is the rule's, and the other classes share the rest in the first lead's
   * proportions (e.g. the second lead adds morphology evidence for a ventricular beat but leaves
   * the first lead's supraventricular-versus-normal call alone).
   */
  onlyClass?: number;
}

/** Smallest probability the log pool reads (a softmax output is never exactly 0 in theory). */
const LOG_FLOOR = 1e-12;

/**
 * Class probabilities of one beat from two leads' probabilities (same classes, same order), as
 * two-lead inter-patient classifiers combine their leads (de Chazal et al., IEEE TBME
 * 51(7):1196, 2004, combine the two leads' linear discriminants; here each lead runs the same
 * one-lead model and the outputs are pooled). A lead whose beat is noise-like does not vote: the
 * other lead's probabilities are returned.
 *
 * @param first probabilities on the first lead
 * @param second probabilities on the second lead
 * @param options rule and noise flags
 * @param out output array (may be `first` or `second`), default a new one
 */
export function fuseLeadProbabilities(
  first: Float64Array,
  second: Float64Array,
  options: FuseLeadProbabilitiesOptions = {},
  out: Float64Array = new Float64Array(first.length),
): Float64Array {
  if (second.length !== first.length || out.length !== first.length) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      second.length !== first.length ? 'second' : 'out',
      `expected ${first.length} probabilities, got ${second.length !== first.length ? second.length : out.length}`,
    );
  }
  const rule = options.rule ?? 'mean';
  if (!LEAD_FUSION_RULES.includes(rule)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.rule',
      `rule must be one of ${LEAD_FUSION_RULES.join(', ')}`,
    );
  }
  const [ra, rb] = options.weights ?? [1, 1];
  if (!(ra >= 0 && rb >= 0 && ra + rb > 0 && Number.isFinite(ra + rb))) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.weights',
      'weights must be two finite numbers >= 0, not both 0',
    );
  }
  const n = first.length;
  const only = options.onlyClass;
  if (only !== undefined && !(Number.isInteger(only) && only >= 0 && only < n)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.onlyClass',
      `onlyClass must be a class index within 0..${n - 1}`,
    );
  }
  const firstVotes = options.secondNoisy === true || options.firstNoisy !== true;
  const secondVotes = options.firstNoisy === true || options.secondNoisy !== true;
  if (!secondVotes) {
    if (out !== first) out.set(first);
    return out;
  }
  if (!firstVotes) {
    if (out !== second) out.set(second);
    return out;
  }
  // With `onlyClass` the first lead's values are read again after the pool: a copy when `out`
  // (written by the pool) is `first`.
  const a0 = only !== undefined && out === first ? first.slice() : first;
  if (rule === 'log-mean') {
    const ea = ra / (ra + rb);
    const eb = rb / (ra + rb);
    let sum = 0;
    for (let c = 0; c < n; c++) {
      const a = Math.max(first[c] ?? 0, LOG_FLOOR);
      const b = Math.max(second[c] ?? 0, LOG_FLOOR);
      // Equal weights: the square root, as before the weights existed (the same bits).
      const v = ra === rb ? Math.sqrt(a * b) : Math.exp(ea * Math.log(a) + eb * Math.log(b));
      out[c] = v;
      sum += v;
    }
    for (let c = 0; c < n; c++) out[c] = (out[c] ?? 0) / sum;
  } else {
    let wa = ra;
    let wb = rb;
    if (rule === 'confidence') {
      // A lead as sure as one-hot weighs 1, a uniform one nothing (floored so that two uniform
      // leads still average).
      wa *= Math.max(1 - entropy(first) / Math.log(n), 1e-6);
      wb *= Math.max(1 - entropy(second) / Math.log(n), 1e-6);
    }
    const w = wa + wb;
    for (let c = 0; c < n; c++) out[c] = (wa * (first[c] ?? 0) + wb * (second[c] ?? 0)) / w;
  }
  if (only !== undefined) {
    // The other classes share what the fused class leaves in the first lead's proportions
    // (evenly if the first lead gave that class everything).
    const fusedOnly = out[only] ?? 0;
    const rest = 1 - (a0[only] ?? 0);
    for (let c = 0; c < n; c++) {
      if (c === only) continue;
      out[c] = rest > 1e-12 ? ((a0[c] ?? 0) * (1 - fusedOnly)) / rest : (1 - fusedOnly) / (n - 1);
    }
  }
  return out;
}

/** Shannon entropy (nats) of a probability vector. */
function entropy(p: Float64Array): number {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h;
}
