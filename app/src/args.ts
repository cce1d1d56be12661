/** Command-line helpers shared by the operator CLI's commands. */

/** The value after `--name`, if given. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** "90s", "30m", "2h" -> ms; `flag` names the option in the error. */
export function parseDuration(text: string, flag = '--for'): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  if (!m) throw new Error(`${flag} ${text}: use a duration like 90s, 30m or 2h`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000 }[m[2] as 's' | 'm' | 'h'];
}
