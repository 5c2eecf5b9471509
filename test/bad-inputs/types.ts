/**
 * The bad-input corpus: each case is one malformed input given to the built CLI. Every case must
 * end with exit 2, exactly one line on stderr of the shape `routesim: …`, naming the file (or the
 * flag) at fault, no stack trace, within the time limit, and leave every pre-existing file intact.
 *
 * Cases live in one file per class (`<class>.cases.ts`, exporting `cases`), so several people can
 * add to the corpus without touching the same file. `corpus.test.ts` runs them all.
 */
export interface BadInputCase {
  /** Short unique name, shown in the test title. */
  readonly name: string;
  /**
   * Files written into a fresh temporary directory before the run (path relative to it → content;
   * a Buffer for binary content such as invalid UTF-8). The CLI runs with that directory as cwd.
   */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** Directories created in the temporary directory before the run. */
  readonly dirs?: readonly string[];
  /** Arguments after `routesim`. Relative paths resolve against the temporary directory. */
  readonly args: readonly string[];
  /** The single stderr line must match (e.g. /fleet\.replicas/ and /between 1 and/). */
  readonly stderr: RegExp | readonly RegExp[];
  /**
   * What the line must name: a file (relative to the temporary directory, as given in args), or a
   * flag such as `--rate-scale`. Defaults to the first arg ending in .yaml/.yml/.json/.jsonl/.csv.
   */
  readonly names?: string;
  /** Exit status expected; 2 unless stated (a user mistake is always 2). */
  readonly exit?: number;
}
