// The admin's read-mostly screens: the clinics with their one setting (show model output before review), the audit trail with filters and paging, scoring jobs (retry a failed one), result
// deliveries across studies (retry a failed or waiting one now) and the quarantine folder (read-only). Imported by
// admin.js when one of them is first shown.
import { api, seg } from './api.js';
import { bdi, h, replace } from './dom.js';
import { dateTime, number } from './format.js';
import { t, tn } from './i18n.js';
import { guarded, say } from './admin.js';

const PAGE_SIZE = 50;
const KINDS = ['login', 'logout', 'user', 'study', 'job', 'delivery', 'results', 'quarantine', 'ownership-conflict', 'instance-replaced'];

const field = (label, control) => h('div', { class: 'field' }, h('label', { for: control.id }, label), control);

// A UID or path shown left to right in any UI language, breakable on narrow screens.
const code = (text, cls = '') => h('span', { class: `uid ${cls}`, dir: 'ltr' }, text ?? '');

// ---------------------------------------------------------------- clinics

async function clinics(view) {
  const data = await guarded(view, () => api('/api/admin/clinics'));
  if (!data || view.destroyed) return;
  replace(view.body, h('p', { class: 'sub' }, t('admin.clinics.about')),
    h('ul', { class: 'admin-list', id: 'admin-clinics' },
      data.items.length ? data.items.map((c) => clinicItem(view, c)) : h('li', { class: 'empty' }, t('admin.clinics.none'))));
}

function clinicItem(view, c) {
  const toggle = h('input', { type: 'checkbox', checked: c.showModelOutput, dataset: { action: 'show-output' } });
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    const r = await guarded(view, () => api(`/api/admin/clinics/${seg(c.clinic)}/settings`,
      { method: 'PUT', body: { showModelOutput: toggle.checked } }));
    if (!r) {
      toggle.checked = c.showModelOutput;
      toggle.disabled = false;
      return;
    }
    await clinics(view);
    say(view, 'info', t('admin.clinics.saved'));
  });
  const state = c.showModelOutput ? 'shown' : 'hidden';
  return h('li', { class: `admin-item clinic ${state}`, dataset: { clinic: c.clinic, state } },
    h('div', { class: 'admin-row' },
      h('strong', { class: 'clinic-name' }, bdi(c.clinic)),
      h('span', { class: 'sub' }, tn('worklist.count', c.studies)),
      h('span', { class: 'spacer' }),
      h('label', { class: 'clinic-toggle' }, toggle, ' ', t('admin.clinics.show'))),
    h('div', { class: 'sub clinic-changed' }, c.updatedBy
      ? [t('admin.clinics.changedBy'), ' ', bdi(c.updatedBy), ' · ', h('time', { datetime: c.updatedAt }, dateTime(c.updatedAt))]
      : t('admin.clinics.default')));
}

// ---------------------------------------------------------------- audit

/** A local calendar date (YYYY-MM-DD from a date input) as the UTC instant its day starts, plus `days`. */
function dayStart(value, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? new Date(+m[1], +m[2] - 1, +m[3] + days).toISOString() : undefined;
}

