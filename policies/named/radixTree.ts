/**
 * SGLang's approximate radix tree (`sgl-router/src/tree.rs`): one tree over request *characters*
 * shared by all workers ("tenants"), each node remembering which tenants inserted text through it
 * and when they last did; per-tenant character counts; LRU eviction of each tenant's leaves until
 * its count is ≤ a maximum.
 *
 * Texts are piece lists (text.ts), so synthetic prompts never materialise characters; a node's
 * label is a piece list too. Operations mirror tree.rs:
 * - `insert(text, tenant)`: walk/extend the path, splitting a node where the text diverges inside
 *   it (the new upper node copies the tenants); the tenant's timestamp is set on every node of the
 *   path (root included) and its character count grows by the label length of each node it newly
 *   joins.
 * - `prefixMatch(text)`: longest prefix of `text` present in the tree (any tenant); stops at the
 *   first partially matched node, which is the node whose tenant is returned. tree.rs returns "the
 *   first key" of that node's tenant map (a DashMap: an arbitrary but, for a fixed set, stable
 *   order); routesim emulates it as the tenant with the smallest hash(node salt, tenant), each node
 *   getting its own salt as a new DashMap gets its own random state. The path from that node to the
 *   root gets the tenant's timestamp refreshed. (A third-party reading says production refreshes
 *   only 1 in 8 times; not modelled.)
 * - `smallestTenant()`: the tenant with the fewest characters; ties uniformly at random (DashMap
 *   order is arbitrary).
 * - `evictBySize(max)`: tree.rs `evict_tenant_by_size`: every (leaf-for-tenant, tenant) in a
 *   min-heap by the tenant's timestamp on it; pop: skip if the tenant is already ≤ max, else remove
 *   the tenant from the node (its count drops by the node's label length), delete the node if it
 *   has no tenants and no children, and push the parent if it became a leaf for that tenant.
 */
import { fmix32 } from '../util/hash.js';
import { IndexedHeap } from '../flowcontrol/heap.js';
import { charKey, piecesLength, sharedPrefix, splitPieces, slicePieces, type Piece } from './text.js';

/** A position in a piece list: piece `pi`, character `po` within it. */
class Cursor {
  pi = 0;
  po = 0;

  /** Moves `n` characters forward. */
  advance(text: readonly Piece[], n: number): void {
    while (n > 0) {
      const left = text[this.pi]!.len - this.po;
      if (n < left) {
        this.po += n;
        return;
      }
      n -= left;
      this.pi++;
      this.po = 0;
    }
  }
}

export class TreeNode {
  readonly children = new Map<number | string, TreeNode>();
  /** Tenant → last access, µs. */
  readonly tenants = new Map<number, number>();
  constructor(
    public label: Piece[],
    public len: number,
    public parent: TreeNode | null,
    readonly salt: number,
  ) {}

  /** tree.rs: the "first" tenant of this node's map (see the module comment); -1 when none. */
  firstTenant(): number {
    let best = -1;
    let bestRank = Infinity;
    for (const t of this.tenants.keys()) {
      const r = fmix32((this.salt + Math.imul(t + 1, 0x9e3779b1)) | 0);
      if (r < bestRank || (r === bestRank && t < best)) {
        bestRank = r;
        best = t;
      }
    }
    return best;
  }

  hasChildWith(tenant: number): boolean {
    for (const c of this.children.values()) if (c.tenants.has(tenant)) return true;
    return false;
  }
}

export interface PrefixMatch {
  /** Characters of the text found in the tree. */
  readonly matched: number;
  /** The tenant tree.rs returns (first tenant of the deepest node reached); -1 if none. */
  readonly tenant: number;
}

export class ApproxRadixTree {
  readonly root = new TreeNode([], 0, null, fmix32(0x51ed270b));
  /** tree.rs `tenant_char_count`. */
  readonly charCount = new Map<number, number>();
  private nodes = 1;
  private created = 0;

  /** A new node's salt (its tenant order); also counts the node. */
  private salt(): number {
    this.nodes++;
    return fmix32(Math.imul(++this.created, 0x9e3779b1) ^ 0x85ebca6b);
  }

  /** Node count (root included), for tests and memory checks. */
  get size(): number {
    return this.nodes;
  }

