/**
 * The approximate prefix index (`epp.md` §2.1, `approximateprefix/indexer.go`):
 * `hashToPods: hash → set(pod)` and `podToLRU: pod → LRU(hash)` (hashicorp golang-lru semantics).
 *
 * - `add(hashes, pod, capacity)`: creates the pod's LRU on first use with `capacity` (fixed from
 *   then on), then adds each hash in order — an existing key moves to most-recently-used, a new key
 *   beyond capacity evicts the least-recently-used one, which removes the pod from that key's set
 *   (the key disappears when its set empties) — and then records the pod in each hash's set.
 * - `matchLongestPrefix(hashes)`: walks the hashes from the first; stops at the first hash no pod
 *   holds; otherwise counts one block for every pod in the set. A pod's count is therefore the
 *   number of blocks it holds among the leading run that *some* pod holds (pod A with {0, 2} and
 *   pod B with {1} gives A = 2, B = 1).
 * - `removePod(pod)`: drops the pod's LRU and its entries (the periodic sweep of pods no longer in
 *   the pool).
 *
 * Layout (for speed: the simulator calls this per request with up to 256 hashes on up to 64 pods,
 * and a JS `Map` used as an LRU degrades under delete/insert churn): keys are 53-bit numbers
 * (hashing.ts) in an open-addressing table held in one Int32Array (per slot: the key's low 32 bits
 * and a link word holding the slot's state and the head of the key's pod list; linear probing on
 * the low bits, tombstones, rebuilt when half full). Each (key, pod) link is an "entry" of 8 int32s
 * in a second array (also holding the key's high 21 bits), on two doubly linked lists at once: the
 * key's pod list and the pod's LRU list. Every operation is O(1) per hash plus the length
 * of that key's pod list, touches about one cache line per structure, and allocates nothing.
 *
 * Runs (issue 15): the blocks of a request's own text are run keys (uniqueRunKeys.ts), consecutive
 * at the end of its hashes, that no other request has. `add` keeps them as one LRU node per (request,
 * pod) — a run of `count` keys from block `start` — instead of a key each: eviction takes keys from
 * the run's front, and the key table never sees them; a second target of the same dispatch (P/D)
 * gets a run of its own. Only the same request can look them up again (a retry): a match or `has`
 * that meets the keys of an owner with runs, or an `add` of them to a pod already holding a run of
 * them, turns that owner's runs into ordinary entries in place ("materialises" them), and its keys
 * are ordinary keys from then on. So every count, LRU order and eviction is the one
 * of one key per block; a unique-prompt load pays O(1) per request instead of O(blocks) key-table work.
 */

import { indexOfRunKey, isRunKey, ownerOfRunKey, runKey, RUN_BLOCKS } from './uniqueRunKeys.js';

const NIL = -1;
const TWO_32 = 4294967296;

/** High 21 bits of a 53-bit key (its low 32 bits are `h | 0`). */
const high = (h: number): number => ((h - (h >>> 0)) / TWO_32) | 0;

// Key table: 2 int32 per slot (one cache line holds 8 slots): the low 32 bits, and the link word
// (0 = empty, 1 = deleted, else LINK0 + the first entry of the key's pod list; LINK0 + NIL = 2 is
// a key just inserted, before its first entry is linked, never seen outside add).
const K_LO = 0;
const K_LINK = 1;
const KS = 2;
const L_EMPTY = 0;
const L_DELETED = 1;
const LINK0 = 3;

// Entries: 8 int32 per (key, pod) link (32 bytes, one cache line).
const E_SLOT = 0;
const E_POD = 1;
const E_KPREV = 2;
const E_KNEXT = 3; // also the free-list link
const E_LPREV = 4;
const E_LNEXT = 5;
const E_INLRU = 6; // 1 when on the pod's LRU list; 0 for a link without LRU membership (quirk, see add); RUN + count for a run
const E_HI = 7; // high 21 bits of the entry's key (every entry of a key holds them)
const ES = 8;
// A run node (E_INLRU ≥ RUN) is on its pod's LRU list only: E_SLOT holds its owner's low 32 bits,
// E_HI the owner's high bits × RUN_BLOCKS + the run's first block index, E_INLRU − RUN its key
// count, and E_KPREV / E_KNEXT link the runs of the owners with those low 32 bits (head in
// runHeads, keyed by them: a small integer key; owners differing only in their seed id share a list).
const RUN = 2;

