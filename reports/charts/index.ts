/**
 * Every chart a results document supports, in page order (charts without data are left out); the
 * P/D TTFT breakdown and the per-pool charts (issue 10) appear only for P/D and multi-pool runs,
 * replicas over time against load (issue 11) only for runs with a replica timeline, one chart per
 * swept field (issue 14) only for results with a sweep grid.
 */
import type { ResultsDocument } from '../results.js';
import { cdfChart } from './cdf.js';
import { loadShareChart } from './loadShare.js';
import { percentilesChart } from './percentiles.js';
import { poolCharts } from './pools.js';
import { replicaChartIds, replicaTimeseriesChart } from './replicaTimeseries.js';
import { replicasOverTimeChart } from './replicasOverTime.js';
import { gridCharts } from './grid.js';
import { sweepChart } from './sweep.js';
import { throughputChart } from './throughput.js';
import { ttftBreakdownChart } from './ttftBreakdown.js';
import { ttftOverTimeChart } from './ttftOverTime.js';
import type { Chart } from './types.js';

export type { Chart } from './types.js';

export function buildCharts(doc: ResultsDocument): Chart[] {
  const ids = replicaChartIds(doc);
  const charts: (Chart | null)[] = [
    cdfChart(doc, 'ttft_ms'),
    cdfChart(doc, 'e2e_ms'),
    percentilesChart(doc),
    ttftOverTimeChart(doc),
    replicasOverTimeChart(doc),
    loadShareChart(doc),
    throughputChart(doc),
    ...doc.policies.map((p, i) => replicaTimeseriesChart(doc, p, ids[i]!)),
    ttftBreakdownChart(doc),
    ...poolCharts(doc),
    sweepChart(doc),
    ...gridCharts(doc),
  ];
  return charts.filter((c): c is Chart => c !== null);
}
