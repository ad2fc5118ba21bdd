/**
 * One vital's trend (average line with a min–max band) drawn with ECharts. Buckets come from the
 * series endpoint; empty buckets stay empty so a silent device shows as a break, not a slope.
 */
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

import { trendCaption, type TrendLatest, type TrendPoint } from '../trend-series.js';

export function TrendChart({
  title,
  unit,
  points,
  color,
  fromMs,
  toMs,
  softRange,
  latest,
}: {
  title: string;
  unit: string;
  points: TrendPoint[];
  color: string;
  fromMs: number;
  toMs: number;
  /** The y range shown at least (clinically normal span), widened when the data leaves it. */
  softRange: [number, number];
  /** The caption's newest value: the newest reading, or the newest bucket's mean named as such. */
  latest: TrendLatest;
}): ReactNode {
  const ref = useRef<HTMLDivElement | null>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    const ro = new ResizeObserver(() => {
      chart.resize();
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const lower = points.map((p) => [p.t, p.min]);
    const band = points.map((p) => [p.t, p.max !== null && p.min !== null ? p.max - p.min : null]);
    chartRef.current?.setOption(
      {
        animation: false,
        grid: { left: 44, right: 12, top: 12, bottom: 28 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${String(v)} ${unit}` },
        xAxis: {
          type: 'time',
          min: fromMs,
          max: toMs,
          splitNumber: 4,
          axisLabel: { hideOverlap: true },
        },
        yAxis: {
          type: 'value',
          min: (v: { min: number }) => Math.floor(Math.min(softRange[0], v.min)),
          max: (v: { max: number }) => Math.ceil(Math.max(softRange[1], v.max)),
        },
        series: [
          {
            name: 'min',
            type: 'line',
            data: lower,
            stack: 'band',
            lineStyle: { opacity: 0 },
            symbol: 'none',
            connectNulls: false,
            tooltip: { show: false },
          },
          {
            name: 'range',
            type: 'line',
            data: band,
            stack: 'band',
            lineStyle: { opacity: 0 },
            areaStyle: { color, opacity: 0.15 },
            symbol: 'none',
            connectNulls: false,
          },
          {
            name: title,
            type: 'line',
            data: points.map((p) => [p.t, p.avg === null ? null : Math.round(p.avg * 10) / 10]),
            lineStyle: { color, width: 2 },
            itemStyle: { color },
            // Dots as well as the line, so an isolated bucket (first minute of data, a bucket
            // between two gaps) is still visible.
            symbol: 'circle',
            symbolSize: 4,
            connectNulls: false,
          },
        ],
      },
      true,
    );
  }, [points, color, title, unit, fromMs, toMs, softRange]);

  return (
    <figure className="trend">
      <figcaption>
        {title}{' '}
        <span className="muted" data-testid="trend-latest">
          {trendCaption(points, latest, unit)}
        </span>
      </figcaption>
      <div
        ref={ref}
        className="trend-chart"
        role="img"
        aria-label={`${title} trend, ${points.length} buckets`}
      />
    </figure>
  );
}
