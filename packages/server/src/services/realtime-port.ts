import type { Alert, Prediction, WsAlert, WsCryDetected, WsVitals } from '@vigil/protocol';

/**
 * What services hand to the real-time hub. Scoping by patient happens in the hub, on the
 * server, for every connection; services only say whose data an event is.
 */
export type RealtimeEvent =
  | { type: 'vitals'; patientId: string | null; deviceId: string; data: VitalsEventData }
  | { type: 'prediction'; patientId: string | null; deviceId: string; data: PredictionView }
  | { type: 'cry_detected'; patientId: string; deviceId: string | null; data: WsCryDetected }
  | {
      type: 'alert';
      patientId: string;
      deviceId: string | null;
      eventId: number;
      action: AlertAction;
      data: AlertView;
    };

export type AlertAction = WsAlert['action'];

export interface RealtimePublisher {
  publish(event: RealtimeEvent): void;
}

/** The payloads are the WebSocket messages' `data` (@vigil/protocol), not a parallel shape. */
export type VitalsEventData = WsVitals['data'];
export type PredictionView = Prediction;
export type RiskReasonView = Prediction['reasons'][number];
export type AlertView = Alert;
