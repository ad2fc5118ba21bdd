import { encodeRppgFrame, type RppgEstimateMessage, type RppgSession } from '@vigil/protocol';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useServices } from '../app-context.js';
import { navigate } from '../router.js';

/** Frames sent per second, and at most this many unanswered at once (the server answers each). */
const SEND_FPS = 15;
const MAX_IN_FLIGHT = 3;
/** Frames are scaled to this width (the face stays large enough for BlazeFace). */
const FRAME_WIDTH = 320;

type Phase = 'idle' | 'starting' | 'measuring' | 'stopped';

/** The pulse waveform (unit variance) as an SVG polyline. */
function Waveform({ samples }: { samples: number[] }): ReactNode {
  const w = 300;
  const h = 60;
  if (samples.length < 2) return <svg width={w} height={h} aria-hidden="true" />;
  const points = samples
    .map((v, i) => {
      const x = (i / (samples.length - 1)) * w;
      const y = h / 2 - Math.max(-3, Math.min(3, v)) * (h / 6);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  return (
    <svg width={w} height={h} role="img" aria-label="Pulse waveform" className="rppg-wave">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

/**
 * Camera heart rate for a patient: asks for the webcam, streams JPEG frames over the
 * session's WebSocket (framing from @vigil/protocol) and shows what the server answers: BPM,
 * confidence, signal quality, buffer fill and the pulse waveform. Readings are stored on the
 * server as the patient's heart-rate observations (source rppg).
 */
export function CameraHeartRatePage({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const video = useRef<HTMLVideoElement>(null);
  const stopRef = useRef<(() => void) | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<string | null>(null);
  const [estimate, setEstimate] = useState<RppgEstimateMessage | null>(null);

  useEffect(
    () => () => {
      stopRef.current?.();
    },
    [],
  );

  const start = async (): Promise<void> => {
    setError(null);
    setPhase('starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: 640, height: 480 },
        audio: false,
      });
      const session = await api.post<RppgSession>('/api/v1/rppg/sessions', {
        patient_id: patientId,
      });
      const el = video.current;
      if (el === null) throw new Error('no video element');
      el.srcObject = stream;
      await el.play();
      const token = api.current?.accessToken ?? '';
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(
        `${scheme}://${location.host}${session.stream_path}?token=${encodeURIComponent(token)}`,
      );
      ws.binaryType = 'arraybuffer';
      const canvas = document.createElement('canvas');
      let inFlight = 0;
      ws.onmessage = (event) => {
        inFlight = Math.max(0, inFlight - 1);
        if (typeof event.data !== 'string') return;
        const m = JSON.parse(event.data) as
          RppgEstimateMessage | { type: 'error'; message: string };
        if (m.type === 'estimate') setEstimate(m);
      };
      ws.onclose = () => {
        setPhase((p) => (p === 'measuring' ? 'stopped' : p));
      };
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN || inFlight >= MAX_IN_FLIGHT) return;
        const vw = el.videoWidth;
        const vh = el.videoHeight;
        if (vw === 0 || vh === 0) return;
        canvas.width = FRAME_WIDTH;
        canvas.height = Math.round((vh / vw) * FRAME_WIDTH);
        const ctx = canvas.getContext('2d');
        if (ctx === null) return;
        ctx.drawImage(el, 0, 0, canvas.width, canvas.height);
        const capturedAt = performance.timeOrigin + performance.now();
        inFlight++;
        canvas.toBlob(
          (blob) => {
            if (blob === null) {
              inFlight--;
              return;
            }
            void blob.arrayBuffer().then((buf) => {
              if (ws.readyState === WebSocket.OPEN)
                ws.send(encodeRppgFrame(capturedAt, new Uint8Array(buf)));
              else inFlight--;
            });
          },
          'image/jpeg',
          0.92,
        );
      }, 1000 / SEND_FPS);
      stopRef.current = () => {
        clearInterval(timer);
        ws.close();
        for (const track of stream.getTracks()) track.stop();
        stopRef.current = null;
      };
      setPhase('measuring');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setPhase('idle');
    }
  };

  const stop = (): void => {
    stopRef.current?.();
    setPhase('stopped');
  };

  return (
    <article aria-labelledby="rppg-title" className="patient">
      <p>
        <a
          href={`/patients/${encodeURIComponent(patientId)}`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/patients/${encodeURIComponent(patientId)}`);
          }}
        >
          ← Patient
        </a>
      </p>
      <h1 id="rppg-title" tabIndex={-1}>
        Camera heart rate
      </h1>
      <p>
        Sit still facing the camera in even light. The reading appears after about 5 seconds and is
        saved to the patient&apos;s heart-rate history.
      </p>
      {phase === 'measuring' ? (
        <button onClick={stop}>Stop</button>
      ) : (
        <button disabled={phase === 'starting'} onClick={() => void start()}>
          {phase === 'stopped' ? 'Measure again' : 'Start camera'}
        </button>
      )}
      {error !== null && <p role="alert">Camera heart rate could not start: {error}</p>}
      <section className="card" aria-label="Camera measurement">
        <video ref={video} muted playsInline width={320} height={240} />
        <dl className="tiles" aria-live="polite">
          <div>
            <dt>Heart rate</dt>
            <dd data-testid="rppg-bpm">
              {estimate?.bpm === null || estimate === null
                ? '--'
                : `${Math.round(estimate.bpm)} bpm`}
            </dd>
          </div>
          <div>
            <dt>Confidence</dt>
            <dd data-testid="rppg-confidence">{estimate?.confidence ?? '--'}</dd>
          </div>
          <div>
            <dt>Signal</dt>
            <dd data-testid="rppg-quality">{estimate?.signal_quality ?? '--'}</dd>
          </div>
          <div>
            <dt>Buffer</dt>
            <dd data-testid="rppg-buffer">{estimate?.buffer_fill ?? '--'}</dd>
          </div>
        </dl>
        <p data-testid="rppg-message">{estimate?.message ?? ''}</p>
        <Waveform samples={estimate?.waveform ?? []} />
      </section>
    </article>
  );
}
