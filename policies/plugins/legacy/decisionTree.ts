/**
 * `decision-tree-filter` (GAIE v0.5.0 `plugins/filter/decision_tree_filter.go`, `epp.md` §2.11):
 * runs `current`; a non-empty result continues with `nextOnSuccess` (else `nextOnSuccessOrFailure`)
 * on the FILTERED list, an empty one with `nextOnFailure` (else `nextOnSuccessOrFailure`) on the
 * ORIGINAL list; with no successor the node returns its result. Each entry is `{pluginRef: name}`
 * (another Filter instance of the config) or a nested `{decisionTree: {...}}`. References are
 * resolved once, when the plugin is created (FactoryContext.plugin); an unknown name or a non-filter
 * is a ParamError naming the entry's path (e.g. `nextOnSuccess.decisionTree.current.pluginRef`).
 */
import { z } from 'zod';
import { ParamError, type FactoryContext, type PluginDefinition } from '../../framework/registry.js';
import { isFilter, type CycleContext, type Filter, type LLMRequest, type SchedEndpoint } from '../../framework/types.js';
import { runTree, type TreeNode } from './common.js';

export interface DecisionTreeEntry {
  pluginRef?: string | undefined;
  decisionTree?: DecisionTreeParams | undefined;
}

export interface DecisionTreeParams {
  current?: DecisionTreeEntry | undefined;
  nextOnSuccess?: DecisionTreeEntry | undefined;
  nextOnFailure?: DecisionTreeEntry | undefined;
  nextOnSuccessOrFailure?: DecisionTreeEntry | undefined;
}

const entry: z.ZodType<DecisionTreeEntry> = z.lazy(() =>
  z.strictObject({
    pluginRef: z.string().optional(),
    decisionTree: tree.optional(),
  }),
);

const tree: z.ZodType<DecisionTreeParams> = z.lazy(() =>
  z.strictObject({
    current: entry.optional(),
    nextOnSuccess: entry.optional(),
    nextOnFailure: entry.optional(),
    nextOnSuccessOrFailure: entry.optional(),
  }),
);

const params = z.strictObject({
  current: entry.optional().describe('The filter to run: {pluginRef: <filter instance>} or {decisionTree: {...}} (required).'),
  nextOnSuccess: entry.optional().describe('Runs on the filtered endpoints when current kept at least one.'),
  nextOnFailure: entry.optional().describe('Runs on the ORIGINAL endpoints when current kept none.'),
  nextOnSuccessOrFailure: entry.optional().describe('Runs in either case unless the specific successor is given.'),
});

interface Ctx {
  readonly cycle: CycleContext;
  readonly req: LLMRequest;
}
type Node = TreeNode<Ctx>;

/** A tree's root node: runs `current`, successors as given. */
function buildTree(t: DecisionTreeParams, path: string, fctx: FactoryContext): Node {
  if (!t.current) throw new ParamError(`${path}current`, 'the current filter must be specified (pluginRef or decisionTree)');
  const current = buildEntry(t.current, `${path}current`, fctx);
  const next = (e: DecisionTreeEntry | undefined, key: string): Node | undefined => (e ? buildEntry(e, `${path}${key}`, fctx) : undefined);
  return {
    // A nested tree as `current` acts as one filter: its final output decides success or failure.
    run: (c, eps) => runTree(current, c, eps),
    nextOnSuccess: next(t.nextOnSuccess, 'nextOnSuccess'),
    nextOnFailure: next(t.nextOnFailure, 'nextOnFailure'),
    nextOnSuccessOrFailure: next(t.nextOnSuccessOrFailure, 'nextOnSuccessOrFailure'),
  };
}

/** An entry: a referenced filter (a leaf node) or a nested tree (its root node, with its successors). */
function buildEntry(e: DecisionTreeEntry, path: string, fctx: FactoryContext): Node {
  if (e.pluginRef !== undefined && e.decisionTree !== undefined)
    throw new ParamError(path, 'give either pluginRef or decisionTree, not both');
  if (e.decisionTree !== undefined) return buildTree(e.decisionTree, `${path}.decisionTree.`, fctx);
  if (e.pluginRef === undefined) throw new ParamError(path, 'give pluginRef or decisionTree');
  const p = fctx.plugin(e.pluginRef);
  if (!p)
    throw new ParamError(
      `${path}.pluginRef`,
      `no plugin named "${e.pluginRef}" in this config`,
    );
  if (!isFilter(p)) throw new ParamError(`${path}.pluginRef`, `plugin "${e.pluginRef}" (${p.type}) is not a filter`);
  const f: Filter = p;
  return { run: (c, eps) => f.filter(c.cycle, c.req, eps) };
}

export class DecisionTreeFilter implements Filter {
  readonly type = 'decision-tree-filter';
  private readonly root: Node;
  constructor(readonly name: string, params: DecisionTreeParams, fctx: FactoryContext) {
    this.root = buildTree(params, '', fctx);
  }

  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return runTree(this.root, { cycle: ctx, req }, endpoints);
  }
}

export const decisionTreeFilter: PluginDefinition<typeof params> = {
  type: 'decision-tree-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.5.0',
  description:
    'Legacy v0.5 filter chain: runs current; if it kept endpoints, nextOnSuccess (or nextOnSuccessOrFailure) runs on them; if it kept none, nextOnFailure (or nextOnSuccessOrFailure) runs on the ORIGINAL endpoints; no successor → its result. Entries are {pluginRef: name} (another filter of the config) or a nested {decisionTree: {...}}.',
  params,
  create: (name, p, fctx) => new DecisionTreeFilter(name, p, fctx),
};
