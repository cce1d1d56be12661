/**
 * The `campus` CLI's account and token commands against a data dir: `user add` refuses a name that
 * exists (it used to reset its password silently) and `user reset` gives a new one, which works
 * while the old does not; `token add --scope lobby` makes a token the directory keeps with its
 * scope (`--chime`: the wall's chime on); `display add` (the old spelling) one for the wall and the lobby;
 * the usage lists the roles.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DisplayTokens, StaffDirectory } from '@campus/dashboard';
import { campusCli, tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());
const password = (out: string) => /shown once: (\S+)/.exec(out)![1]!;

describe('campus user', () => {
  it('add refuses an existing name and keeps its password; reset changes it', { timeout: 60_000 }, async () => {
    const first = password(await campusCli(dir.path, 'user', 'add', 'li', '--role', 'plumber', '--name', '李师傅'));
    await expect(campusCli(dir.path, 'user', 'add', 'li', '--role', 'admin')).rejects.toThrow(/exit 1: .*account li exists; use `campus user reset li`/s);
    const staff = new StaffDirectory(dir.path);
    expect(staff.get('li')).toMatchObject({ role: 'plumber', name: '李师傅' });
    expect(await staff.verify('li', first)).not.toBeNull();

    const second = password(await campusCli(dir.path, 'user', 'reset', 'li'));
    expect(second).not.toBe(first);
    expect(await staff.verify('li', first)).toBeNull();
    expect(await staff.verify('li', second)).not.toBeNull();
    await expect(campusCli(dir.path, 'user', 'reset', 'nobody')).rejects.toThrow(/no account "nobody"/);
  });

  it('the usage names every role and the new commands', { timeout: 60_000 }, async () => {
    const usage = await campusCli(dir.path, 'user').catch((e: Error) => e.message);
    expect(usage).toContain('--role <admin|electrician|plumber|carpenter|it|canteen>');
    expect(usage).toContain('user reset <username>');
    expect(usage).toContain('token add --name <name> --scope <wall|lobby>');
  });
});

describe('campus token', () => {
  it('add --scope lobby prints the lobby address; display add keeps the wall and the lobby', { timeout: 60_000 }, async () => {
    const out = await campusCli(dir.path, 'token', 'add', '--name', '大厅屏', '--scope', 'lobby');
    await campusCli(dir.path, 'token', 'add', '--name', '值班室', '--scope', 'wall', '--chime');
    expect(out).toMatch(/\/lobby\?token=\S+/);
    expect(out).not.toContain('/wall');
    await campusCli(dir.path, 'display', 'add', '值班大屏');
    expect(new DisplayTokens(dir.path).list().map((t) => [t.name, t.scopes, t.settings])).toEqual([
      ['大厅屏', ['lobby'], undefined],
      ['值班室', ['wall'], { chime: true }],
      ['值班大屏', ['wall', 'lobby'], undefined],
    ]);
    await expect(campusCli(dir.path, 'token', 'add', '--name', 'x', '--scope', 'tickets')).rejects.toThrow(/scope must be one or more of wall, lobby/);
  });
});