  /** Characters held for `tenant` (0 if unknown). */
  chars(tenant: number): number {
    return this.charCount.get(tenant) ?? 0;
  }

  insert(text: readonly Piece[], tenant: number, nowUs: number): void {
    let prev = this.root;
    prev.tenants.set(tenant, nowUs);
    if (!this.charCount.has(tenant)) this.charCount.set(tenant, 0);
    const cur = new Cursor();
    while (cur.pi < text.length) {
      const { pi, po } = cur;
      const key = charKey(text[pi]!, po);
      const child = prev.children.get(key);
      if (child === undefined) {
        const rest = slicePieces(text, pi, po);
        const restLen = piecesLength(rest);
        const leaf = new TreeNode(rest, restLen, prev, this.salt());
        leaf.tenants.set(tenant, nowUs);
        prev.children.set(key, leaf);
        this.charCount.set(tenant, this.chars(tenant) + restLen);
        return;
      }
      const shared = sharedPrefix(child.label, 0, 0, text, pi, po);
      let node = child;
      if (shared < child.len) {
        // Split: the shared part becomes a new node above `child`, with child's tenants.
        const [head, tail] = splitPieces(child.label, shared);
        node = new TreeNode(head, shared, prev, this.salt());
        for (const [t, ts] of child.tenants) node.tenants.set(t, ts);
        child.label = tail;
        child.len -= shared;
        child.parent = node;
        node.children.set(charKey(tail[0]!, 0), child);
        prev.children.set(key, node);
      }
      if (!node.tenants.has(tenant)) this.charCount.set(tenant, this.chars(tenant) + node.len);
      node.tenants.set(tenant, nowUs);
      prev = node;
      cur.advance(text, shared);
    }
  }

  prefixMatch(text: readonly Piece[], nowUs: number): PrefixMatch {
    let prev = this.root;
    let matched = 0;
    const cur = new Cursor();
    while (cur.pi < text.length) {
      const { pi, po } = cur;
      const child = prev.children.get(charKey(text[pi]!, po));
      if (child === undefined) break;
      const shared = sharedPrefix(child.label, 0, 0, text, pi, po);
      matched += shared;
      prev = child;
      if (shared < child.len) break;
      cur.advance(text, shared);
    }
    const tenant = prev.firstTenant();
    if (tenant >= 0) for (let n: TreeNode | null = prev; n !== null; n = n.parent) n.tenants.set(tenant, nowUs);
    return { matched, tenant };
  }

  /** The tenant with the fewest characters, ties uniformly via `rng`; -1 when there are none. */
  smallestTenant(rng: () => number): number {
    let best = -1;
    let min = Infinity;
    let ties = 0;
    for (const [t, c] of this.charCount) {
      if (c < min) {
        min = c;
        best = t;
        ties = 1;
      } else if (c === min) {
        ties++;
        if (rng() * ties < 1) best = t;
      }
    }
    return best;
  }

  evictBySize(maxChars: number): void {
    interface Entry {
      ts: number;
      tenant: number;
      node: TreeNode;
      seq: number;
      pos: number;
    }
    let seq = 0;
    const pq = new IndexedHeap<Entry>(
      (a, b) => a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq),
      (e, p) => {
        e.pos = p;
      },
    );
    const stack: TreeNode[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const c of n.children.values()) stack.push(c);
      for (const [t, ts] of n.tenants) if (!n.hasChildWith(t)) pq.push({ ts, tenant: t, node: n, seq: seq++, pos: -1 });
    }
    for (let e = pq.pop(); e !== undefined; e = pq.pop()) {
      const { tenant, node } = e;
      if (this.chars(tenant) <= maxChars) continue;
      if (node.tenants.has(tenant)) this.charCount.set(tenant, this.chars(tenant) - node.len);
      node.tenants.delete(tenant);
      const parent = node.parent;
      if (parent === null) continue;
      if (node.children.size === 0 && node.tenants.size === 0) {
        parent.children.delete(charKey(node.label[0]!, 0));
        this.nodes--;
      }
      const pts = parent.tenants.get(tenant);
      if (pts !== undefined && !parent.hasChildWith(tenant)) pq.push({ ts: pts, tenant, node: parent, seq: seq++, pos: -1 });
    }
  }
}
