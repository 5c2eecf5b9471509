/** A long prompt of `n` numbered sentences tagged `seed`: prompts with the same seed share their prefix (prefix-affinity tests). */
export const long = (seed: string, n: number): string => Array.from({ length: n }, (_, i) => `${seed} sentence number ${i} of the shared system prompt.`).join(' ');
