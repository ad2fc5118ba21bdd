import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_RULES,
  evaluateRule,
  type AlertRule,
  type RuleState,
} from '../../services/alert-rule-engine.js';
import { cameraObservation, type CameraEstimate } from './rppg.assessor.js';

const rule = (kind: AlertRule['kind']): AlertRule => {
  const r = DEFAULT_ALERT_RULES.find((x) => x.kind === kind);
  if (r === undefined) throw new Error(kind);
  return r;
};

/** Feeds one estimate per second from t = 0 and returns the first action that is not 'none'. */
function firstAction(kind: AlertRule['kind'], e: CameraEstimate, seconds: number) {
  let state: RuleState = { since: null, open: false };
  for (let s = 0; s <= seconds; s++) {
    const out = evaluateRule(rule(kind), state, cameraObservation(e, s * 1000));
    state = out.state;
    if (out.action.type !== 'none') return { atS: s, action: out.action };
  }
  return null;
}

const good: CameraEstimate = {
  bpm: 72,
  confidence: 'high',
  signalQuality: 'good',
  faceDetected: true,
};

describe('camera alert rules (seed 001 health_monitor.py thresholds, on by default)', () => {
  it('has the seed thresholds as enabled defaults', () => {
    expect(rule('camera_hr_high')).toMatchObject({ enabled: true, threshold: 120, durationS: 0 });
    expect(rule('camera_hr_low')).toMatchObject({ enabled: true, threshold: 50, durationS: 0 });
    expect(rule('camera_poor_signal')).toMatchObject({ enabled: true, durationS: 30 });
    expect(rule('camera_no_face')).toMatchObject({ enabled: true, durationS: 10 });
  });

  it.each([
    ['camera_hr_high', { ...good, bpm: 121 }, 0, 121],
    ['camera_hr_low', { ...good, bpm: 49 }, 0, 49],
    [
      'camera_poor_signal',
      { ...good, bpm: null, confidence: 'low', signalQuality: 'poor' },
      30,
      null,
    ],
    ['camera_no_face', { ...good, bpm: null, confidence: 'low', faceDetected: false }, 10, null],
  ] as const)('%s opens after its duration', (kind, estimate, atS, value) => {
    const first = firstAction(kind, estimate, 60);
    expect(first?.atS).toBe(atS);
    expect(first?.action).toMatchObject({ type: 'open', value });
  });

  it.each([
    ['camera_hr_high', { ...good, bpm: 120 }],
    ['camera_hr_low', { ...good, bpm: 50 }],
    // A medium-confidence reading never moves the rate rules (the seed alerts on high only).
    ['camera_hr_high', { ...good, bpm: 150, confidence: 'medium' }],
    ['camera_poor_signal', { ...good, signalQuality: 'fair' }],
    // Without a face, camera_no_face speaks and poor signal is not judged.
    ['camera_poor_signal', { ...good, bpm: null, faceDetected: false, signalQuality: 'poor' }],
    ['camera_no_face', good],
  ] as const)('%s stays quiet for %o', (kind, estimate) => {
    expect(firstAction(kind, estimate, 60)).toBeNull();
  });

  it('clears camera_no_face when the face comes back', () => {
    let state: RuleState = { since: null, open: false };
    const gone = { ...good, bpm: null, confidence: 'low' as const, faceDetected: false };
    for (let s = 0; s <= 10; s++)
      state = evaluateRule(rule('camera_no_face'), state, cameraObservation(gone, s * 1000)).state;
    expect(state.open).toBe(true);
    // Cleared once the face has been back for the rule's 10 s.
    const actions: string[] = [];
    for (let s = 11; s <= 21; s++) {
      const r = evaluateRule(rule('camera_no_face'), state, cameraObservation(good, s * 1000));
      state = r.state;
      actions.push(r.action.type);
    }
    expect(actions).toEqual([...Array<string>(10).fill('none'), 'clear']);
  });
});