export class PrefixIndexer {
  private mask = 1023;
  private K = new Int32Array(1024 * KS);
  private keysUsed = 0;
  private keysOccupied = 0; // used + tombstones

  private E = new Int32Array(1024 * ES);
  private entCap = 1024;
  private entFree = NIL;
  private entCount = 0;

  private readonly podIds = new Map<string, number>();
  private readonly podNames: string[] = [];
  /** Oldest (LRU) and newest (MRU) entry of each pod's list; size and capacity (0 = no LRU yet). */
  private lruHead: number[] = [];
  private lruTail: number[] = [];
  private lruSize: number[] = [];
  private lruCap: number[] = [];
  private counts = new Int32Array(16);
  /** Owner's low 32 bits (`owner | 0`) → the first run node of the owners with those bits. */
  private readonly runHeads = new Map<number, number>();
  /** Set by matchLongestPrefix (lastMatchedAny). */
  private firstHeld = false;
  /**
   * Owners whose keys are ordinary keys (their runs were materialised, or never made): one per
   * request picked twice, kept for the run (a few bytes each, and only re-picks add to it).
   */
  private readonly materialised = new Set<number>();

  /** Small integer id of a pod name (interned on first sight). */
  podId(pod: string): number {
    let id = this.podIds.get(pod);
    if (id === undefined) {
      id = this.podNames.length;
      this.podIds.set(pod, id);
      this.podNames.push(pod);
      this.lruHead.push(NIL);
      this.lruTail.push(NIL);
      this.lruSize.push(0);
      this.lruCap.push(0);
      if (this.counts.length <= id) {
        const c = new Int32Array(this.counts.length * 2);
        c.set(this.counts);
        this.counts = c;
      }
    }
    return id;
  }

  // ------------------------------------------------------------------------------------------
  // Key table

  /** Home slot of a key: from its low bits only (rebuilds need not read the entries). */
  private static slotHash(lo: number): number {
    let h = Math.imul(lo ^ (lo >>> 16), 0x85ebca6b);
    h ^= h >>> 15;
    return h;
  }

  /** Slot of key (lo, hi), or NIL. */
  private find(lo: number, hi: number): number {
    const K = this.K;
    const E = this.E;
    const mask = this.mask;
    let i = PrefixIndexer.slotHash(lo) & mask;
    for (;;) {
      const b = i * KS;
      const link = K[b + K_LINK]!;
      if (link === L_EMPTY) return NIL;
      if (link >= LINK0 && K[b + K_LO] === lo && E[(link - LINK0) * ES + E_HI] === hi) return i;
      i = (i + 1) & mask;
    }
  }

  /** Slot of key (lo, hi), inserting it (with an empty pod list) if absent. */
  private findOrInsert(lo: number, hi: number): number {
    if ((this.keysOccupied + 1) * 2 > this.mask + 1) this.rebuild();
    const K = this.K;
    const E = this.E;
    const mask = this.mask;
    let i = PrefixIndexer.slotHash(lo) & mask;
    let tomb = NIL;
    for (;;) {
      const b = i * KS;
      const link = K[b + K_LINK]!;
      if (link === L_EMPTY) break;
      if (link >= LINK0) {
        if (K[b + K_LO] === lo && E[(link - LINK0) * ES + E_HI] === hi) return i;
      } else if (tomb === NIL) tomb = i;
      i = (i + 1) & mask;
    }
    if (tomb !== NIL) i = tomb;
    else this.keysOccupied++;
    const b = i * KS;
    K[b + K_LO] = lo;
    K[b + K_LINK] = LINK0 + NIL; // its first entry follows at once (add)
    this.keysUsed++;
    return i;
  }

  private deleteKey(slot: number): void {
    this.K[slot * KS + K_LINK] = L_DELETED;
    this.keysUsed--;
  }

