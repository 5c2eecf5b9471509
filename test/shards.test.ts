/**
 * `routesim run --shard i/N` and `routesim merge`: the merged document is byte-identical to the
 * unsharded run's; every cell belongs to exactly one shard; bad shards and bad parts are refused
 * in one line (exit 2); the Kubernetes Indexed Job and the CI matrix workflow are well-formed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT, routesim, smallScenario } from './cliHelpers.js';
import { shardCellIndices, shardOfCell, parseShardFlag, MAX_SHARDS } from '../lab/shards/spec.js';
import { replayArgs } from '../lab/shards/args.js';

/** Exit 2 with exactly one `routesim: …` line on stderr containing every `words`. */
function expectOneLineError(r: ReturnType<typeof routesim>, ...words: string[]): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^routesim: /);
  for (const w of words) expect(lines[0]).toContain(w);
}

describe('shard selection', () => {
  it('puts every cell in exactly one shard, round-robin, for any N and cell count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 40 }), (cells, count) => {
        const seen = new Array<number>(cells).fill(0);
        for (let index = 1; index <= count; index++) {
          const mine = shardCellIndices(cells, { index, count });
          for (const k of mine) {
            seen[k]!++;
            expect(shardOfCell(k, count)).toBe(index);
          }
          // Round-robin: shard sizes differ by at most one (⌈cells/N⌉ or ⌊cells/N⌋).
          expect(mine.length === Math.floor(cells / count) || mine.length === Math.ceil(cells / count)).toBe(true);
          expect([...mine].sort((a, b) => a - b)).toEqual(mine);
        }
        expect(seen.every((n) => n === 1)).toBe(true);
      }),
    );
  });

  it('deals cells 0..6 over 3 shards as {0,3,6}, {1,4}, {2,5}', () => {
    expect(shardCellIndices(7, { index: 1, count: 3 })).toEqual([0, 3, 6]);
    expect(shardCellIndices(7, { index: 2, count: 3 })).toEqual([1, 4]);
    expect(shardCellIndices(7, { index: 3, count: 3 })).toEqual([2, 5]);
    expect(shardCellIndices(2, { index: 4, count: 5 })).toEqual([]);
  });

  it('parses i/N with 1 ≤ i ≤ N ≤ 10,000 and refuses the rest', () => {
    expect(parseShardFlag('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShardFlag(' 10000/10000 ')).toEqual({ index: MAX_SHARDS, count: MAX_SHARDS });
    for (const bad of ['0/3', '4/3', '3', '1/0', 'a/b', '1/10001', '-1/3', '1.5/3', '']) expect(() => parseShardFlag(bad)).toThrow(/--shard.*e\.g\. --shard 1\/4/);
  });

  it('replays the command without output, jobs and shard flags', () => {
    expect(replayArgs(['run', 's.yaml', '--seeds', '3', '--shard', '1/3', '--out', 'p.json', '-j', '2', '--json'])).toEqual(['run', 's.yaml', '--seeds', '3']);
    expect(replayArgs(['run', '--out=p.json', '-op.json', '-j4', '--jobs=2', '--shard=2/3', 's.yaml', '--update-baseline', 'b.json', '--sweep-rate', '10,30'])).toEqual(['run', 's.yaml', '--sweep-rate', '10,30']);
  });
});

