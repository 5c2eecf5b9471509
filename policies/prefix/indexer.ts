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
 */

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
const E_INLRU = 6; // 1 when on the pod's LRU list; 0 for a link without LRU membership (quirk, see add)
const E_HI = 7; // high 21 bits of the entry's key (every entry of a key holds them)
const ES = 8;

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

  // ------------------------------------------------------------------------------------------
  // API

  /** Records that `pod` holds `hashes` (in order); `capacity` sizes the pod's LRU if it is new. */
  add(hashes: readonly number[], pod: string, capacity: number): void {
    const id = this.podId(pod);
    if (this.lruCap[id] === 0) this.lruCap[id] = Math.max(1, Math.floor(capacity));
    const cap = this.lruCap[id]!;
    // Pass 1, golang-lru Add for each hash: refresh an existing key, or insert and evict the oldest
    // (eviction unlinks the pod from that key).
    for (let k = 0; k < hashes.length; k++) {
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
      if (++this.lruSize[id]! > cap) {
        const oldest = this.lruHead[id]!;
        this.lruUnlink(oldest, id);
        this.lruSize[id]!--;
        this.freeEntry(oldest);
      }
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
    for (let k = 0; k < hashes.length; k++) {
      const h = hashes[k]!;
      const slot = this.find(h | 0, high(h));
      if (slot === NIL) break;
      const E = this.E;
      for (let e = this.K[slot * KS + K_LINK]! - LINK0; e !== NIL; e = E[e * ES + E_KNEXT]!) counts[E[e * ES + E_POD]!]!++;
    }
    return counts;
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
    return this.find(h | 0, high(h)) !== NIL;
  }

  /** Drops the pod's LRU and every key it holds there. */
  removePod(pod: string): void {
    const id = this.podIds.get(pod);
    if (id === undefined || this.lruCap[id] === 0) return;
    for (let e = this.lruHead[id]!; e !== NIL; ) {
      const next = this.E[e * ES + E_LNEXT]!;
      this.freeEntry(e);
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
    for (let e = this.lruHead[id]!; e !== NIL; e = this.E[e * ES + E_LNEXT]!) out.push(this.keyOfSlot(this.E[e * ES + E_SLOT]!));
    return out;
  }

  private keyOfSlot(slot: number): number {
    const head = this.K[slot * KS + K_LINK]! - LINK0;
    return (this.E[head * ES + E_HI]! >>> 0) * TWO_32 + (this.K[slot * KS + K_LO]! >>> 0);
  }

  /** Pods holding hash `h` (tests and debugging). */
  podsOf(h: number): string[] {
    const slot = this.find(h | 0, high(h));
    const out: string[] = [];
    if (slot === NIL) return out;
    for (let e = this.K[slot * KS + K_LINK]! - LINK0; e !== NIL; e = this.E[e * ES + E_KNEXT]!) out.push(this.podNames[this.E[e * ES + E_POD]!]!);
    return out.sort();
  }

  /** Number of distinct hashes held by any pod. */
  get hashCount(): number {
    return this.keysUsed;
  }
}