function audit(view) {
  const kind = h('input', { id: 'audit-kind', list: 'audit-kinds', autocomplete: 'off', maxlength: 64 });
  const actor = h('input', { id: 'audit-actor', autocomplete: 'off', maxlength: 64 });
  const subject = h('input', { id: 'audit-subject', autocomplete: 'off', maxlength: 128, dir: 'ltr' });
  const from = h('input', { id: 'audit-from', type: 'date' });
  const to = h('input', { id: 'audit-to', type: 'date' });
  const list = h('ul', { class: 'admin-list', id: 'audit-events' });
  const total = h('p', { class: 'sub', id: 'audit-total' });
  const prev = h('button', { type: 'button', class: 'btn', id: 'audit-prev' }, t('admin.prev'));
  const next = h('button', { type: 'button', class: 'btn', id: 'audit-next' }, t('admin.next'));
  const pageLabel = h('span', { class: 'sub', id: 'audit-page' });
  let page = 1;

  const load = async () => {
    const query = {
      kind: kind.value.trim().toLowerCase(), actor: actor.value.trim(), subject: subject.value.trim(),
      from: dayStart(from.value), to: dayStart(to.value, 1), page, pageSize: PAGE_SIZE,
    };
    const data = await guarded(view, () => api('/api/admin/audit', { query }));
    if (!data || view.destroyed) return;
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    list.dataset.total = String(data.total);
    replace(total, t('admin.audit.total', { n: number(data.total) }));
    replace(pageLabel, t('admin.page', { page: number(page), pages: number(pages) }));
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    replace(list, data.items.length ? data.items.map(auditItem) : h('li', { class: 'empty' }, t('admin.audit.none')));
  };
  const form = h('form', { class: 'admin-filters', id: 'audit-filters' },
    field(t('admin.audit.kind'), kind), h('datalist', { id: 'audit-kinds' }, KINDS.map((k) => h('option', { value: k }))),
    field(t('admin.audit.actor'), actor), field(t('admin.audit.subject'), subject),
    field(t('admin.audit.from'), from), field(t('admin.audit.to'), to),
    h('button', { type: 'submit', class: 'btn primary', id: 'audit-apply' }, t('admin.audit.apply')));
  form.addEventListener('submit', (e) => { e.preventDefault(); page = 1; load(); });
  prev.addEventListener('click', () => { page -= 1; load(); });
  next.addEventListener('click', () => { page += 1; load(); });
  replace(view.body, form, total, list, h('div', { class: 'admin-pager' }, prev, pageLabel, next));
  load();
}

function auditItem(a) {
  return h('li', { class: 'admin-item audit-event', dataset: { kind: a.kind, actor: a.actor ?? '' } },
    h('div', { class: 'admin-row' },
      h('time', { datetime: a.at, class: 'sub' }, dateTime(a.at)),
      h('span', { class: 'badge audit-kind', dir: 'ltr' }, a.kind),
      a.actor ? h('span', { class: 'audit-actor' }, bdi(a.actor)) : null,
      a.subject ? code(a.subject, 'audit-subject') : null),
    a.detail ? h('div', { class: 'sub audit-detail', dir: 'auto' }, a.detail) : null);
}

// ---------------------------------------------------------------- jobs

function jobs(view) {
  const state = h('select', { id: 'jobs-state' },
    h('option', { value: '' }, t('admin.jobs.open')),
    ['failed', 'pending', 'running', 'done'].map((s) => h('option', { value: s }, t(`admin.state.${s}`))));
  const counts = h('p', { class: 'sub', id: 'jobs-counts' });
  const list = h('ul', { class: 'admin-list', id: 'admin-jobs' });
  const load = async () => {
    const data = await guarded(view, () => api('/api/admin/jobs', { query: { state: state.value } }));
    if (!data || view.destroyed) return;
    const c = data.counts;
    replace(counts, t('admin.jobs.counts', { pending: number(c.pending), running: number(c.running), failed: number(c.failed), done: number(c.done) }));
    replace(list, data.items.length ? data.items.map((j) => jobItem(view, j, load)) : h('li', { class: 'empty' }, t('admin.jobs.none')));
  };
  state.addEventListener('change', load);
  replace(view.body, h('div', { class: 'admin-filters' }, field(t('admin.col.state'), state)), counts, list);
  load();
}

function jobItem(view, j, reload) {
  let retry = null;
  if (j.state === 'failed') {
    retry = h('button', { type: 'button', class: 'btn', dataset: { action: 'retry' } }, t('admin.retry'));
    retry.addEventListener('click', async () => {
      retry.disabled = true;
      const r = await guarded(view, () => api(`/api/admin/jobs/${j.id}/retry`, { method: 'POST' }));
      if (r) say(view, 'info', t('admin.jobs.retried'));
      await reload();
    });
  }
  return h('li', { class: `admin-item job ${j.state}`, dataset: { job: String(j.id), state: j.state } },
    h('div', { class: 'admin-row' },
      h('span', { class: `badge state-${j.state}` }, t(`admin.state.${j.state}`)),
      h('a', { href: `#/study/${j.studyInstanceUid}`, class: 'uid', dir: 'ltr' }, j.studyInstanceUid),
      h('span', { class: 'sub' }, t('admin.attempts', { n: number(j.attempts) })),
      h('time', { class: 'sub', datetime: j.updatedAt }, dateTime(j.updatedAt)),
      h('span', { class: 'spacer' }), retry),
    j.error ? h('div', { class: 'admin-error', dir: 'ltr' }, j.error) : null);
}

