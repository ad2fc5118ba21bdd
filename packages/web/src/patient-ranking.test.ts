import { describe, expect, it } from 'vitest';
import type { Alert } from './api/types.js';
import { rankPatients } from './patient-ranking.js';

function alert(severity: Alert['severity'], acknowledged = false): Alert {
  return {
    id: `${severity}-${String(acknowledged)}`,
    patient_id: 'p',
    device_id: null,
    rule_kind: 'hr_high',
    severity,
    message: '',
    value: null,
    status: acknowledged ? 'active_ack' : 'active_unack',
    opened_at: 0,
    onset_at: 0,
    updated_at: 0,
    update_count: 0,
    cleared_at: null,
    cleared_by: null,
    acknowledged_at: acknowledged ? 1 : null,
    acknowledged_by: acknowledged ? 'doctor' : null,
    seen_by_patient_at: null,
  };
}

describe('rankPatients', () => {
  it('puts a critical alert above a high risk label', () => {
    const ranked = rankPatients([
      { id: 'a', name: 'Ann', openAlerts: [], risk: 'high' as const },
      { id: 'b', name: 'Bob', openAlerts: [alert('critical')], risk: 'normal' as const },
    ]);
    expect(ranked.map((p) => p.id)).toEqual(['b', 'a']);
  });

  it('puts an unacknowledged alert above an acknowledged one of the same severity', () => {
    const ranked = rankPatients([
      { id: 'a', name: 'Ann', openAlerts: [alert('warning', true)], risk: null },
      { id: 'b', name: 'Bob', openAlerts: [alert('warning', false)], risk: null },
    ]);
    expect(ranked.map((p) => p.id)).toEqual(['b', 'a']);
  });

  it('orders by risk label, then by name', () => {
    const ranked = rankPatients([
      { id: 'c', name: 'Cy', openAlerts: [], risk: 'low' as const },
      { id: 'a', name: 'Ann', openAlerts: [], risk: 'low' as const },
      { id: 'b', name: 'Bob', openAlerts: [], risk: 'moderate' as const },
    ]);
    expect(ranked.map((p) => p.id)).toEqual(['b', 'a', 'c']);
  });
});
