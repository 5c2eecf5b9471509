/** Placeholder (replaced at merge by the capacity report helper): the capacity document as Markdown. */
import type { CapacityDocument } from '../../lab/capacity/types.js';

export function renderCapacityMarkdown(doc: CapacityDocument): string {
  const rows = doc.answers.map((a) => `| ${a.policy} | ${a.option ?? ''} | ${a.min_replicas ?? ''} | ${a.max_rate ?? 'none'} | ${a.bracket.map((x) => x ?? '–').join(' – ')} |`);
  return [`# Capacity: ${doc.question} (${doc.scenario})`, '', '| policy | option | min replicas | max rate | bracket |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}
