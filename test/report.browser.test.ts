/**
 * End to end in a real browser: `index.html` of a report opened from disk in headless Chromium
 * (Debian's `chromium`, driven by playwright-core) draws every chart — an SVG with marks in each
 * chart's container — with no console errors, no page errors and no network requests, and in a
 * 1,400 px window no chart wider than its section.
 * Skips, saying why, where /usr/bin/chromium is not installed (.ci/run installs it).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectResults } from '../reports/collect.js';
import { writeReport } from '../reports/report.js';
import { parseScenario } from '../sim/scenario/load.js';

/** Debian's chromium; ROUTESIM_CHROMIUM overrides it (e.g. to see the skip). */
const CHROMIUM = process.env.ROUTESIM_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test`;
if (!hasChromium) console.warn(`skipping test/report.browser.test.ts: ${SKIP_REASON}`);

const SCENARIO = `
name: browser
seed: 3
requests: 80
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 300}}
workload:
  arrival: {process: poisson, rate: 30}
  shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 40}
policies: [round-robin, least-requests]
slo: {ttft_ms: 50}
report: {sample_ms: 25, window_ms: 500}
`;

describe('index.html in headless Chromium', () => {
  it('draws every chart with no errors and no network', async (ctx) => {
    ctx.skip(!hasChromium, SKIP_REASON);
    const dir = join(mkdtempSync(join(tmpdir(), 'routesim-browser-')), 'report');
    const { doc } = collectResults(parseScenario(SCENARIO, 'browser.yaml'), { seeds: 2, sweepRates: [15, 30] }, 'test');
    const report = await writeReport(doc, dir);
    expect(report.charts.length).toBe(9); // 2 CDFs, percentiles, TTFT over time, load share, throughput, 2 replica charts, sweep

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      const network: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (!/^(file|data|blob):/.test(r.url())) network.push(r.url());
      });
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });

      const charts = await page.$$eval('div.chart', (els) =>
        els.map((el) => ({
          id: el.getAttribute('data-id'),
          drawn: el.getAttribute('data-drawn'),
          svgs: el.querySelectorAll('svg').length,
          marks: el.querySelectorAll('svg g[class^="mark-"] path, svg g[class^="mark-"] line').length,
        })),
      );
      expect(charts.map((c) => c.id)).toEqual(report.charts.map((c) => c.id));
      for (const c of charts) {
        expect(c.drawn, c.id ?? '').toBe('true');
        expect(c.svgs, c.id ?? '').toBeGreaterThan(0);
        expect(c.marks, c.id ?? '').toBeGreaterThan(0);
      }
      // In a 1,400 px window every chart fits its section whole: no horizontal scrolling.
      const overflow = await page.$$eval('section', (els) => els.filter((el) => el.scrollWidth > el.clientWidth).map((el) => `${el.id}: ${el.scrollWidth} > ${el.clientWidth}`));
      expect(overflow).toEqual([]);
      const page_ = await page.$eval('html', (el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(page_.scroll, 'the page does not scroll sideways').toBeLessThanOrEqual(page_.client);
      expect(problems).toEqual([]);
      expect(network).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
