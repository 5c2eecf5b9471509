/**
 * Colours, sizes and shared chart settings.
 *
 * Colour: every chart that encodes the policy uses `policyColor`, whose domain is the results'
 * policy list in scenario order, so a policy has the same colour in every chart of a report
 * (Tableau 10 without its grey, then Tableau 20's lighter shades without theirs; beyond 18
 * policies colours repeat). Series that are not policies — the engine's truth and the router's
 * scraped view, confidence-interval rules, SLO lines — are drawn in greys from `INK`, which no
 * policy ever gets, so a grey line is never mistaken for a policy.
 *
 * Size: every chart must fit a 1,400 px browser window whole (legends and facets included), in
 * index.html too: 1,400 − ~16 scrollbar − 2 × 12 page padding − 38 for vega-embed's action button
 * ≈ 1,322 px, so no chart may be wider than `MAX_CHART_WIDTH` = 1,300 px. Charts size their plots
 * to stay under it, and the legend, titles and facet headers have length limits, so long policy or
 * replica names are cut (with …) rather than widen the chart.
 */
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d'];
const TABLEAU20_LIGHT = ['#9ecae9', '#ffbf79', '#ff9d98', '#88d27a', '#83bcb6', '#fbe498', '#d6a5c9', '#fcbfd2', '#d8b5a5'];

/** Every policy colour, in assignment order. */
export const POLICY_COLORS: readonly string[] = [...TABLEAU10, ...TABLEAU20_LIGHT];

/** Colours of series that are not policies (greys; none is a policy colour). */
export const INK = {
  /** The engine's true gauges (solid line). */
  truth: '#1f1f1f',
  /** The router's last scrape of them (wide dashed line under the truth). */
  scraped: '#b3b3b3',
  /** 95 % confidence-interval rules. */
  ci: '#333333',
  /** SLO reference lines and their labels. */
  slo: '#5a5a5a',
} as const;

/** Colour of the policy at position i of the results' policy list. */
export function policyColorAt(i: number): string {
  return POLICY_COLORS[i % POLICY_COLORS.length]!;
}

/** Legend label width for policy names, px: room for LEGEND_NAME_CHARS characters by vega's estimate. */
const POLICY_LABEL_LIMIT = 260;

/** Longest policy name shown whole in a legend, characters; longer ones keep their start and end. */
export const LEGEND_NAME_CHARS = 26;

/**
 * Legend label expression shortening a long name in the middle (`a-rather-long…name-number-1`),
 * so names that differ only at their end (a common pattern: `…-v1`, `…-v2`) stay distinguishable.
 */
const MIDDLE_ELLIPSIS = `length(datum.label) > ${LEGEND_NAME_CHARS} ? slice(datum.label, 0, ${LEGEND_NAME_CHARS / 2 - 1}) + '…' + slice(datum.label, -${LEGEND_NAME_CHARS / 2}) : datum.label`;

/** A Vega-Lite colour channel for the `policy` field with the fixed policy → colour mapping. */
export function policyColor(policies: readonly string[]) {
  return {
    field: 'policy',
    type: 'nominal' as const,
    title: 'policy',
    sort: [...policies],
    scale: { domain: [...policies], range: policies.map((_, i) => policyColorAt(i)) },
    legend: { labelExpr: MIDDLE_ELLIPSIS, labelLimit: POLICY_LABEL_LIMIT },
  };
}

/** Widest a rendered chart may be, px (the SVG's width, legends and facet headers included). */
export const MAX_CHART_WIDTH = 1300;

/** Longest a legend label, facet header or axis label is drawn, px (longer ones end in …). */
export const LABEL_LIMIT = 200;

/** Vega-Lite schema URL of the pinned major version (VS Code's Vega viewers key on it). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Settings shared by every chart. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee', labelLimit: LABEL_LIMIT },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: LABEL_LIMIT },
  header: { labelLimit: LABEL_LIMIT },
  title: { fontSize: 14, anchor: 'start' as const, limit: MAX_CHART_WIDTH - 40 },
  concat: { spacing: 24 },
};
