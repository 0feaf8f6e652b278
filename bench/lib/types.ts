/**
 * The contract between `bench/run.ts` and a suite. A suite is one file in `bench/suites/` that exports
 * `suite`; the runner discovers it, runs it, and pastes the markdown it returns into RESULTS.md.
 */
export interface BenchContext {
  /** Repository root (absolute). */
  root: string;
  /** Scratch folder for generated inputs, gitignored (`bench/out/`). */
  outDir: string;
  /** Numeric setting from `--name=value` flags or `BENCH_NAME` env (flags win), else the fallback. */
  setting(name: string, fallback: number): number;
  /** Progress for the person running the bench (stderr), never part of the results. */
  log(message: string): void;
}

export interface BenchSuite {
  /** Short id, used by `--only`. */
  name: string;
  /** Section heading in RESULTS.md. */
  title: string;
  /** Returns a markdown section body (no heading). */
  run(ctx: BenchContext): Promise<string>;
}
