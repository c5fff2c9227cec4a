// Admin screens (#/admin/users, #/admin/clinics, #/admin/audit, #/admin/jobs, #/admin/deliveries, #/admin/quarantine): loaded only when
// an admin route is first shown. The server checks the role on every /api/admin request; a 403 shows "not allowed"
// here. Nothing patient-related goes into a URL: filters are kinds, user names and UIDs.
import { api, ApiError, seg } from './api.js';
import { bdi, h, replace } from './dom.js';
import { dateTime } from './format.js';
import { t } from './i18n.js';

export const SECTIONS = ['users', 'clinics', 'audit', 'jobs', 'deliveries', 'quarantine'];
const ROLES = ['admin', 'radiologist', 'clinic'];

let cssLoaded = false;
function loadCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h('link', { rel: 'stylesheet', href: '/css/admin.css' }));
}

/** A message line under the tabs: info (e.g. the one-time password) or error. */
export function say(view, kind, text) {
  const el = view.el.querySelector('#admin-message');
  el.dataset.kind = kind;
  replace(el, text);
}

/** Runs an API call; a 403 turns the whole view into "not allowed", other errors show as a message. */
export async function guarded(view, fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 403 && /role/.test(e.message)) denied(view);
    else if (e instanceof ApiError) say(view, 'error', t('admin.error', { error: e.message }));
    else throw e;
    return undefined;
  }
}

function denied(view) {
  replace(view.el, h('p', { class: 'admin-denied', id: 'admin-denied', role: 'alert' }, t('admin.notAllowed')));
}

export function adminView(app, section) {
  loadCss();
  const body = h('div', { class: 'admin-body', id: 'admin-body' });
  const el = h('section', { class: 'admin-view', dataset: { section } },
    h('h1', null, t('admin.title')),
    h('nav', { class: 'admin-tabs', 'aria-label': t('admin.title') },
      SECTIONS.map((s) => h('a', { class: 'btn', href: `#/admin/${s}`, id: `admin-tab-${s}`, 'aria-current': s === section ? 'page' : null },
        t(`admin.tab.${s}`)))),
    h('p', { class: 'form-message', id: 'admin-message', role: 'status', 'aria-live': 'polite' }),
    body);
  const view = { el, body, app, destroyed: false, destroy() { this.destroyed = true; } };
  const load = section === 'users' ? Promise.resolve(usersSection)
    : import('./admin-lists.js').then((m) => m.sections[section]);
  load.then((show) => { if (!view.destroyed) show(view); }).catch((e) => console.error(e));
  return view;
}

// ---------------------------------------------------------------- users

async function usersSection(view) {
  const data = await guarded(view, () => api('/api/admin/users'));
  if (!data || view.destroyed) return;
  replace(view.body, addUserForm(view), h('ul', { class: 'admin-list', id: 'admin-users' }, data.items.map((u) => userItem(view, u))));
}

const reload = (view) => usersSection(view);

const clinicsOf = (text) => text.split('\n').map((c) => c.trim()).filter(Boolean);

function roleSelect(id, value) {
  return h('select', { id }, ROLES.map((r) => h('option', { value: r, selected: r === value }, t(`role.${r}`))));
}

function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

function addUserForm(view) {
  const name = h('input', { id: 'new-username', autocomplete: 'off', required: true, maxlength: 64 });
  const role = roleSelect('new-role', 'radiologist');
  const clinics = h('textarea', { id: 'new-clinics', rows: 2 });
  const password = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password' });
  const clinicsField = field(t('admin.user.clinicsHint'), clinics);
  const sync = () => { clinicsField.hidden = role.value !== 'clinic'; };
  role.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'admin-add', id: 'admin-add-user' },
    h('h2', null, t('admin.user.add')),
    field(t('admin.col.username'), name), field(t('admin.col.role'), role), clinicsField,
    field(t('admin.user.password'), password),
    h('button', { type: 'submit', class: 'btn primary', id: 'new-submit' }, t('admin.user.add')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { username: name.value.trim(), role: role.value, clinics: role.value === 'clinic' ? clinicsOf(clinics.value) : [],
      password: password.value };
    const r = await guarded(view, () => api('/api/admin/users', { method: 'POST', body }));
    if (!r) return;
    await reload(view);
    say(view, 'info', r.password ? oneTime(body.username, r.password) : t('admin.user.saved'));
  });
  return form;
}

/** The generated password, shown once in a selectable box. */
function oneTime(user, password) {
  return [t('admin.user.generatedFor'), ' ', bdi(user), ': ',
    h('code', { class: 'one-time', id: 'one-time-password', dir: 'ltr' }, password), ' ', t('admin.user.showOnce')];
}

function userItem(view, u) {
  const state = u.disabled ? 'disabled' : 'enabled';
  const id = (s) => `${s}-${u.username}`;
  const role = roleSelect(id('role'), u.role);
  const clinics = h('textarea', { id: id('clinics'), rows: 2 }, u.clinics.join('\n'));
  const clinicsField = field(t('admin.user.clinicsHint'), clinics);
  const sync = () => { clinicsField.hidden = role.value !== 'clinic'; };
  role.addEventListener('change', sync);
  sync();
  const password = h('input', { id: id('password'), type: 'password', autocomplete: 'new-password' });

  const patch = async (body) => {
    const r = await guarded(view, () => api(`/api/admin/users/${seg(u.username)}`, { method: 'PATCH', body }));
    if (!r) return;
    await reload(view);
    say(view, 'info', t('admin.user.saved'));
  };
  const save = h('button', { type: 'button', class: 'btn', dataset: { action: 'save' } }, t('admin.user.save'));
  save.addEventListener('click', () => patch({ role: role.value, clinics: role.value === 'clinic' ? clinicsOf(clinics.value) : [] }));
  const toggle = h('button', { type: 'button', class: 'btn', dataset: { action: u.disabled ? 'enable' : 'disable' } },
    t(u.disabled ? 'admin.user.enable' : 'admin.user.disable'));
  toggle.addEventListener('click', () => patch({ disabled: !u.disabled }));
  const reset = h('button', { type: 'button', class: 'btn', dataset: { action: 'reset' } }, t('admin.user.resetPassword'));
  reset.addEventListener('click', async () => {
    const r = await guarded(view, () => api(`/api/admin/users/${seg(u.username)}/password`, { method: 'POST', body: { password: password.value } }));
    if (!r) return;
    password.value = '';
    say(view, 'info', r.password ? oneTime(u.username, r.password) : t('admin.user.passwordSet'));
  });

  return h('li', { class: `admin-item user ${state}`, dataset: { user: u.username, role: u.role, state } },
    h('div', { class: 'admin-row' },
      h('strong', { class: 'user-name' }, bdi(u.username)),
      h('span', { class: 'badge' }, t(`role.${u.role}`)),
      h('span', { class: `badge state-${state}` }, t(`admin.user.${state}`)),
      u.lockedUntil ? h('span', { class: 'badge state-locked', title: dateTime(u.lockedUntil) }, t('admin.user.locked')) : null,
      u.clinics.length ? h('span', { class: 'user-clinics' }, u.clinics.map((c) => h('span', { class: 'chip' }, bdi(c)))) : null,
      h('span', { class: 'spacer' }),
      toggle),
    h('details', { class: 'user-edit' },
      h('summary', null, t('admin.user.edit')),
      h('div', { class: 'admin-fields' }, field(t('admin.col.role'), role), clinicsField, save),
      h('div', { class: 'admin-fields' }, field(t('admin.user.newPassword'), password), reset)));
}
