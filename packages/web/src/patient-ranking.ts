/**
 * Orders the patient list so the patient most in need is on top: highest open alert severity
 * first (unacknowledged before acknowledged), then the risk label, then name.
 */
import type { Alert, RiskLabel } from './api/types.js';
import { isAcknowledged } from './data.js';
import { RISK_RANK, SEVERITY_RANK } from './format.js';

export interface RankInput {
  id: string;
  name: string;
  openAlerts: readonly Alert[];
  risk: RiskLabel | null;
}

export function urgency(p: RankInput): number {
  let alertScore = 0;
  for (const a of p.openAlerts) {
    // ×2 leaves room for "unacknowledged" to outrank an acknowledged alert of the same severity.
    const s = SEVERITY_RANK[a.severity] * 2 + (isAcknowledged(a) ? 0 : 1);
    if (s > alertScore) alertScore = s;
  }
  return alertScore * 10 + (p.risk ? RISK_RANK[p.risk] : 0);
}

export function rankPatients<T extends RankInput>(patients: readonly T[]): T[] {
  return [...patients].sort((a, b) => urgency(b) - urgency(a) || a.name.localeCompare(b.name));
}
