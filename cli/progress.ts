/**
 * A progress bar on stderr for runs longer than a second, only when stderr is a terminal, so
 * stdout stays one document and CI logs stay clean. Wall-clock use is confined to the CLI.
 */
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

/** cli-progress is loaded when a bar is first drawn (never when stderr is not a terminal). */
const requireCjs = createRequire(import.meta.url);

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function createProgress(label: string, total: number): Progress {
  if (!process.stderr.isTTY || total <= 0) return { update() {}, stop() {} };
  const started = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done: number) {
      if (bar === null) {
        if (Date.now() - started < 1000) return;
        const bars = requireCjs('cli-progress') as typeof cliProgress;
        bar = new bars.SingleBar(
          { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} requests | {duration}s`, hideCursor: true, clearOnComplete: true },
          bars.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(Math.min(done, total));
    },
    stop() {
      bar?.stop();
    },
  };
}
