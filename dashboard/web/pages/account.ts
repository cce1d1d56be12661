// /account: a staff member changes their own password (the current one, the new one twice, 8
// characters or more; their sessions on other browsers end). The office (admin) also sees every
// account — name, role, disabled — resets a password (shown once) and keeps a phone number and a
// WeCom user id per account, for mentions in notifications; nobody else sees those.
import { api, byId, el, errorText, logout, session, user } from '../common.ts';
import { t } from '../i18n.ts';
import type { TextKey } from '../i18n/text.ts';
import { runPage } from '../page.ts';

interface Account {
  username: string;
  name: string;
  role: string;
  disabled: boolean;
  phone: string | null;
  wecomUserId: string | null;
}

const MIN_PASSWORD = 8;

function say(id: string, ...content: (Node | string)[]): void {
  const node = byId(id);
  node.hidden = false;
  node.replaceChildren(...content);
}

async function changePassword(form: HTMLFormElement): Promise<void> {
  const f = Object.fromEntries(new FormData(form)) as Record<string, string>;
  const result = byId('password-result');
  result.className = 'error';
  if ((f.password ?? '').length < MIN_PASSWORD) return say('password-result', t('account.too-short'));
  if (f.password !== f.again) return say('password-result', t('account.mismatch'));
  try {
    await api('/api/account/password', { method: 'POST', body: { current: f.current, password: f.password } });
    // the server gave this browser a new session: its CSRF token comes with /api/session
    await session();
    form.reset();
    result.className = 'ok';
    say('password-result', t('account.changed'));
  } catch (err) {
    say('password-result', errorText(err));
  }
}

function accountRow(a: Account): HTMLTableRowElement {
  const input = (name: 'phone' | 'wecomUserId', value: string | null, maxlength: number) =>
    el('input', { name, value: value ?? '', maxlength, 'aria-label': t(name === 'phone' ? 'account.phone' : 'account.wecom'), dataset: { user: '' } });
  const phone = input('phone', a.phone, 20);
  const wecom = input('wecomUserId', a.wecomUserId, 64);
  const saved = el('span', { class: 'ok', hidden: '' });
  const save = async () => {
    try {
      await api(`/api/staff/${encodeURIComponent(a.username)}`, { method: 'PATCH', body: { phone: phone.value, wecomUserId: wecom.value } });
      saved.hidden = false;
      saved.textContent = t('account.saved');
    } catch (err) {
      saved.hidden = false;
      saved.replaceChildren(errorText(err));
    }
  };
  const reset = async () => {
    if (!confirm(t('account.reset-confirm', { name: a.name }))) return;
    try {
      const { password } = await api<{ password: string }>(`/api/staff/${encodeURIComponent(a.username)}/reset`, { method: 'POST', body: {} });
      say('reset-result', t('account.reset-done', { name: a.name }), el('code', { text: password }));
    } catch (err) {
      say('reset-result', errorText(err));
    }
  };
  return el(
    'tr',
    { dataset: { username: a.username } },
    el('td', { text: a.username }),
    el('td', {}, user(a.name)),
    el('td', { text: t(`account.role.${a.role}` as TextKey) }),
    el('td', { class: a.disabled ? 'bad' : '', text: t(a.disabled ? 'account.disabled' : 'account.active') }),
    el('td', {}, phone),
    el('td', {}, wecom),
    el(
      'td',
      { class: 'actions' },
      el('button', { type: 'button', class: 'save', text: t('account.save'), onclick: () => void save() }),
      el('button', { type: 'button', class: 'reset', text: t('account.reset'), onclick: () => void reset() }),
      saved,
    ),
  );
}

async function loadAccounts(): Promise<void> {
  const { users } = await api<{ users: Account[] }>('/api/staff');
  byId<HTMLTableElement>('accounts').tBodies[0]!.replaceChildren(...users.map(accountRow));
  document.body.dataset.accounts = String(users.length);
}

runPage(async () => {
  const viewer = await session();
  byId('logout').addEventListener('click', () => void logout());
  const form = byId<HTMLFormElement>('password');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void changePassword(form);
  });
  if (viewer.kind === 'staff') (form.elements.namedItem('username') as HTMLInputElement).value = viewer.name;
  if (viewer.kind === 'staff' && viewer.role === 'admin') {
    byId('staff').hidden = false;
    await loadAccounts();
  }
  document.body.dataset.ready = 'true';
});