  /** Rehash into a table sized for the live keys (drops tombstones; grows when needed). */
  private rebuild(): void {
    let size = this.mask + 1;
    while ((this.keysUsed + 1) * 4 > size) size *= 2; // live keys ≤ 1/4 after rebuilding
    const old = this.K;
    const K = new Int32Array(size * KS);
    const E = this.E;
    const mask = size - 1;
    for (let ob = 0; ob < old.length; ob += KS) {
      const link = old[ob + K_LINK]!;
      if (link < LINK0) continue;
      const lo = old[ob + K_LO]!;
      let i = PrefixIndexer.slotHash(lo) & mask;
      while (K[i * KS + K_LINK] !== L_EMPTY) i = (i + 1) & mask;
      const b = i * KS;
      K[b + K_LO] = lo;
      K[b + K_LINK] = link;
      for (let e = link - LINK0; e !== NIL; e = E[e * ES + E_KNEXT]!) E[e * ES + E_SLOT] = i;
    }
    this.K = K;
    this.mask = mask;
    this.keysOccupied = this.keysUsed;
  }

  // ------------------------------------------------------------------------------------------
  // Entries

  /** A new entry linking `pod` to key `slot` (high bits `hi`; on the key's list, not yet on an LRU). */
  private newEntry(slot: number, pod: number, hi: number): number {
    const e = this.newNode();
    const E = this.E;
    const K = this.K;
    const b = e * ES;
    const head = K[slot * KS + K_LINK]! - LINK0;
    E[b + E_SLOT] = slot;
    E[b + E_POD] = pod;
    E[b + E_HI] = hi;
    E[b + E_INLRU] = 0;
    E[b + E_KPREV] = NIL;
    E[b + E_KNEXT] = head;
    if (head !== NIL) E[head * ES + E_KPREV] = e;
    K[slot * KS + K_LINK] = e + LINK0;
    return e;
  }

  /** A free node of the entry array (an entry or a run). */
  private newNode(): number {
    let e = this.entFree;
    if (e !== NIL) this.entFree = this.E[e * ES + E_KNEXT]!;
    else {
      if (this.entCount === this.entCap) {
        const E = new Int32Array(this.entCap * 2 * ES);
        E.set(this.E);
        this.E = E;
        this.entCap *= 2;
      }
      e = this.entCount++;
    }
    return e;
  }

  /** Unlinks an entry from its key (dropping the key when its pod list empties) and frees it. */
  private freeEntry(e: number): void {
    const E = this.E;
    const K = this.K;
    const b = e * ES;
    const slot = E[b + E_SLOT]!;
    const prev = E[b + E_KPREV]!;
    const next = E[b + E_KNEXT]!;
    if (prev !== NIL) E[prev * ES + E_KNEXT] = next;
    else K[slot * KS + K_LINK] = next + LINK0;
    if (next !== NIL) E[next * ES + E_KPREV] = prev;
    if (K[slot * KS + K_LINK] === LINK0 + NIL) this.deleteKey(slot);
    E[b + E_KNEXT] = this.entFree;
    this.entFree = e;
  }

  private entryOf(slot: number, pod: number): number {
    const E = this.E;
    for (let e = this.K[slot * KS + K_LINK]! - LINK0; e !== NIL; e = E[e * ES + E_KNEXT]!) if (E[e * ES + E_POD] === pod) return e;
    return NIL;
  }

  private lruUnlink(e: number, pod: number): void {
    const E = this.E;
    const prev = E[e * ES + E_LPREV]!;
    const next = E[e * ES + E_LNEXT]!;
    if (prev !== NIL) E[prev * ES + E_LNEXT] = next;
    else this.lruHead[pod] = next;
    if (next !== NIL) E[next * ES + E_LPREV] = prev;
    else this.lruTail[pod] = prev;
  }

  private lruAppend(e: number, pod: number): void {
    const E = this.E;
    const tail = this.lruTail[pod]!;
    E[e * ES + E_LPREV] = tail;
    E[e * ES + E_LNEXT] = NIL;
    if (tail !== NIL) E[tail * ES + E_LNEXT] = e;
    else this.lruHead[pod] = e;
    this.lruTail[pod] = e;
  }

  /**
   * Evicts the pod's `n` least recently used keys (n ≤ its size): an entry is unlinked from its key,
   * a run gives up keys from its front.
   */
  private evictOldest(pod: number, n: number): void {
    const E = this.E;
    this.lruSize[pod]! -= n;
    while (n > 0) {
      const oldest = this.lruHead[pod]!;
      const b = oldest * ES;
      const mark = E[b + E_INLRU]!;
      if (mark < RUN) {
        this.lruUnlink(oldest, pod);
        this.freeEntry(oldest);
        n--;
        continue;
      }
      const count = mark - RUN;
      if (count > n) {
        E[b + E_INLRU] = mark - n;
        E[b + E_HI] = E[b + E_HI]! + n; // start + n
        return;
      }
      this.lruUnlink(oldest, pod);
      this.freeRun(oldest);
      n -= count;
    }
  }

