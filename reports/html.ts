/**
 * index.html: one self-contained page with every chart. The vega, vega-lite and vega-embed
 * runtimes are read from the installed packages at report time and inlined, and the specs are
 * embedded as JSON, so the page opens from disk with no network. Charts render as SVG in the
 * browser; `body[data-rendered]` is set once every chart has been drawn (or has failed, which is
 * logged to the console).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Chart } from './charts/types.js';
import { CLASS_HEADERS, classTables, PD_HEADERS, pdRows, REPLICA_HEADERS, replicaRows, STAGE_HEADERS, stageRows, SUBSET_HEADERS, subsetTables, windowSentence } from './breakdown.js';
import { runDescription, summaryTable } from './markdown.js';
import type { ResultsDocument } from './results.js';

/** The browser builds of the runtimes, in load order (vega-lite needs vega; vega-embed needs both). */
const RUNTIMES = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

/** Path of a package's minified browser build: next to its main entry (each ships it in build/). */
function runtimePath(pkg: string, file: string): string {
  return join(dirname(fileURLToPath(import.meta.resolve(pkg))), file);
}

/** Script text safe inside <script>…</script> (a literal `</script` would end the element). */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside a <script type="application/json"> element. */
function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 12px; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
p.run { color: #555; margin-top: 0; }
div.table { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #ddd; white-space: nowrap; }
th { text-align: right; background: #f5f5f5; }
td { text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
nav ul { columns: 2; padding-left: 1.2rem; }
section { margin: 2.5rem 0; overflow-x: auto; }
section h2 { font-size: 1.15rem; margin-bottom: 0.2rem; }
section p { color: #555; margin-top: 0; }
.chart { min-height: 80px; }
.chart-error { color: #b00020; }
`;

const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('routesim-specs').textContent);
  var nodes = document.querySelectorAll('div.chart');
  var jobs = [];
  specs.forEach(function (spec, i) {
    var el = nodes[i];
    jobs.push(vegaEmbed(el, spec, { renderer: 'svg', actions: { export: true, source: true, compiled: false, editor: false } }).then(
      function () { el.setAttribute('data-drawn', 'true'); },
      function (err) {
        console.error('chart ' + el.getAttribute('data-id') + ' failed: ' + (err && err.message ? err.message : err));
        el.className += ' chart-error';
        el.textContent = 'This chart failed to render: ' + (err && err.message ? err.message : err);
      }
    ));
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-rendered', String(specs.length)); });
})();
`;

/** A table of text cells (first column left-aligned by the page style). */
function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    '<div class="table">',
    '<table>',
    `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table>',
    '</div>',
  ].join('\n');
}

/** The page. `runtimes` defaults to the installed packages' browser builds. */
export function renderIndexHtml(doc: ResultsDocument, charts: readonly Chart[], runtimes: readonly string[] = RUNTIMES.map(([pkg, file]) => readFileSync(runtimePath(pkg, file), 'utf8'))): string {
  const name = (doc.scenario as { name?: string }).name ?? 'results';
  const { headers, rows } = summaryTable(doc);
  const seeded = (doc.seeds?.length ?? 1) > 1;
  const table = htmlTable(headers, rows);
  const window = windowSentence(doc);
  const breakdown = [
    ...classTables(doc).map((t) => `<h2>Per ${esc(t.dimension)}</h2>\n${htmlTable(['policy', t.dimension, ...CLASS_HEADERS], t.rows)}`),
    ...(stageRows(doc).length > 0 ? [`<h2>Load stages</h2>\n${htmlTable(['stage', 'time s', 'rate req/s', 'policy', ...STAGE_HEADERS], stageRows(doc))}`] : []),
    ...subsetTables(doc).map((t) => `<h2>Per ${esc(t.dimension)}</h2>\n${htmlTable(['policy', t.dimension, ...SUBSET_HEADERS], t.rows)}`),
    ...(replicaRows(doc).length > 0 ? [`<h2>Replicas</h2>\n${htmlTable(REPLICA_HEADERS, replicaRows(doc))}`] : []),
    ...(pdRows(doc).length > 0 ? [`<h2>TTFT breakdown (P/D), mean ms</h2>\n${htmlTable(['policy', 'requests', ...PD_HEADERS], pdRows(doc))}`] : []),
  ];
  const nav = charts.length > 0 ? `<nav><ul>\n${charts.map((c) => `<li><a href="#${esc(c.id)}">${esc(c.title)}</a></li>`).join('\n')}\n</ul></nav>` : '<p>No charts: the results hold no data to draw.</p>';
  const sections = charts.map(
    (c) => `<section id="${esc(c.id)}">\n<h2>${esc(c.title)}</h2>\n<p>${esc(c.description)}</p>\n<div class="chart" data-id="${esc(c.id)}"></div>\n</section>`,
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>routesim report: ${esc(name)}</title>`,
    `<style>${STYLE}</style>`,
    ...runtimes.map((js, i) => `<script>/* ${RUNTIMES[i]?.[0] ?? 'runtime'} */\n${scriptSafe(js)}\n</script>`),
    '</head>',
    '<body>',
    `<h1>routesim report: ${esc(name)}</h1>`,
    `<p class="run">${esc(runDescription(doc))}</p>`,
    window ? `<p>${esc(window)}</p>` : '',
    seeded ? '<p>Figures are the mean over seeds ± the half-width of its 95 % confidence interval.</p>' : '',
    table,
    '<p>TTFT and TPOT in ms, E2E in s, in the tables and every chart.</p>',
    ...breakdown,
    nav,
    ...sections,
    `<script type="application/json" id="routesim-specs">${jsonSafe(charts.map((c) => c.spec))}</script>`,
    `<script>${BOOT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
