// The staff login: back to the page that sent the visitor here, or the tickets.
import { api, byId, errorText } from '../common.ts';
import { runPage } from '../page.ts';

runPage(async () => {
  const form = byId<HTMLFormElement>('login');
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = byId('error');
    error.textContent = '';
    try {
      await api('/api/login', { method: 'POST', body: { username: field('username').value.trim(), password: field('password').value } });
      const next = new URLSearchParams(location.search).get('next');
      location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/tickets';
    } catch (err) {
      error.replaceChildren(errorText(err));
    }
  });
});
