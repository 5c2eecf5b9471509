/** The README documents every plugin and router: its tables are exactly what the registry says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginsMarkdown, pluginCatalog, routerCatalog } from '../cli/plugins.js';
import { PACKAGE_ROOT } from '../sim/core/paths.js';

const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

describe('README plugin tables', () => {
  it('match `routesim plugins --markdown` (regenerate the block between the plugins markers if this fails)', () => {
    const begin = README.indexOf('<!-- plugins:begin -->\n');
    const end = README.indexOf('<!-- plugins:end -->');
    expect(begin).toBeGreaterThan(0);
    expect(README.slice(begin + '<!-- plugins:begin -->\n'.length, end)).toBe(pluginsMarkdown());
  });

  it('name every registered plugin type and router type', () => {
    const types = [...pluginCatalog().map((p) => p.type), ...routerCatalog().map((r) => r.type)];
    expect(types.length).toBeGreaterThan(50);
    for (const t of types) expect(README).toContain(`| \`${t}\` |`);
  });
});
