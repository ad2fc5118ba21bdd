/**
 * Live ECG strip on a canvas: standard paper (25 mm/s, 10 mm/mV), scrolling right to left, gaps
 * left blank. All geometry comes from ecg-geometry.ts; this file only paints it.
 */
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { useServices } from '../app-context.js';
import { CSS_PX_PER_MM, ecgPolylines, gridLines, type EcgPaper } from './ecg-geometry.js';
import { StripClock } from './strip-clock.js';

const MINOR = '#f6c9c9';
const MAJOR = '#e58f8f';
const TRACE = '#111';

export function EcgStrip({ deviceId, label }: { deviceId: string; label: string }): ReactNode {
  const { store } = useServices();
  const canvasRef = useRef<HTMLCanvasElement | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const clock = new StripClock();
    let seenStart = Number.NaN;
    let frame = 0;
    const draw = (): void => {
      frame = requestAnimationFrame(draw);
      const dpr = window.devicePixelRatio || 1;
      const cssW = canvas.clientWidth;
      const cssH = canvas.clientHeight;
      const w = Math.round(cssW * dpr);
      const h = Math.round(cssH * dpr);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      const chunks = store.ecgChunks(deviceId);
      const newest = chunks[chunks.length - 1];
      if (newest && newest.startMs !== seenStart) {
        seenStart = newest.startMs;
        const dur = (newest.samplesMv.length * 1000) / newest.fsHz;
        clock.observe(newest.startMs + dur, dur, Date.now());
      }
      const paper: EcgPaper = { pxPerMm: CSS_PX_PER_MM * dpr, speedMmPerS: 25, gainMmPerMv: 10 };
      const nowMs = clock.now(Date.now()) ?? Date.now();
      const leftMs = nowMs - (w / paper.pxPerMm / paper.speedMmPerS) * 1000;

      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
      const grid = gridLines(w, h, paper, leftMs);
      const stroke = (xs: number[], ys: number[], color: string, width: number): void => {
        ctx.beginPath();
        for (const x of xs) {
          ctx.moveTo(Math.round(x) + 0.5, 0);
          ctx.lineTo(Math.round(x) + 0.5, h);
        }
        for (const y of ys) {
          ctx.moveTo(0, Math.round(y) + 0.5);
          ctx.lineTo(w, Math.round(y) + 0.5);
        }
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.stroke();
      };
      stroke(grid.minorX, grid.minorY, MINOR, 1);
      stroke(grid.majorX, grid.majorY, MAJOR, Math.max(1, dpr));

      ctx.beginPath();
      for (const line of ecgPolylines(chunks, { widthPx: w, heightPx: h, nowMs, paper })) {
        ctx.moveTo(line[0] ?? 0, line[1] ?? 0);
        for (let i = 2; i < line.length; i += 2) ctx.lineTo(line[i] ?? 0, line[i + 1] ?? 0);
      }
      ctx.strokeStyle = TRACE;
      ctx.lineWidth = 1.5 * dpr;
      ctx.lineJoin = 'round';
      ctx.stroke();

      if (newest && Number.isNaN(newest.samplesMv[0] ?? 0)) {
        ctx.fillStyle = '#8a5300';
        ctx.font = `600 ${14 * dpr}px system-ui, sans-serif`;
        ctx.fillText('Leads off: no ECG signal', 12 * dpr, 22 * dpr);
      }

      // Calibration label, as printed on paper ECGs.
      ctx.fillStyle = '#555';
      ctx.font = `${11 * dpr}px system-ui, sans-serif`;
      ctx.fillText('25 mm/s · 10 mm/mV', 6 * dpr, h - 6 * dpr);
    };
    frame = requestAnimationFrame(draw);
    return () => {
      cancelAnimationFrame(frame);
    };
  }, [store, deviceId]);

  return (
    <figure className="ecg">
      <canvas ref={canvasRef} className="ecg-canvas" role="img" aria-label={label} />
      <figcaption className="visually-hidden">{label}</figcaption>
    </figure>
  );
}
