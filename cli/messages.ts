/**
 * commander's own errors (unknown option or command, missing or excess arguments, a missing option
 * value, an invalid choice) in routesim's one-line shape: `<what> (fix: …)`, naming the command's
 * usage so the fix is concrete. The `routesim: ` prefix is added by main.ts.
 */
import type { Command, CommanderError } from 'commander';

/** `routesim trace convert`: the command's full name. */
function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** commander's message without its `error: ` prefix, as one line, and its "(Did you mean …?)" hint. */
function split(message: string): { what: string; hint: string } {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const hintLine = lines.find((l) => /^\(Did you mean/i.test(l));
  const what = lines.filter((l) => l !== hintLine).join(' ').replace(/^error:\s*/i, '').replace(/\.$/, '');
  const hint = hintLine ? hintLine.replace(/^\(|\)$/g, '').replace(/^Did/, 'did') : '';
  return { what, hint };
}

export function commanderMessage(err: CommanderError, cmd: Command): string {
  const name = fullName(cmd);
  const usage = `${name} ${cmd.usage()}`.trim();
  const help = `see ${name} --help`;
  const { what, hint } = split(err.message);
  const fix = (s: string): string => `${what} (fix: ${s})`;
  switch (err.code) {
    case 'commander.unknownOption':
      return fix(hint ? `${hint} ${help}` : help);
    case 'commander.unknownCommand':
      return fix(hint ? `${hint} ${help}` : help);
    case 'commander.missingArgument':
    case 'commander.excessArguments':
      return fix(`usage: ${usage}`);
    case 'commander.optionMissingArgument':
      return fix(`give the option a value; ${help}`);
    case 'commander.missingMandatoryOptionValue':
      return fix(`add it: usage: ${usage}; ${help}`);
    case 'commander.invalidArgument':
      return fix(help);
    case 'commander.conflictingOption':
      return fix('give only one of them');
    default:
      return fix(help);
  }
}
