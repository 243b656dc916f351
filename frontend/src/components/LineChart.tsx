// Line charts drawn by uPlot on a canvas (fast at 10,000 points, loaded only when a chart
// is shown), each with the same data as a table for screen readers and keyboard users.
import { lazy, Suspense, useState } from "react";
import { useText } from "../i18n";
import { formatNumber } from "../format";
import { useLang } from "../i18n";

export interface Series {
  label: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface LineChartProps {
  title: string;
  xLabel: string;
  series: Series[];
  height?: number;
  logY?: boolean;
}

const Canvas = lazy(() => import("./UPlotCanvas"));

const TEXT = {
  en: { table: "Show as a table", loading: "Loading the chart…", empty: "No points yet." },
  ru: { table: "Показать таблицей", loading: "Загружаем график…", empty: "Точек пока нет." },
};

export function LineChart(props: LineChartProps) {
  const t = useText(TEXT);
  const { lang } = useLang();
  const [asTable, setAsTable] = useState(false);
  const xs = [...new Set(props.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const lookup = props.series.map((s) => new Map(s.points));
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      {xs.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <Suspense fallback={<p role="status">{t.loading}</p>}>
          <Canvas {...props} />
        </Suspense>
      )}
      <details open={asTable} onToggle={(event) => setAsTable((event.target as HTMLDetailsElement).open)}>
        <summary>{t.table}</summary>
        {asTable && (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">{props.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{props.xLabel}</th>
                  {props.series.map((s) => (
                    <th scope="col" key={s.label}>
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {xs.map((x) => (
                  <tr key={x}>
                    <th scope="row">{formatNumber(x, lang, 6)}</th>
                    {lookup.map((values, i) => {
                      const y = values.get(x);
                      return <td key={i}>{y === undefined ? "—" : formatNumber(y, lang, 4)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </figure>
  );
}
