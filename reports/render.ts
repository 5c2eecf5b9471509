/**
 * Vega-Lite → Vega → SVG in Node, with no browser: vega-lite compiles the spec, vega renders it
 * headless (`renderer: 'none'`, text measured by vega's built-in estimates, so the output is the same
 * on every machine). Warnings are collected rather than printed, so callers and tests can insist on
 * none.
 */
import { parse, View, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Rendered {
  readonly svg: string;
  /** vega-lite and vega warnings and errors, in order. */
  readonly warnings: readonly string[];
}

/** A logger that records instead of printing. */
function collector(into: string[], source: string): LoggerInterface {
  let lvl = 2; // vega.Warn
  const text = (args: readonly unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      into.push(`${source} error: ${text(args)}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      into.push(`${source} warning: ${text(args)}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as unknown as LoggerInterface;
}

/** Compiles a Vega-Lite spec to Vega, collecting warnings. */
function compileVegaLite(spec: TopLevelSpec): { vega: ReturnType<typeof compile>['spec']; warnings: string[] } {
  const warnings: string[] = [];
  const out = compile(spec, { logger: collector(warnings, 'vega-lite') });
  return { vega: out.spec, warnings };
}

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<Rendered> {
  const { vega, warnings } = compileVegaLite(spec);
  const view = new View(parse(vega), { renderer: 'none', logger: collector(warnings, 'vega') });
  try {
    const svg = await view.toSVG();
    return { svg: svg.endsWith('\n') ? svg : `${svg}\n`, warnings };
  } finally {
    view.finalize();
  }
}
