// The canvas half of LineChart (its own chunk: uPlot and its CSS load with the first chart).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { LineChartProps } from "./LineChart";

const COLOURS = ["#264d9b", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207"];
/** Whole steps on x: epochs and candidates are counted, never halved. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/** y ticks with three significant digits, so 0.0015 and 0.002 do not both read "0.002". */
const ticks = (_plot: uPlot, splits: number[]) => splits.map((v) => String(Number(v.toPrecision(3))));
/** Room for the longest y tick (about 7 px a character at uPlot's 12 px font). */
const tickSpace = (_plot: uPlot, values: string[] | null) =>
  Math.max(40, 16 + 7 * Math.max(0, ...(values ?? []).map((v) => v.length)));

export default function UPlotCanvas({ series, xLabel, height = 240, logY }: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}:${s.dashed ? 1 : 0}`).join("|");

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: element.clientWidth || 600,
      height,
      scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
      axes: [{ label: xLabel, incrs: WHOLE_STEPS }, { values: ticks, size: tickSpace }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
        })),
      ],
    };
    plot.current = new uPlot(options, [[]], element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: element.clientWidth, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // a new chart only when the set of series changes; data updates go through setData
  }, [shape, height, logY, xLabel]);

  useEffect(() => {
    const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
    const columns = series.map((s) => {
      const values = new Map(s.points);
      return xs.map((x) => values.get(x) ?? null);
    });
    plot.current?.setData([xs, ...columns] as uPlot.AlignedData);
  }, [series]);

  return <div ref={host} className="uplot-host" aria-hidden="true" />;
}
