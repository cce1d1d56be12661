/**
 * `npm run campus -- <command>`: the operator's tool.
 *   check [file]              validate a campus file, listing every problem by path
 *   device add | rotate | disable | enable | list   MQTT logins for devices (device-cli.ts)
 *   sim backfill --from ... [--to ...] [--step 15m]  a past period of the simulated campus into the store (sim-cli.ts)
 *   fault add <kind> <target> [--for 30m] [--lph N] [--m3h N] [--pct N] [--ratio N] [--kw N] [--ramp-hours N] [--per-hour N] [--every-hours N --minutes N --jitter-hours N --peak-c N --reported 0|1]
 *   fault list | fault clear <id|all>   faults in the running simulator (CAMPUS_DATA_DIR/sim-faults.json)
 *   user add <username> --role <admin|electrician|plumber|carpenter|it|canteen> [--name 李师傅]   (prints the password once; refuses an existing name)
 *   user reset <username>     a new password, printed once; the account's sessions end
 *   user list | user disable <username> | user enable <username>
 *   token add --name 大厅屏 --scope lobby|wall[,...] [--chime] | token list | token revoke <id>   read-only tokens for screens, each opening only its scope's pages (--chime: the wall's chime on without a click)
 *   display add <name> | display list | display revoke <id>   the old spelling: a token for the wall and the lobby
 *   backup <dir> [--keep 14]  a consistent copy of campus.db, the secrets and the campus file (backup-cli.ts)
 *   report [--term <name> | --from ... --to ...] [--out DIR]  the term report as HTML, CSV and a summary (report-cli.ts)
 */
import { deviceCommand, DEVICE_USAGE } from './device-cli.ts';
import { simCommand, SIM_USAGE } from './sim-cli.ts';
import { backupCommand, BACKUP_USAGE } from './backup-cli.ts';
import { reportCommand, REPORT_USAGE } from './report-cli.ts';
import { parseDuration } from './args.ts';
import { createLog, readKnobs, runMain } from '@campus/runtime';
import { loadCampus } from '@campus/site';
import { checkFault, FAULT_KINDS, FAULT_SIZES, readFaults, writeFaults, type Fault } from '@campus/device-sim';
import { DetectionEngine } from '@campus/detection';
import { DISPLAY_SCOPES, DISPLAY_SCOPE_NAMES, DisplayTokens, LEGACY_SCOPES, parseScopes, ROLE_LABELS_ZH, ROLES, scopesOf, StaffDirectory, type DisplayScope, type Role } from '@campus/dashboard';

const USAGE = `usage:
  npm run campus -- check [campus.yaml]
${DEVICE_USAGE}
${SIM_USAGE}
  npm run campus -- fault add <kind> <target> [--for 30m] [--lph N] [--m3h N] [--pct N] [--ratio N] [--kw N] [--ramp-hours N] [--per-hour N] [--every-hours N --minutes N --jitter-hours N --peak-c N --reported 0|1]
  npm run campus -- fault list
  npm run campus -- fault clear <id|all>
  npm run campus -- user add <username> --role <${ROLES.join('|')}> [--name 李师傅]
  npm run campus -- user reset <username> | user list | user disable <username> | user enable <username>
  npm run campus -- token add --name <name> --scope <${DISPLAY_SCOPE_NAMES.join('|')}>[,...] [--chime] | token list | token revoke <id>
  npm run campus -- display add <name> | display list | display revoke <id>   (a token for ${LEGACY_SCOPES.join(' and ')})
${BACKUP_USAGE}
${REPORT_USAGE}
fault kinds: ${FAULT_KINDS.join(', ')}`;

