// The sign-in form: wrong password, lockout (429 + Retry-After) and session-expired messages.
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { number } from './format.js';
import { t } from './i18n.js';

export function loginView(app, notice) {
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'login-submit' });
  const message = h('p', { class: 'form-message', id: 'login-message', role: 'alert' });
  const title = h('h1');
  const userLabel = h('label', { for: 'login-username' });
  const passLabel = h('label', { for: 'login-password' });
  let noticeKey = notice;
  let error = null;

  function relabel() {
    title.textContent = t('login.title');
    userLabel.textContent = t('login.username');
    passLabel.textContent = t('login.password');
    submit.textContent = t('login.submit');
    message.textContent = error ? error() : noticeKey ? t(noticeKey) : '';
    message.dataset.kind = error ? 'error' : 'info';
  }

  async function onSubmit(e) {
    e.preventDefault();
    submit.disabled = true;
    error = null;
    noticeKey = null;
    relabel();
    try {
      const session = await api('/api/login', {
        method: 'POST', body: { username: user.value.trim(), password: pass.value }, quiet401: true,
      });
      pass.value = '';
      app.signedIn(session);
    } catch (err) {
      pass.value = '';
      if (err instanceof ApiError && err.status === 401) error = () => t('login.invalid');
      else if (err instanceof ApiError && err.status === 429) {
        const minutes = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : 15;
        error = () => t('login.locked', { minutes: number(minutes) });
      } else error = () => t('login.failed');
      relabel();
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  }

  const form = h('form', { class: 'login-form', id: 'login-form', onsubmit: onSubmit, novalidate: false },
    title,
    h('div', { class: 'field' }, userLabel, user),
    h('div', { class: 'field' }, passLabel, pass),
    message,
    submit);
  relabel();
  return {
    el: h('section', { class: 'login' }, form),
    relabel,
    isLogin: true,
    mounted: () => user.focus(),
  };
}