  /** A run node of `owner`'s keys start … start + count − 1 at the MRU end of `pod`'s LRU. */
  private newRun(owner: number, start: number, count: number, pod: number): void {
    const e = this.newNode();
    const E = this.E;
    const b = e * ES;
    const hiStart = Math.floor(owner / TWO_32) * RUN_BLOCKS + start;
    E[b + E_SLOT] = owner | 0;
    E[b + E_HI] = hiStart;
    E[b + E_POD] = pod;
    E[b + E_INLRU] = RUN + count;
    const head = this.runHeads.get(owner | 0) ?? NIL;
    E[b + E_KPREV] = NIL;
    E[b + E_KNEXT] = head;
    if (head !== NIL) E[head * ES + E_KPREV] = e;
    this.runHeads.set(owner | 0, e);
    this.lruAppend(e, pod);
  }

  /** Owner, first block index and key count of run node `e`. */
  private runOf(e: number): { owner: number; start: number; count: number } {
    const b = e * ES;
    const hiStart = this.E[b + E_HI]!;
    const start = hiStart % RUN_BLOCKS;
    return { owner: ((hiStart - start) / RUN_BLOCKS) * TWO_32 + (this.E[b + E_SLOT]! >>> 0), start, count: this.E[b + E_INLRU]! - RUN };
  }

  /** Unlinks run node `e` from its owner's runs and frees it (the caller took it off its LRU). */
  private freeRun(e: number): void {
    this.unlinkRun(e);
    this.E[e * ES + E_KNEXT] = this.entFree;
    this.entFree = e;
  }

  /** Takes run node `e` off its owner list. */
  private unlinkRun(e: number): void {
    const E = this.E;
    const b = e * ES;
    const prev = E[b + E_KPREV]!;
    const next = E[b + E_KNEXT]!;
    if (next !== NIL) E[next * ES + E_KPREV] = prev;
    if (prev !== NIL) E[prev * ES + E_KNEXT] = next;
    else if (next === NIL) this.runHeads.delete(E[b + E_SLOT]!);
    else this.runHeads.set(E[b + E_SLOT]!, next);
  }

  /**
   * From now on `owner`'s keys are ordinary keys: each of its runs becomes one entry per key, in
   * order, where the run stood in its pod's LRU.
   */
  private materialise(owner: number): void {
    if (this.materialised.has(owner)) return;
    this.materialised.add(owner);
    for (let r = this.runHeads.get(owner | 0) ?? NIL; r !== NIL; ) {
      const { owner: of, start, count } = this.runOf(r);
      const pod = this.E[r * ES + E_POD]!;
      const nextRun = this.E[r * ES + E_KNEXT]!;
      if (of !== owner) {
        r = nextRun;
        continue;
      }
      for (let i = start; i < start + count; i++) {
        const h = runKey(owner, i);
        const hi = high(h);
        const slot = this.findOrInsert(h | 0, hi);
        const e = this.newEntry(slot, pod, hi);
        this.E[e * ES + E_INLRU] = 1;
        this.lruInsertBefore(e, r, pod);
      }
      this.lruUnlink(r, pod);
      this.freeRun(r);
      r = nextRun;
    }
  }

  /** Whether `pod` holds a run of `owner` (a second pick of the request to the same pod refreshes keys one by one). */
  private hasRunOn(owner: number, pod: number): boolean {
    for (let e = this.runHeads.get(owner | 0) ?? NIL; e !== NIL; e = this.E[e * ES + E_KNEXT]!) if (this.E[e * ES + E_POD] === pod && this.runOf(e).owner === owner) return true;
    return false;
  }

  /** A lookup of `h`: a run key whose owner may have runs materialises them first. */
  private beforeLookup(h: number): void {
    if (!isRunKey(h) || this.runHeads.size === 0) return;
    const owner = ownerOfRunKey(h);
    if (this.runHeads.has(owner | 0)) this.materialise(owner);
  }

