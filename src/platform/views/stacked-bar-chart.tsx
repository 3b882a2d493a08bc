/**
 * A horizontal stacked bar chart drawn on the server as SVG, for pages that work without JavaScript: one bar per row,
 * split into the series. Accessible by construction: role="img" named by its <title> and <desc>, a text legend, and
 * the same figures in an HTML table right after it (the chart is a picture of the table, never the only copy). Each
 * cell of the table carries its column's name in data-label, so that a narrow screen can show rows as cards.
 *
 * The SVG has no viewBox: bar widths are percentages of the chart's width, text keeps its size, so the chart fits a
 * 320 px screen with readable labels. Each label sits on its own line above its bar; the row's total is written just
 * after the bar, in the space the longest bar leaves. Segments are parted by a white gap, so each colour only has to
 * stand out from the white background (3:1, WCAG 1.4.11), and one series can be hatched so that colour is not the
 * only cue (1.4.1).
 */
import { formatEuros } from '../../domain/money.ts';

export type ChartSeries = {
  key: string;
  label: string;
  /** A colour with at least 3:1 contrast against white. */
  colour: string;
  hatched?: boolean;
};

export type ChartRow = { label: string; values: readonly number[] };

export type ChartOptions = {
  /** Prefix of the element ids: unique in the page. */
  id: string;
  title: string;
  description: string;
  /** Caption of the table of the same figures. */
  tableCaption: string;
  /** Header of the first column of the table. */
  rowHeader: string;
  series: readonly ChartSeries[];
  rows: readonly ChartRow[];
  /** Formats a value (default: euros from cents, « 1 234,56 € »). */
  format?: (value: number) => string;
};

export const CHART_LAYOUT = {
  /** Share of the width the longest bar takes, in %: the rest holds the total, written just after each bar. */
  barSpan: 68,
  rowHeight: 56,
  labelBaseline: 16,
  barTop: 24,
  barHeight: 22,
  totalBaseline: 40,
  labelSize: 15,
  totalSize: 14,
} as const;

export type ChartSegment = { series: ChartSeries; value: number; xPercent: number; widthPercent: number };
export type ChartBar = { label: string; total: number; y: number; segments: ChartSegment[]; /** Where the bar ends, in % of the width. */ endPercent: number };

const percent = (value: number) => `${Math.round(value * 1000) / 1000}%`;

/** The geometry of the chart: pure, so that tests can check it without parsing SVG. Negative values count as zero. */
export function layoutStackedBars(series: readonly ChartSeries[], rows: readonly ChartRow[]): { height: number; bars: ChartBar[] } {
  const totals = rows.map((row) => row.values.reduce((sum, value) => sum + Math.max(0, value), 0));
  const largest = Math.max(0, ...totals);
  const scale = largest > 0 ? CHART_LAYOUT.barSpan / largest : 0;
  const bars = rows.map((row, index) => {
    let x = 0;
    const segments: ChartSegment[] = [];
    series.forEach((s, i) => {
      const value = Math.max(0, row.values[i] ?? 0);
      if (value === 0) return;
      segments.push({ series: s, value, xPercent: x, widthPercent: value * scale });
      x += value * scale;
    });
    return { label: row.label, total: totals[index]!, y: index * CHART_LAYOUT.rowHeight, segments, endPercent: x };
  });
  return { height: Math.max(1, rows.length) * CHART_LAYOUT.rowHeight, bars };
}

function Swatch({ series, patternId }: { series: ChartSeries; patternId: string }) {
  return (
    <svg class="chart-swatch" width="18" height="18" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="16" height="16" fill={series.colour} stroke="#1b1f24" stroke-width="1" />
      {series.hatched ? <rect x="1" y="1" width="16" height="16" fill={`url(#${patternId})`} /> : null}
    </svg>
  );
}

/** The figure (SVG, legend) followed by the table of the same figures. */
export function StackedBarChart({ id, title, description, tableCaption, rowHeader, series, rows, format = formatEuros }: ChartOptions) {
  const { height, bars } = layoutStackedBars(series, rows);
  const L = CHART_LAYOUT;
  const patternId = `${id}-hachures`;
  return (
    <>
      <figure class="chart" id={id}>
        <svg class="chart-svg" width="100%" height={height} role="img" aria-labelledby={`${id}-titre ${id}-description`} focusable="false">
          <title id={`${id}-titre`}>{title}</title>
          <desc id={`${id}-description`}>{description}</desc>
          <defs>
            <pattern id={patternId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="2" height="6" fill="#000000" fill-opacity="0.4" />
            </pattern>
          </defs>
          {bars.map((bar) => (
            <g>
              <text x="0" y={bar.y + L.labelBaseline} font-size={L.labelSize} fill="#1b1f24">
                {bar.label}
              </text>
              {bar.segments.map((segment) => (
                <>
                  <rect
                    x={percent(segment.xPercent)}
                    y={bar.y + L.barTop}
                    width={percent(segment.widthPercent)}
                    height={L.barHeight}
                    fill={segment.series.colour}
                    stroke="#ffffff"
                    stroke-width="2"
                  />
                  {segment.series.hatched ? (
                    <rect x={percent(segment.xPercent)} y={bar.y + L.barTop} width={percent(segment.widthPercent)} height={L.barHeight} fill={`url(#${patternId})`} stroke="#ffffff" stroke-width="2" />
                  ) : null}
                </>
              ))}
              <text x={percent(bar.endPercent + 1)} y={bar.y + L.totalBaseline} font-size={L.totalSize} fill="#1b1f24">
                {format(bar.total)}
              </text>
            </g>
          ))}
        </svg>
        <figcaption>
          <ul class="chart-legend" aria-label="Légende">
            {series.map((s) => (
              <li>
                <Swatch series={s} patternId={patternId} /> {s.label}
              </li>
            ))}
          </ul>
        </figcaption>
      </figure>
      <table class="chart-table">
        <caption>{tableCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{rowHeader}</th>
            {series.map((s) => (
              <th scope="col" class="num">
                {s.label}
              </th>
            ))}
            <th scope="col" class="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {bars.map((bar, index) => (
            <tr>
              <th scope="row">{bar.label}</th>
              {series.map((s, i) => (
                <td class="num" data-label={s.label}>
                  {format(rows[index]!.values[i] ?? 0)}
                </td>
              ))}
              <td class="num" data-label="Total">
                {format(bar.total)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
