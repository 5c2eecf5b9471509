/**
 * Colours and shared chart settings. Every chart that encodes the policy uses `policyColor`, whose
 * domain is the results' policy list in scenario order, so a policy has the same colour in every
 * chart of a report (Tableau 10, then Tableau 20's lighter shades; beyond 20 policies colours repeat).
 */
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
const TABLEAU20_LIGHT = ['#9ecae9', '#ffbf79', '#ff9d98', '#88d27a', '#83bcb6', '#fbe498', '#d6a5c9', '#fcbfd2', '#d8b5a5', '#d6d0cc'];

/** Colour of the policy at position i of the results' policy list. */
export function policyColorAt(i: number): string {
  const all = [...TABLEAU10, ...TABLEAU20_LIGHT];
  return all[i % all.length]!;
}

/** A Vega-Lite colour channel for the `policy` field with the fixed policy → colour mapping. */
export function policyColor(policies: readonly string[]) {
  return {
    field: 'policy',
    type: 'nominal' as const,
    title: 'policy',
    sort: [...policies],
    scale: { domain: [...policies], range: policies.map((_, i) => policyColorAt(i)) },
  };
}

/** Vega-Lite schema URL of the pinned major version (VS Code's Vega viewers key on it). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Settings shared by every chart. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};