  private lruInsertBefore(e: number, at: number, pod: number): void {
    const E = this.E;
    const prev = E[at * ES + E_LPREV]!;
    E[e * ES + E_LPREV] = prev;
    E[e * ES + E_LNEXT] = at;
    E[at * ES + E_LPREV] = e;
    if (prev !== NIL) E[prev * ES + E_LNEXT] = e;
    else this.lruHead[pod] = e;
  }

  // ------------------------------------------------------------------------------------------
  // API

  /** Records that `pod` holds `hashes` (in order); `capacity` sizes the pod's LRU if it is new. */
  add(hashes: readonly number[], pod: string, capacity: number): void {
    const id = this.podId(pod);
    if (this.lruCap[id] === 0) this.lruCap[id] = Math.max(1, Math.floor(capacity));
    const cap = this.lruCap[id]!;
    // Run keys at the end: one run node when the owner's keys are not ordinary keys, the pod holds no
    // run of it yet (another pod's run is fine: a key's pods are the union) and the request fits the
    // LRU (else the quirk below needs them one by one); otherwise ordinary keys from now on.
    let end = hashes.length;
    let owner = -1;
    if (end > 0 && isRunKey(hashes[end - 1]!)) {
      owner = ownerOfRunKey(hashes[end - 1]!);
      if (end > cap || this.hasRunOn(owner, id) || (this.materialised.size > 0 && this.materialised.has(owner))) {
        this.materialise(owner);
        owner = -1;
      } else while (end > 0 && isRunKey(hashes[end - 1]!)) end--;
    }
    // Pass 1, golang-lru Add for each hash: refresh an existing key, or insert and evict the oldest
    // (eviction unlinks the pod from that key).
    for (let k = 0; k < end; k++) {
      const h = hashes[k]!;
      const lo = h | 0;
      const hi = high(h);
      const slot = this.findOrInsert(lo, hi);
      let e = this.entryOf(slot, id);
      if (e !== NIL && this.E[e * ES + E_INLRU] === 1) {
        this.lruUnlink(e, id);
        this.lruAppend(e, id);
        continue;
      }
      if (e === NIL) e = this.newEntry(slot, id, hi);
      this.E[e * ES + E_INLRU] = 1;
      this.lruAppend(e, id);
      if (++this.lruSize[id]! > cap) this.evictOldest(id, 1);
    }
    // The run: its keys are new to the pod, so each is an insert; inserting them all and then evicting
    // the overflow from the front removes the same (oldest, older than the run) keys as one by one.
    if (owner >= 0) {
      const count = hashes.length - end;
      this.newRun(owner, indexOfRunKey(hashes[end]!), count, id);
      this.lruSize[id]! += count;
      if (this.lruSize[id]! > cap) this.evictOldest(id, this.lruSize[id]! - cap);
    }
    // Pass 2, as indexer.go: link the pod to every hash. A hash this very call evicted again (only
    // when the request has more hashes than the pod's capacity) is linked although the LRU no longer
    // holds it — a production quirk, kept. Such a link (an entry off the LRU list) stays until the
    // pod records that hash again (it rejoins the LRU) and it is later evicted; removePod, which
    // walks the LRU, leaves it too.
    if (hashes.length > cap) {
      for (let k = 0; k < hashes.length; k++) {
        const h = hashes[k]!;
        const lo = h | 0;
        const hi = high(h);
        const slot = this.findOrInsert(lo, hi);
        if (this.entryOf(slot, id) === NIL) this.newEntry(slot, id, hi);
      }
    }
  }

  /**
   * Leading-run match counts, indexed by pod id (a reused array: read it with `countOf` before the
   * next call).
   */
  matchLongestPrefix(hashes: readonly number[]): Int32Array {
    const counts = this.counts;
    counts.fill(0, 0, this.podNames.length);
    let k = 0;
    for (; k < hashes.length; k++) {
      const h = hashes[k]!;
      this.beforeLookup(h);
      const slot = this.find(h | 0, high(h));
      if (slot === NIL) break;
      const E = this.E;
      for (let e = this.K[slot * KS + K_LINK]! - LINK0; e !== NIL; e = E[e * ES + E_KNEXT]!) counts[E[e * ES + E_POD]!]!++;
    }
    this.firstHeld = k > 0;
    return counts;
  }

