"use client";

import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { Button } from "@/components/ui/button";

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** Which y axis: the left one (records) or the right one (records/s). */
  axis: "left" | "right";
  dashed?: boolean;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d", "#4f46e5", "#ca8a04"];
const RATE_COLORS = { consumed: "#0f766e", produced: "#a16207" };

const colorOf = (s: ChartSeries, i: number) =>
  s.axis === "right" ? (s.label.startsWith("consumed") ? RATE_COLORS.consumed : RATE_COLORS.produced) : COLORS[i % COLORS.length];

/**
 * A time-series chart on uPlot: lines on a shared time axis, records on the
 * left axis and rates on the right. Drag across it to zoom in on a span;
 * "Reset zoom" shows the whole range again. New data keeps the zoom.
 */
export function TimeSeriesChart({
  times,
  series,
  height = 260,
  leftLabel,
  rightLabel,
  testId,
}: {
  /** Milliseconds since the epoch, one per point. */
  times: number[];
  series: ChartSeries[];
  height?: number;
  leftLabel: string;
  rightLabel?: string;
  testId?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const [isZoomed, setZoomed] = useState(false);
  const shape = series.map((s) => `${s.axis}:${s.label}`).join("|");
  // Points before the first sample are left out, so a history younger than the range fills the chart.
  let first = 0;
  while (first < times.length - 1 && !series.some((s) => s.values[first] !== null)) first++;
  const data: uPlot.AlignedData = [times.slice(first).map((t) => t / 1000), ...series.map((s) => s.values.slice(first))];
  const latestData = useRef(data);
  latestData.current = data;

  // The chart is built once per set of series (and rebuilt when they change); data changes only call setData.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const hasRight = series.some((s) => s.axis === "right");
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      scales: { x: { time: true }, left: {}, right: {} },
      axes: [
        { stroke: "#64748b" },
        { scale: "left", label: leftLabel, stroke: "#64748b", size: 70 },
        ...(hasRight ? [{ scale: "right", side: 1, label: rightLabel, stroke: "#64748b", grid: { show: false }, size: 70 }] : []),
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          scale: s.axis,
          stroke: colorOf(s, i),
          width: s.axis === "left" ? 2 : 1.5,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
        })),
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      hooks: {
        setSelect: [
          () => {
            zoomed.current = true;
            setZoomed(true);
          },
        ],
      },
    };
    const plot = new uPlot(options, latestData.current, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
      zoomed.current = false;
      setZoomed(false);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt only when the set of series changes
  }, [shape, height, leftLabel, rightLabel]);

  useEffect(() => {
    chart.current?.setData(data, !zoomed.current);
  });

  let lastIndex = times.length - 1;
  while (lastIndex >= 0 && !series.some((s) => s.values[lastIndex] !== null)) lastIndex--;
  const lastTime = lastIndex >= 0 ? times[lastIndex] : undefined;
  return (
    <div data-testid={testId} data-last-point-ms={lastTime ?? ""} data-points={times.length}>
      <div className="mb-1 flex h-8 items-center justify-end gap-2 text-xs text-slate-500">
        <span>Drag across the chart to zoom in.</span>
        {isZoomed ? (
          <Button
            onClick={() => {
              zoomed.current = false;
              setZoomed(false);
              chart.current?.setData(latestData.current, true);
            }}
            data-testid="chart-reset-zoom"
          >
            Reset zoom
          </Button>
        ) : null}
      </div>
      <div ref={container} className="w-full" />
    </div>
  );
}

/** A small line of recent values (no axes), for a table cell; the latest value is the caller's to print. */
export function Sparkline({ values, width = 96, height = 24, testId }: { values: Array<number | null>; width?: number; height?: number; testId?: string }) {
  const known = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (known.length < 2) return <span className="text-xs text-slate-400" data-testid={testId}>–</span>;
  const max = Math.max(...known.map(([, v]) => v), 1e-9);
  const x = (i: number) => (i / Math.max(1, values.length - 1)) * (width - 2) + 1;
  const y = (v: number) => height - 1 - (v / max) * (height - 2);
  const d = known.map(([i, v], n) => `${n ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return (
    <svg width={width} height={height} className="inline-block align-middle" data-testid={testId} aria-label={`production rate over the last hour, peak ${max.toFixed(1)} records/s`}>
      <path d={d} fill="none" stroke="#2563eb" strokeWidth={1.5} />
    </svg>
  );
}
