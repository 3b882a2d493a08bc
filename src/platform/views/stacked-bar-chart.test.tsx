import { renderToString } from 'preact-render-to-string';
import { describe, expect, test } from 'vitest';
import { formatEuros } from '../../domain/money.ts';
import { CHART_LAYOUT, StackedBarChart, layoutStackedBars, type ChartSeries } from './stacked-bar-chart.tsx';

const series: ChartSeries[] = [
  { key: 'a', label: 'Sécurité sociale', colour: '#16325c' },
  { key: 'b', label: 'Mutuelle', colour: '#00796b' },
  { key: 'c', label: 'Reste à votre charge', colour: '#b35900', hatched: true },
];
const rows = [
  { label: 'Optique', values: [9, 24_991, 10_000] },
  { label: 'Pharmacie', values: [650, 350, 0] },
];

describe('stacked bar chart (server-side SVG)', () => {
  test('bars are proportional to their totals, the longest one spans barSpan %, zero parts are left out', () => {
    const { height, bars } = layoutStackedBars(series, rows);
    expect(height).toBe(2 * CHART_LAYOUT.rowHeight);
    expect(bars.map((b) => b.total)).toEqual([35_000, 1_000]);
    expect(bars[0]!.endPercent).toBeCloseTo(CHART_LAYOUT.barSpan, 9);
    expect(bars[1]!.endPercent).toBeCloseTo((CHART_LAYOUT.barSpan * 1_000) / 35_000, 9);
    expect(bars[1]!.segments.map((s) => s.series.key)).toEqual(['a', 'b']);
    expect(bars[0]!.segments[1]!.xPercent).toBeCloseTo(bars[0]!.segments[0]!.widthPercent, 9);
  });

  test('nothing to draw: no bar wider than zero, no division by zero', () => {
    const { bars } = layoutStackedBars(series, [{ label: 'Vide', values: [0, 0, 0] }]);
    expect(bars[0]).toMatchObject({ total: 0, segments: [], endPercent: 0 });
  });

  test('an image named by its <title> and <desc>, a text legend, then a table of the same figures', () => {
    const html = renderToString(
      <StackedBarChart id="essai" title="Dépenses par soins" description="Trois parts par barre." tableCaption="Dépenses par soins (tableau)" rowHeader="Soins" series={series} rows={rows} />,
    );
    expect(html).toMatch(/<svg [^>]*role="img"[^>]*aria-labelledby="essai-titre essai-description"/);
    expect(html).toContain('<title id="essai-titre">Dépenses par soins</title>');
    expect(html).toContain('<desc id="essai-description">Trois parts par barre.</desc>');
    expect(html).toMatch(/<ul class="chart-legend"[^>]*><li>.*Sécurité sociale<\/li><li>.*Mutuelle<\/li><li>.*Reste à votre charge<\/li><\/ul>/);
    // The table comes right after the figure and holds every value and total, in French.
    expect(html).toMatch(/<\/figure><table class="chart-table"><caption>Dépenses par soins \(tableau\)<\/caption>/);
    for (const row of rows) {
      const cells = row.values.map((v, i) => `<td class="num" data-label="${series[i]!.label}">${formatEuros(v)}</td>`).join('');
      expect(html).toContain(`<tr><th scope="row">${row.label}</th>${cells}<td class="num" data-label="Total">${formatEuros(row.values.reduce((a, b) => a + b, 0))}</td></tr>`);
    }
    expect(html).toContain(`>${formatEuros(35_000)}</text>`);
    // The hatched series fills with the chart's own pattern.
    expect(html).toContain('<pattern id="essai-hachures"');
    expect(html).toContain('fill="url(#essai-hachures)"');
  });
});