  /** Whether some pod held the first hash of the last `matchLongestPrefix` (`has(hashes[0])`, without a second lookup). */
  get lastMatchedAny(): boolean {
    return this.firstHeld;
  }

  /** The pod's id if the index has seen it (ids are never reused), else -1; `counts[id]` is its match count. */
  knownPodId(pod: string): number {
    return this.podIds.get(pod) ?? -1;
  }

  /** Match count of `pod` from the last `matchLongestPrefix` (0 for an unknown pod). */
  countOf(counts: Int32Array, pod: string): number {
    const id = this.podIds.get(pod);
    return id === undefined ? 0 : counts[id]!;
  }

  /** Whether any pod holds hash `h`. */
  has(h: number): boolean {
    this.beforeLookup(h);
    return this.find(h | 0, high(h)) !== NIL;
  }

  /** Drops the pod's LRU and every key it holds there. */
  removePod(pod: string): void {
    const id = this.podIds.get(pod);
    if (id === undefined || this.lruCap[id] === 0) return;
    for (let e = this.lruHead[id]!; e !== NIL; ) {
      const next = this.E[e * ES + E_LNEXT]!;
      if (this.E[e * ES + E_INLRU]! >= RUN) this.freeRun(e);
      else this.freeEntry(e);
      e = next;
    }
    this.lruHead[id] = NIL;
    this.lruTail[id] = NIL;
    this.lruSize[id] = 0;
    this.lruCap[id] = 0;
  }

  /** Pods that currently have an LRU. */
  pods(): string[] {
    const out: string[] = [];
    for (let id = 0; id < this.podNames.length; id++) if (this.lruCap[id]! > 0) out.push(this.podNames[id]!);
    return out;
  }

  /** Entries in the pod's LRU (0 if none). */
  size(pod: string): number {
    const id = this.podIds.get(pod);
    return id === undefined ? 0 : this.lruSize[id]!;
  }

  /** The pod's LRU capacity (undefined before its first add). */
  capacity(pod: string): number | undefined {
    const id = this.podIds.get(pod);
    return id === undefined || this.lruCap[id] === 0 ? undefined : this.lruCap[id];
  }

  /** The pod's hashes from least to most recently used (tests and debugging). */
  lruKeys(pod: string): number[] {
    const id = this.podIds.get(pod);
    const out: number[] = [];
    if (id === undefined) return out;
    for (let e = this.lruHead[id]!; e !== NIL; e = this.E[e * ES + E_LNEXT]!) {
      if (this.E[e * ES + E_INLRU]! < RUN) out.push(this.keyOfSlot(this.E[e * ES + E_SLOT]!));
      else {
        const { owner, start, count } = this.runOf(e);
        for (let i = start; i < start + count; i++) out.push(runKey(owner, i));
      }
    }
    return out;
  }

  private keyOfSlot(slot: number): number {
    const head = this.K[slot * KS + K_LINK]! - LINK0;
    return this.E[head * ES + E_HI]! * TWO_32 + (this.K[slot * KS + K_LO]! >>> 0);
  }

  /** Pods holding hash `h` (tests and debugging). */
  podsOf(h: number): string[] {
    const slot = this.find(h | 0, high(h));
    const out: string[] = [];
    if (isRunKey(h)) {
      const want = indexOfRunKey(h);
      const owner = ownerOfRunKey(h);
      for (let e = this.runHeads.get(owner | 0) ?? NIL; e !== NIL; e = this.E[e * ES + E_KNEXT]!) {
        const run = this.runOf(e);
        if (run.owner === owner && want >= run.start && want < run.start + run.count) out.push(this.podNames[this.E[e * ES + E_POD]!]!);
      }
    }
    if (slot === NIL) return out.sort();
    for (let e = this.K[slot * KS + K_LINK]! - LINK0; e !== NIL; e = this.E[e * ES + E_KNEXT]!) out.push(this.podNames[this.E[e * ES + E_POD]!]!);
    return out.sort();
  }

  /** Number of distinct hashes held by any pod. */
  get hashCount(): number {
    const held = new Set<number>();
    for (const head of this.runHeads.values()) {
      for (let e = head; e !== NIL; e = this.E[e * ES + E_KNEXT]!) {
        const { owner, start, count } = this.runOf(e);
        for (let i = start; i < start + count; i++) held.add(runKey(owner, i));
      }
    }
    return this.keysUsed + held.size;
  }
}