describe('routesim run --shard and routesim merge (built CLI)', () => {
  let dir: string;
  const run = (...args: string[]) => routesim(args, dir);
  const base = ['run', 's.yaml', '--seeds', '3', '--sweep-rate', '10,30'];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'routesim-shards-'));
    writeFileSync(join(dir, 's.yaml'), smallScenario());
    expect(run(...base, '--jobs', '1', '--out', 'full.json').code).toBe(0);
    // Shard 2 on worker threads: a shard's pool gives the same results as this thread.
    for (const i of [1, 2, 3]) expect(run(...base, '--shard', `${i}/3`, '--out', `p${i}.json`, ...(i === 2 ? ['--jobs', '2'] : [])).code).toBe(0);
  });

  it('writes partials that split the 18 cells 6/6/6 (2 policies × 3 seeds × (base rate + 2 sweep rates))', () => {
    for (const i of [1, 2, 3]) {
      const p = JSON.parse(readFileSync(join(dir, `p${i}.json`), 'utf8'));
      expect(p.routesim_partial).toBe(1);
      expect(p.shard).toEqual({ index: i, count: 3 });
      expect(p.cells_total).toBe(18);
      expect(p.cells).toHaveLength(6);
      expect(p.command).toEqual(base);
      expect(p.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('merges the parts, in any order, byte-identical to the unsharded run (--out, --json and the table)', () => {
    const full = readFileSync(join(dir, 'full.json'));
    expect(run('merge', 'p3.json', 'p1.json', 'p2.json', '--out', 'merged.json').code).toBe(0);
    expect(readFileSync(join(dir, 'merged.json')).equals(full)).toBe(true);
    expect(run('merge', 'p2.json', 'p3.json', 'p1.json', '-o', 'merged2.json').code).toBe(0);
    expect(readFileSync(join(dir, 'merged2.json')).equals(full)).toBe(true);
    expect(run('merge', 'p1.json', 'p2.json', 'p3.json', '--json').stdout).toBe(full.toString('utf8'));
    const table = run(...base);
    const merged = run('merge', 'p1.json', 'p2.json', 'p3.json');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(table.stdout);
    // cmp, as a user would check it.
    expect(spawnSync('cmp', ['full.json', 'merged.json'], { cwd: dir }).status).toBe(0);
  });

  it('merges a sweep grid (--sweep, --set) byte-identical too', () => {
    const grid = ['run', 's.yaml', '--seeds', '2', '--set', 'requests=40', '--sweep', 'fleet.replicas=2,3'];
    expect(run(...grid, '--out', 'grid.json').code).toBe(0);
    // 2 grid points (replicas 2 = the base scenario, 3) × 2 policies × 2 seeds = 8 cells; shard 1 of 3 gets cells 0, 3, 6.
    // Shard 3's part goes to a folder that does not exist yet.
    for (const i of [1, 2, 3]) expect(run(...grid, '--shard', `${i}/3`, '--out', i === 3 ? 'gdir/g3.json' : `g${i}.json`).code).toBe(0);
    const g1 = JSON.parse(readFileSync(join(dir, 'g1.json'), 'utf8'));
    expect(g1.cells_total).toBe(8);
    expect(g1.cells).toHaveLength(3);
    expect(run('merge', 'g2.json', 'g1.json', 'gdir/g3.json', '--out', 'grid-merged.json').code).toBe(0);
    expect(readFileSync(join(dir, 'grid-merged.json')).equals(readFileSync(join(dir, 'grid.json')))).toBe(true);
  });

  it('works with more shards than cells (empty shards)', () => {
    // --seeds 1, no sweep: 2 cells (one per policy), so shards 3..5 of 5 are empty.
    expect(run('run', 's.yaml', '--out', 'one.json').code).toBe(0);
    for (let i = 1; i <= 5; i++) expect(run('run', 's.yaml', '--shard', `${i}/5`, '--out', `e${i}.json`).code).toBe(0);
    const sizes = [1, 2, 3, 4, 5].map((i) => JSON.parse(readFileSync(join(dir, `e${i}.json`), 'utf8')).cells.length);
    expect(sizes).toEqual([1, 1, 0, 0, 0]);
    expect(run('merge', 'e5.json', 'e4.json', 'e3.json', 'e2.json', 'e1.json', '--out', 'one-merged.json').code).toBe(0);
    expect(readFileSync(join(dir, 'one-merged.json')).equals(readFileSync(join(dir, 'one.json')))).toBe(true);
  });

  it('refuses bad --shard uses in one line (exit 2)', () => {
    expectOneLineError(run(...base, '--shard', '4/3', '--out', 'x.json'), '--shard', 'e.g. --shard 1/4');
    expectOneLineError(run(...base, '--shard', 'two/3', '--out', 'x.json'), '--shard');
    expectOneLineError(run(...base, '--shard', '1/3'), '--shard', 'needs --out');
    expectOneLineError(run(...base, '--shard', '1/3', '--out', '-'), '--shard', 'needs --out');
    expectOneLineError(run(...base, '--shard', '1/3', '--out', 'x.json', '--requests-csv', 'r.csv'), '--shard', '--requests-csv', 'unsharded');
    expectOneLineError(run(...base, '--shard', '1/3', '--out', 'x.json', '--trace-out', 't.csv'), '--trace-out');
    expectOneLineError(run(...base, '--shard', '1/3', '--out', 'x.json', '--decisions', 'd.jsonl'), '--decisions');
    expectOneLineError(run(...base, '--shard', '1/3', '--out', 'x.json', '--json'), '--json');
  });

  it('refuses bad parts in one line (exit 2), naming the file and the fix', () => {
    writeFileSync(join(dir, 'junk.json'), '{not json');
    expectOneLineError(run('merge', 'p1.json', 'nope.json'), 'nope.json', 'cannot read');
    expectOneLineError(run('merge', 'p1.json', 'junk.json'), 'junk.json', 'not JSON');
    expectOneLineError(run('merge', 'full.json', 'p1.json'), 'full.json', 'not a shard');
    // A shard missing, or given twice.
    expectOneLineError(run('merge', 'p1.json', 'p3.json', '--out', 'm.json'), 'shard 2 of 3 missing', '--shard 2/3');
    expectOneLineError(run('merge', 'p1.json', 'p2.json', 'p3.json', 'p1.json'), 'p1.json', 'given twice');
    // Shard counts differ: e1 is shard 1/5.
    expectOneLineError(run('merge', 'p1.json', 'p2.json', 'p3.json', 'e1.json'), 'e1.json', 'shard counts differ');
    // A different command (other seeds): different fingerprints.
    expect(run('run', 's.yaml', '--seeds', '2', '--shard', '1/3', '--out', 'q1.json').code).toBe(0);
    expectOneLineError(run('merge', 'p2.json', 'p3.json', 'q1.json'), 'q1.json', 'fingerprint', '--seeds 2');
    // Another routesim version.
    const p1 = JSON.parse(readFileSync(join(dir, 'p1.json'), 'utf8'));
    writeFileSync(join(dir, 'v1.json'), JSON.stringify({ ...p1, version: '0.0.1' }));
    expectOneLineError(run('merge', 'v1.json', 'p2.json', 'p3.json'), 'v1.json', 'routesim 0.0.1');
    // A part that lost a cell: the key and the shard that should have run it.
    writeFileSync(join(dir, 'c1.json'), JSON.stringify({ ...p1, cells: p1.cells.slice(1) }));
    expectOneLineError(run('merge', 'c1.json', 'p2.json', 'p3.json', '--out', 'm.json'), 'c1.json', p1.cells[0].key, 'shard 1/3');
  });

  it('merges elsewhere (another absolute path) when the files sit at the same relative paths', () => {
    const other = mkdtempSync(join(tmpdir(), 'routesim-shards-'));
    for (const f of ['s.yaml', 'p1.json', 'p2.json', 'p3.json']) writeFileSync(join(other, f), readFileSync(join(dir, f)));
    expect(routesim(['merge', 'p1.json', 'p2.json', 'p3.json', '--out', 'm.json'], other).code).toBe(0);
    expect(readFileSync(join(other, 'm.json')).equals(readFileSync(join(dir, 'full.json')))).toBe(true);
  });

  it('refuses to merge when the scenario file changed since the shards ran', () => {
    const other = mkdtempSync(join(tmpdir(), 'routesim-shards-'));
    writeFileSync(join(other, 's.yaml'), smallScenario().replace('seed: 5', 'seed: 6'));
    for (const i of [1, 2, 3]) writeFileSync(join(other, `p${i}.json`), readFileSync(join(dir, `p${i}.json`)));
    const r = routesim(['merge', 'p1.json', 'p2.json', 'p3.json', '--out', 'm.json'], other);
    expectOneLineError(r, 's.yaml', 'same relative paths');
  });

  it('refuses to merge when an EPP config the scenario reads changed since the shards ran', () => {
    const d = mkdtempSync(join(tmpdir(), 'routesim-shards-'));
    const epp = readFileSync(join(ROOT, 'policies', 'configs', 'load-only.yaml'), 'utf8');
    writeFileSync(join(d, 'e.yaml'), epp);
    writeFileSync(join(d, 'm.yaml'), smallScenario().replace('policies: [round-robin, least-requests]', 'policies: [round-robin, {name: lo, epp: e.yaml}]'));
    for (const i of [1, 2]) expect(routesim(['run', 'm.yaml', '--seeds', '2', '--shard', `${i}/2`, '--out', `p${i}.json`], d).code).toBe(0);
    expect(routesim(['merge', 'p1.json', 'p2.json', '--out', 'ok.json'], d).code).toBe(0);
    writeFileSync(join(d, 'e.yaml'), `${epp}\n# edited\n`);
    expectOneLineError(routesim(['merge', 'p1.json', 'p2.json', '--out', 'm.json'], d), 'e.yaml', 'differ from those the shards ran with');
  });
});

describe('routesim capacity --shard (a fixed ladder of probes)', () => {
  it('splits the ladder\'s probe cells and merges byte-identical; bisection and document outputs are refused', () => {
    const d = mkdtempSync(join(tmpdir(), 'routesim-shards-'));
    writeFileSync(join(d, 'c.yaml'), smallScenario());
    const cap = ['capacity', 'c.yaml', '--max-rate', '--rates', '10,20,40', '--seeds', '3'];
    expect(routesim([...cap, '--jobs', '1', '--out', 'full.json'], d).code).toBe(0);
    for (const i of [1, 2]) expect(routesim([...cap, '--shard', `${i}/2`, '--out', `c${i}.json`], d).code).toBe(0);
    // 2 policies × 3 rates × 3 seeds = 18 probe cells, 9 per shard.
    const c1 = JSON.parse(readFileSync(join(d, 'c1.json'), 'utf8'));
    expect(c1.cells_total).toBe(18);
    expect(c1.cells).toHaveLength(9);
    expect(routesim(['merge', 'c2.json', 'c1.json', '--out', 'merged.json'], d).code).toBe(0);
    expect(readFileSync(join(d, 'merged.json')).equals(readFileSync(join(d, 'full.json')))).toBe(true);
    expectOneLineError(routesim(['capacity', 'c.yaml', '--max-rate', '--seeds', '3', '--shard', '1/2', '--out', 'x.json'], d), '--shard', 'bisection', '--rates');
    expectOneLineError(routesim([...cap, '--shard', '1/2', '--out', 'x.json', '--markdown', 'm.md'], d), '--shard', '--markdown', 'routesim merge');
  });
});

describe('examples: the Kubernetes Indexed Job and the CI matrix workflow', () => {
  it('sweep-indexed-job.yaml validates against the Kubernetes OpenAPI schemas (kubernetes-models), and a broken copy does not', async () => {
    const { Job } = await import('kubernetes-models/batch/v1/Job');
    const { PersistentVolumeClaim } = await import('kubernetes-models/v1/PersistentVolumeClaim');
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'kubernetes', 'sweep-indexed-job.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Job', 'PersistentVolumeClaim']);
    expect(() => new Job(docs[0]).validate()).not.toThrow();
    expect(() => new PersistentVolumeClaim(docs[1]).validate()).not.toThrow();
    // The validator is not a rubber stamp: a wrong type and an unknown completion mode fail.
    expect(() => new Job({ ...docs[0], spec: { ...docs[0].spec, completions: 'four' } }).validate()).toThrow(/completions/);
    expect(() => new Job({ ...docs[0], spec: { ...docs[0].spec, completionMode: 7 } }).validate()).toThrow(/completionMode/);
  });

  it('sweep-indexed-job.yaml is an Indexed batch/v1 Job whose completions = parallelism = the shard count', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'kubernetes', 'sweep-indexed-job.yaml'), 'utf8')).map((d) => d.toJS());
    const job = docs.find((d) => d.kind === 'Job');
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata.name).toBeTruthy();
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const [c] = job.spec.template.spec.containers;
    expect(c.image).toBeTruthy();
    expect(c.command.slice(0, 2)).toEqual(['sh', '-c']);
    const script: string = c.command[2];
    const count = Number(/--shard \S+\/(\d+)/.exec(script)![1]);
    expect(job.spec.completions).toBe(count);
    expect(job.spec.parallelism).toBe(count);
    // The shard volume is mounted where the parts go, and its claim is declared.
    const mount = c.volumeMounts.find((m: { mountPath: string }) => script.includes(`${m.mountPath}/part-`));
    const vol = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(docs.some((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === vol.persistentVolumeClaim.claimName)).toBe(true);
    // The shell maps completion index 2 to shard 3/N and part-2.json.
    const echoed = spawnSync('sh', ['-c', script.replace('npx routesim', 'echo routesim')], { env: { ...process.env, JOB_COMPLETION_INDEX: '2' }, encoding: 'utf8' }).stdout;
    expect(echoed).toContain(`--shard 3/${count} --out /results/part-2.json`);
  });

  it('sweep-matrix.yml runs one shard per matrix entry and a merge job over every part', () => {
    const wf = parse(readFileSync(join(ROOT, '.github', 'workflows', 'sweep-matrix.yml'), 'utf8'));
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const shards: number[] = wf.jobs.shard.strategy.matrix.shard;
    const runStep = wf.jobs.shard.steps.find((s: { run?: string }) => s.run?.includes('--shard'));
    const count = Number(/--shard \$\{\{ matrix\.shard \}\}\/(\d+)/.exec(runStep.run)![1]);
    expect(shards).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(runStep.run).toContain('--out part-${{ matrix.shard }}.json');
    const upload = wf.jobs.shard.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload.with.path).toBe('part-${{ matrix.shard }}.json');
    expect(wf.jobs.merge.needs).toBe('shard');
    const download = wf.jobs.merge.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/download-artifact'));
    expect(download.with['merge-multiple']).toBe(true);
    const mergeStep = wf.jobs.merge.steps.find((s: { run?: string }) => s.run?.includes('routesim merge'));
    expect(mergeStep.run).toContain(`routesim merge ${download.with.path}/part-*.json --out results.json`);
  });
});
