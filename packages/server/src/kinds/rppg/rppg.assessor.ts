import { observation, type AlertObservation } from '../../services/alert-rule-engine.js';

/** What the alert rules need of one camera estimate. */
export interface CameraEstimate {
  bpm: number | null;
  confidence: 'high' | 'medium' | 'low';
  signalQuality: 'good' | 'fair' | 'poor';
  faceDetected: boolean;
}

/**
 * What the camera alert rules see of an estimate (after seed 001's health_monitor.py): the rate
 * rules judge only high-confidence readings; poor signal is judged only while a face is in view
 * (without one, camera_no_face speaks instead of both firing).
 */
export function cameraObservation(e: CameraEstimate, atMs: number): AlertObservation {
  return observation(atMs, {
    cameraBpm: e.confidence === 'high' && e.bpm !== null ? e.bpm : null,
    cameraFaceDetected: e.faceDetected,
    cameraSignalQuality: e.faceDetected ? e.signalQuality : null,
  });
}
