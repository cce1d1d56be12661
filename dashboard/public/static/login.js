document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = document.getElementById('error');
    error.textContent = '';
    try {
      await Campus.api('/api/login', { method: 'POST', body: { username: form.username.value.trim(), password: form.password.value } });
      const next = new URLSearchParams(location.search).get('next');
      location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/tickets';
    } catch (err) {
      error.textContent = err.message;
    }
  });
});
