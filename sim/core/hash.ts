/**
 * Integer hashing for content ids and KV block identities (see policies/util/hash.ts, shared with
 * the policies so both sides hash synthetic content the same way).
 */
export { fmix32, hashInts, hashString, joinLanes, mix32, mixString } from '../../policies/util/hash.js';