const log = createLog('campus');
await runMain(log, async () => {
  const [command, ...args] = process.argv.slice(2);
  const knobs = readKnobs();
  if (command === 'check') {
    const file = args[0] ?? knobs.campusConfig;
    const campus = loadCampus(file);
    new DetectionEngine([campus]); // detector thresholds: unknown detectors or parameters are listed by path
    const kinds = new Map<string, number>();
    for (const d of campus.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    console.log(
      `${file}: OK — ${campus.site.name} (${campus.site.id}), ${campus.buildings.length} buildings, ${campus.classes.length} classes, ${campus.devices.length} devices (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`,
    );
    return;
  }
  if (command === 'sim' && (await simCommand(args, knobs))) return;
  if (command === 'backup') return backupCommand(args, knobs);
  if (command === 'report') return reportCommand(args, knobs);
  // `device secret <id>` is the old name of `device rotate` / `device add`
  if (command === 'device' && (await deviceCommand(args[0] === 'secret' ? ['add', ...args.slice(1)] : args, knobs))) return;
  if (command === 'user') {
    const staff = new StaffDirectory(knobs.dataDir);
    const [sub, username, ...opts] = args;
    if (sub === 'list') {
      for (const u of staff.list()) console.log(`${u.username.padEnd(16)} ${ROLE_LABELS_ZH[u.role]} (${u.role})  ${u.name}${u.disabled ? '  [disabled]' : ''}`);
      return;
    }
    if ((sub === 'disable' || sub === 'enable') && username) {
      staff.setDisabled(username, sub === 'disable');
      console.log(`${username} ${sub}d; takes effect at the next request`);
      return;
    }
    if (sub === 'add' && username) {
      const role = opts[opts.indexOf('--role') + 1] as Role;
      if (!opts.includes('--role') || !(ROLES as readonly string[]).includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const name = opts.includes('--name') ? opts[opts.indexOf('--name') + 1]! : username;
      const password = await staff.add(username, name, role);
      console.log(`account ${username} (${name}, ${ROLE_LABELS_ZH[role]}) — password, shown once: ${password}`);
      return;
    }
    if (sub === 'reset' && username) {
      const password = await staff.reset(username);
      console.log(`account ${username}: new password, shown once: ${password} (its sessions have ended)`);
      return;
    }
  }
  if (command === 'token' || command === 'display') {
    const displays = new DisplayTokens(knobs.dataDir);
    const [sub, ...rest] = args;
    if (sub === 'list') {
      for (const t of displays.list())
        console.log(`${t.id}  ${t.name}  scope ${scopesOf(t).join(',')}${t.scopes ? '' : ' (made before scopes)'}${t.settings?.chime ? '  chime' : ''}  created ${t.createdAt}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}`);
      return;
    }
    if (sub === 'revoke' && rest[0]) {
      displays.revoke(rest[0]);
      console.log(`revoked ${rest[0]}: screens using it are cut off at their next request`);
      return;
    }
    // `token add --name N --scope S`; the old `display add N`: the wall and the lobby
    const option = (name: string) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
    const name = command === 'token' ? option('--name') : rest[0];
    const scopeText = command === 'token' ? option('--scope') : LEGACY_SCOPES.join(',');
    if (sub === 'add' && name && scopeText) {
      const scopes: DisplayScope[] = parseScopes(scopeText);
      const { id, token } = displays.add(name, scopes, command === 'token' && rest.includes('--chime') ? { chime: true } : {});
      const pages = [...new Set(scopes.flatMap((s) => DISPLAY_SCOPES[s].pages))];
      console.log(`display token ${id} for "${name}" (scope ${scopes.join(',')}) — shown once. Open on the screen:
${pages.map((p) => `  http://<this server>:${knobs.httpPort}${p}?token=${token}`).join('\n')}`);
      return;
    }
  }
  if (command === 'fault') {
    const [sub, ...rest] = args;
    const faults = readFaults(knobs.dataDir);
    if (sub === 'list') {
      if (!faults.length) console.log('no faults');
      for (const f of faults)
        console.log(
          `${f.id}  ${f.kind} ${f.target}  from ${new Date(f.from).toISOString()}${f.to ? ` to ${new Date(f.to).toISOString()}` : ' (until cleared)'}${f.size ? '  ' + JSON.stringify(f.size) : ''}`,
        );
      return;
    }
    if (sub === 'clear' && rest[0]) {
      const left = rest[0] === 'all' ? [] : faults.filter((f) => f.id !== rest[0]);
      if (left.length === faults.length && rest[0] !== 'all') throw new Error(`no fault "${rest[0]}" (see: npm run campus -- fault list)`);
      writeFaults(knobs.dataDir, left);
      console.log(`cleared ${faults.length - left.length} fault(s); the simulator applies it within a second`);
      return;
    }
    if (sub === 'add' && rest[0] && rest[1]) {
      const campus = loadCampus(knobs.campusConfig);
      const [kind, target, ...opts] = rest as [string, string, ...string[]];
      const problem = checkFault({ kind: kind as Fault['kind'], target }, campus);
      if (problem) throw new Error(problem);
      const size: Record<string, number> = {};
      let durationMs: number | undefined;
      for (let i = 0; i < opts.length; i += 2) {
        const name = opts[i]!;
        const value = opts[i + 1];
        if (value === undefined) throw new Error(`${name} needs a value`);
        if (name === '--for') durationMs = parseDuration(value);
        else {
          const key = name.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
          if (!name.startsWith('--') || !(FAULT_SIZES as readonly string[]).includes(key)) throw new Error(`unknown option ${name} ${value}`);
          if (value.trim() === '' || !Number.isFinite(Number(value))) throw new Error(`${name} must be a number, not ${value}`);
          size[key] = Number(value);
        }
      }
      const from = Date.now();
      const fault: Fault = {
        id: `${kind}-${target}-${from.toString(36)}`,
        kind: kind as Fault['kind'],
        target,
        from,
        ...(durationMs ? { to: from + durationMs } : {}),
        ...(Object.keys(size).length ? { size } : {}),
      };
      writeFaults(knobs.dataDir, [...faults, fault]);
      console.log(
        `added ${fault.id}: ${kind} on ${target}${durationMs ? ` for ${durationMs / 60_000} min` : ' until cleared'}; the running simulator applies it within a second`,
      );
      return;
    }
  }
  console.error(USAGE);
  process.exitCode = 2;
});
