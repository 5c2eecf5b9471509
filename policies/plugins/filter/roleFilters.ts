/**
 * llm-d P/D role filters (llm-d v0.7.0 `pkg/plugins/filter/pd_role.go`, `epp.md` §2.12) on the pod
 * label `llm-d.ai/role`:
 * - `decode-filter`: decode, prefill-decode, both, encode-prefill-decode, or NO label;
 * - `prefill-filter`: prefill, encode-prefill, prefill-decode, both, encode-prefill-decode;
 * - `encode-filter`: encode, encode-prefill, encode-prefill-decode.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ByLabelFilter } from './byLabel.js';

export const ROLE_LABEL = 'llm-d.ai/role';

export const DECODE_ROLES = ['decode', 'prefill-decode', 'both', 'encode-prefill-decode'] as const;
export const PREFILL_ROLES = ['prefill', 'encode-prefill', 'prefill-decode', 'both', 'encode-prefill-decode'] as const;
export const ENCODE_ROLES = ['encode', 'encode-prefill', 'encode-prefill-decode'] as const;

function roleFilter(type: string, roles: readonly string[], allowsNoLabel: boolean, what: string): PluginDefinition {
  return {
    type,
    kinds: ['Filter'],
    source: 'llm-d v0.7.0',
    description: `Keeps ${what} endpoints: label ${ROLE_LABEL} ∈ {${roles.join(', ')}}${allowsNoLabel ? ', or no such label' : ''}.`,
    params: z.strictObject({}),
    create: (name) => new ByLabelFilter(name, ROLE_LABEL, roles, allowsNoLabel, type),
  };
}

export const decodeFilter = roleFilter('decode-filter', DECODE_ROLES, true, 'decode-capable');
export const prefillFilter = roleFilter('prefill-filter', PREFILL_ROLES, false, 'prefill-capable');
export const encodeFilter = roleFilter('encode-filter', ENCODE_ROLES, false, 'encode-capable');
