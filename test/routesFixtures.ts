/** Resolve a `routes:` value the way the loader does, for schema tests: the result, or the one-line message a user would read (minus the file). */
import { describeIssue, firstIssue } from '../sim/scenario/schema.js';
import { RoutesSchema, resolveRoutes } from '../sim/scenario/routesSchema.js';

export function routesResolver(defaultPools: readonly string[]) {
  const resolve = (data: unknown, pools: readonly string[] = defaultPools) => {
    const parsed = RoutesSchema.safeParse(data, { reportInput: true });
    if (!parsed.success) {
      const r = describeIssue(firstIssue(parsed.error.issues)!, ['routes']);
      throw new Error(`${r.path}: ${r.problem} (fix: ${r.fix})`);
    }
    return resolveRoutes(parsed.data, pools);
  };
  const messageOf = (data: unknown, pools: readonly string[] = defaultPools): string => {
    try {
      resolve(data, pools);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a problem');
  };
  return { resolve, messageOf };
}
