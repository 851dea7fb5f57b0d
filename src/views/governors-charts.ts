import * as echarts from 'echarts';
import escapeHtml from 'escape-html';
import type { CountRow, GovernorsReport } from '../core/governors-report.js';

// The governors' report's charts: SVG drawn by Apache ECharts (server-side rendering, no
// browser). A suppressed count is drawn as no bar, labelled as the report words it.

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

function barChart(title: string, rows: CountRow[]): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 720, height: 60 + rows.length * 34 });
  chart.setOption({
    animation: false,
    title: { text: title, left: 8, textStyle: { fontSize: 15, color: '#1b1b1b' } },
    grid: { left: 250, right: 90, top: 40, bottom: 10 },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#1b1b1b' } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.label), axisLabel: { color: '#1b1b1b', width: 230, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        itemStyle: { color: '#1d4f91' },
        data: rows.map((r, i) => ({ value: r.count ?? 0, name: r.label, label: { show: true, position: 'right', color: '#1b1b1b', formatter: () => rows[i]?.shown ?? '' } })),
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  // Server-side rendering leaves out ECharts' aria description: the chart says its numbers in a <title> and role="img".
  const description = `${title}: ${rows.map((r) => `${r.label} ${r.shown}`).join('; ')}.`;
  return svg.replace(/^<svg /, '<svg role="img" ').replace(/^(<svg[^>]*>)/, `$1<title>${escapeHtml(description)}</title>`);
}

/** The report's charts, one SVG each: reports by kind, by rule, closed by outcome. */
export function governorsCharts(r: GovernorsReport): Chart[] {
  return [
    { file: 'reports-by-kind.svg', title: 'Reports by kind', svg: barChart('Reports by kind', r.byKind) },
    { file: 'reports-by-rule.svg', title: 'Reports by rule', svg: barChart('Reports by rule', r.byRule) },
    { file: 'closed-by-outcome.svg', title: 'Closed, by outcome', svg: barChart('Closed, by outcome', r.closedByOutcome) },
  ];
}