// ---------------------------------------------------------------- deliveries

function deliveries(view) {
  const state = h('select', { id: 'deliveries-state' },
    h('option', { value: '' }, t('admin.deliveries.open')),
    ['failed', 'pending', 'sending', 'sent'].map((s) => h('option', { value: s }, t(`results.status.${s}`))));
  const list = h('ul', { class: 'admin-list', id: 'admin-deliveries' });
  const load = async () => {
    const data = await guarded(view, () => api('/api/admin/deliveries', { query: { state: state.value } }));
    if (!data || view.destroyed) return;
    replace(list, data.items.length ? data.items.map((d) => deliveryItem(view, d, load)) : h('li', { class: 'empty' }, t('admin.deliveries.none')));
  };
  state.addEventListener('change', load);
  replace(view.body, h('div', { class: 'admin-filters' }, field(t('admin.col.state'), state)), list);
  load();
}

function deliveryItem(view, d, reload) {
  let retry = null;
  if (d.status === 'failed' || d.status === 'pending') {
    retry = h('button', { type: 'button', class: 'btn', dataset: { action: 'retry' } }, t(d.status === 'failed' ? 'admin.retry' : 'admin.deliveries.now'));
    retry.addEventListener('click', async () => {
      retry.disabled = true;
      const r = await guarded(view, () => api(`/api/admin/deliveries/${d.id}/retry`, { method: 'POST' }));
      if (r) say(view, 'info', t('admin.jobs.retried'));
      await reload();
    });
  }
  const kind = d.kind === 'sr-verified' || d.kind === 'heatmap' ? d.kind : 'sr';
  return h('li', { class: `admin-item delivery-row ${d.status}`, dataset: { delivery: String(d.id), status: d.status } },
    h('div', { class: 'admin-row' },
      h('span', { class: `badge state-${d.status}` }, t(`results.status.${d.status}`)),
      h('span', null, t(`results.kind.${kind}`)),
      h('span', { class: 'delivery-dest', dir: 'ltr' }, d.destination),
      d.clinic ? h('span', { class: 'chip' }, bdi(d.clinic)) : null,
      h('span', { class: 'sub' }, t('admin.attempts', { n: number(d.attempts) })),
      d.nextAttemptAt ? h('time', { class: 'sub', datetime: d.nextAttemptAt }, t('admin.deliveries.next', { when: dateTime(d.nextAttemptAt) })) : null,
      h('span', { class: 'spacer' }), retry),
    h('a', { href: `#/study/${d.studyInstanceUid}`, class: 'uid sub', dir: 'ltr' }, d.studyInstanceUid),
    d.lastError ? h('div', { class: 'admin-error', dir: 'ltr' }, d.lastError) : null);
}

// ---------------------------------------------------------------- quarantine

async function quarantine(view) {
  const data = await guarded(view, () => api('/api/admin/quarantine'));
  if (!data || view.destroyed) return;
  replace(view.body, h('p', { class: 'sub' }, t('admin.quarantine.about')),
    h('ul', { class: 'admin-list', id: 'admin-quarantine' },
      data.items.length ? data.items.map((q) => h('li', { class: 'admin-item quarantined', dataset: { name: q.name } },
        h('div', { class: 'admin-row' },
          code(q.name, 'quarantine-name'),
          q.quarantinedAt ? h('time', { class: 'sub', datetime: q.quarantinedAt }, dateTime(q.quarantinedAt)) : null,
          h('span', { class: 'sub' }, t('admin.quarantine.size', { n: number(q.size) }))),
        q.originalPath ? h('div', { class: 'sub' }, t('admin.quarantine.from'), ' ', code(q.originalPath)) : null,
        h('div', { class: 'admin-error quarantine-reason', dir: 'ltr' }, q.reason)))
        : h('li', { class: 'empty' }, t('admin.quarantine.none'))));
}

export const sections = { clinics, audit, jobs, deliveries, quarantine };
