// The ranked worklist: the API's order as is (STAT first), filters, live refresh on `worklist` events that keeps
// the scroll position and the selected row, and j/k/Enter keyboard navigation.
import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { ago, dateTime, dicomDate, findingLabel, number, patientAge, percent, personName, sex } from './format.js';
import { t, tn } from './i18n.js';

const STATUSES = ['scoring', 'new', 'in-review', 'reviewed', 'failed'];
const FILTER_KEY = 'rdx.worklist.filters';
const PAGE_SIZE = 50;

function loadFilters() {
  try { return { page: 1, ...JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? '{}') }; } catch { return { page: 1 }; }
}

export function worklistView(app) {
  const filters = loadFilters();
  let data = null;
  let selected = sessionStorage.getItem('rdx.worklist.selected');
  let version = null;
  let inFlight = null;
  let again = false;
  let heard = null; // the newest version announced while a fetch was in flight
  let error = null;
  const seen = { clinics: new Set(app.session.clinics ?? []), modalities: new Set(['CR', 'DX', 'CT', 'MR', 'US', 'MG']) };

  // Filters
  const status = h('select', { id: 'f-status', name: 'status' });
  const clinic = h('input', { id: 'f-clinic', name: 'clinic', list: 'f-clinic-list', size: 10, autocomplete: 'off' });
  const clinicList = h('datalist', { id: 'f-clinic-list' });
  const modality = h('input', { id: 'f-modality', name: 'modality', list: 'f-modality-list', size: 4, autocomplete: 'off' });
  const modalityList = h('datalist', { id: 'f-modality-list' });
  const statOnly = h('input', { id: 'f-stat', name: 'stat', type: 'checkbox' });
  const from = h('input', { id: 'f-from', name: 'from', type: 'date' });
  const to = h('input', { id: 'f-to', name: 'to', type: 'date' });
  const reset = h('button', { type: 'button', class: 'btn', id: 'f-reset' });
  const labels = {};
  const label = (key, control) => (labels[key] = h('label', { for: control.id, 'data-key': key }));
  const filterBar = h('form', { class: 'filters', id: 'filters', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' }, label('filter.status', status), status),
    h('div', { class: 'field' }, label('filter.clinic', clinic), clinic, clinicList),
    h('div', { class: 'field' }, label('filter.modality', modality), modality, modalityList),
    h('div', { class: 'field' }, label('filter.from', from), from),
    h('div', { class: 'field' }, label('filter.to', to), to),
    h('div', { class: 'field check' }, statOnly, label('filter.statOnly', statOnly)),
    reset);
  status.value = filters.status ?? '';
  clinic.value = filters.clinic ?? '';
  modality.value = filters.modality ?? '';
  statOnly.checked = filters.stat === true;
  from.value = filters.from ?? '';
  to.value = filters.to ?? '';

  function readFilters() {
    filters.status = status.value || undefined;
    filters.clinic = clinic.value.trim() || undefined;
    filters.modality = modality.value.trim().toUpperCase() || undefined;
    filters.stat = statOnly.checked || undefined;
    filters.from = from.value || undefined;
    filters.to = to.value || undefined;
    filters.page = 1;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    refresh();
  }
  let typingTimer = 0;
  for (const c of [status, statOnly, from, to]) c.addEventListener('change', readFilters);
  for (const c of [clinic, modality]) {
    c.addEventListener('input', () => { clearTimeout(typingTimer); typingTimer = setTimeout(readFilters, 400); });
  }
  reset.addEventListener('click', () => {
    status.value = clinic.value = modality.value = from.value = to.value = '';
    statOnly.checked = false;
    readFilters();
  });

  // Table
  const head = h('tr');
  const body = h('tbody', { id: 'worklist-rows' });
  const table = h('table', { class: 'worklist', id: 'worklist' }, h('thead', null, head), body);
  const scroller = h('div', { class: 'wl-scroll', id: 'wl-scroll' }, table);
  const empty = h('p', { class: 'empty', id: 'wl-empty', hidden: true });
  const errorBox = h('p', { class: 'form-message', role: 'alert', 'data-kind': 'error', hidden: true });
  const noticeKey = sessionStorage.getItem('rdx.notice');
  sessionStorage.removeItem('rdx.notice');
  const noticeBox = h('p', { class: 'form-message', role: 'status', 'data-kind': 'info', id: 'wl-notice', hidden: !noticeKey });
  const summary = h('span', { class: 'summary', id: 'wl-summary' });
  const prev = h('button', { type: 'button', class: 'btn', id: 'wl-prev', onclick: () => page(-1) });
  const next = h('button', { type: 'button', class: 'btn', id: 'wl-next', onclick: () => page(1) });
  const pager = h('div', { class: 'pager' }, summary, h('span', { class: 'spacer' }), prev, next);
  const el = h('section', { class: 'worklist-view', 'aria-labelledby': 'wl-title' },
    h('h1', { class: 'sr-only', id: 'wl-title' }), filterBar, noticeBox, errorBox, scroller, empty, pager);

  function page(delta) {
    filters.page = Math.max(1, (filters.page ?? 1) + delta);
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    refresh();
  }

  function relabel() {
    el.querySelector('#wl-title').textContent = t('worklist.title');
    if (noticeKey) noticeBox.textContent = t(noticeKey);
    for (const [key, l] of Object.entries(labels)) l.textContent = t(key);
    replace(status, h('option', { value: '' }, t('filter.any')),
      STATUSES.map((s) => h('option', { value: s }, t(`status.${s}`))));
    status.value = filters.status ?? '';
    clinic.placeholder = modality.placeholder = t('filter.any');
    reset.textContent = t('filter.reset');
    prev.textContent = t('worklist.prev');
    next.textContent = t('worklist.next');
    replace(head, ['worklist.col.priority', 'worklist.col.patient', 'worklist.col.study', 'worklist.col.modality',
      'worklist.col.clinic', 'worklist.col.received', 'worklist.col.findings', 'worklist.col.status']
      .map((k) => h('th', { scope: 'col' }, t(k))));
    render();
  }

  function findingChips(findings) {
    return h('ul', { class: 'chips' }, (findings ?? []).map((f) => h('li', {
      class: `chip${f.positive ? ' positive' : ''}${f.critical && f.positive ? ' critical' : ''}`,
    }, h('span', { class: 'chip-label' }, findingLabel(f.label)), ' ', h('span', { class: 'chip-p' }, percent(f.probability)))));
  }

  function row(item, index) {
    const tr = h('tr', {
      class: `wl-row${item.stat ? ' stat' : ''}${item.notApplicable ? ' not-applicable' : ''}`, tabindex: -1, 'aria-selected': String(item.studyInstanceUid === selected),
      dataset: { uid: item.studyInstanceUid, index: String(index) },
      onclick: () => { select(item.studyInstanceUid); open(); },
    },
    h('td', { class: 'c-priority' },
      item.stat ? h('span', { class: 'badge stat', title: t('worklist.statHint') }, t('worklist.stat')) : null,
      item.notApplicable ? h('span', { class: 'prio na' }, '–') : h('span', { class: 'prio' }, number(item.priority ?? 0, 2))),
    h('td', { class: 'c-patient' },
      h('span', { class: 'pname', dir: 'auto' }, personName(item.patientName)),
      h('span', { class: 'sub' }, [item.patientId, sex(item.patientSex), patientAge(item.patientAge)].filter(Boolean).join(' · '))),
    h('td', { class: 'c-study' },
      h('span', { dir: 'auto' }, item.studyDescription ?? ''),
      h('span', { class: 'sub' }, dicomDate(item.studyDate))),
    h('td', { class: 'c-modality' }, item.modality ?? ''),
    h('td', { class: 'c-clinic' }, h('span', null, item.clinic ?? ''), h('span', { class: 'sub' }, item.institution ?? '')),
    h('td', { class: 'c-received', title: dateTime(item.receivedAt) }, h('span', { class: 'age', dataset: { at: item.receivedAt ?? '' } }, ago(item.receivedAt))),
    h('td', { class: 'c-findings' }, item.notApplicable
      ? h('span', { class: 'badge na', title: t('study.notApplicableHint') }, t('study.notApplicable'))
      : findingChips(item.findings)),
    h('td', { class: 'c-status' },
      h('span', { class: `badge status-${item.status}` }, t(`status.${item.status}`)),
      item.status === 'scoring' && item.instances
        ? h('span', { class: 'sub' }, t('worklist.scored', { n: number(item.scored ?? 0), total: number(item.instances) })) : null));
    if (item.studyInstanceUid === selected) tr.tabIndex = 0;
    return tr;
  }

  function render() {
    if (!data) return;
    const hadFocus = body.contains(document.activeElement);
    const top = scroller.scrollTop;
    const items = data.items ?? [];
    for (const i of items) {
      if (i.clinic) seen.clinics.add(i.clinic);
      if (i.modality) seen.modalities.add(i.modality);
    }
    replace(clinicList, [...seen.clinics].sort().map((c) => h('option', { value: c })));
    replace(modalityList, [...seen.modalities].sort().map((m) => h('option', { value: m })));
    if (selected && !items.some((i) => i.studyInstanceUid === selected)) selected = null;
    replace(body, items.map(row));
    scroller.scrollTop = top;
    if (hadFocus) selectedRow()?.focus({ preventScroll: true });
    empty.hidden = items.length > 0;
    empty.textContent = t('worklist.empty');
    const pages = Math.max(1, Math.ceil((data.total ?? items.length) / (data.pageSize ?? PAGE_SIZE)));
    summary.textContent = `${tn('worklist.count', data.total ?? items.length)} · ${t('worklist.page', { page: number(data.page ?? 1), pages: number(pages) })}`;
    prev.disabled = (data.page ?? 1) <= 1;
    next.disabled = (data.page ?? 1) >= pages;
  }

  async function refresh() {
    if (inFlight) { again = true; return inFlight; }
    const query = { ...filters, pageSize: PAGE_SIZE };
    inFlight = (async () => {
      try {
        data = await api('/api/worklist', { query });
        version = data.version ?? version;
        error = null;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return;
        error = e;
      } finally {
        inFlight = null;
      }
      errorBox.hidden = !error;
      errorBox.textContent = error ? t('worklist.loadFailed') : '';
      el.dataset.version = String(version ?? '');
      render();
      // The event stream announces the current version as soon as it connects, usually while the first fetch is
      // still on its way: refetch only if what was announced is newer than what arrived.
      const stale = heard !== null && (version === null || heard > version);
      heard = null;
      if (again || stale) { again = false; refresh(); }
    })();
    return inFlight;
  }

  const selectedRow = () => (selected ? body.querySelector(`tr[data-uid="${CSS.escape(selected)}"]`) : null);

  function select(uid) {
    selected = uid;
    sessionStorage.setItem('rdx.worklist.selected', uid);
    for (const tr of body.rows) {
      const on = tr.dataset.uid === uid;
      tr.setAttribute('aria-selected', String(on));
      tr.tabIndex = on ? 0 : -1;
    }
    const tr = selectedRow();
    tr?.focus({ preventScroll: true });
    tr?.scrollIntoView({ block: 'nearest' });
  }

  function open() {
    if (selected) app.navigate(`#/study/${selected}`);
  }

  function move(delta) {
    const rows = [...body.rows];
    if (!rows.length) return;
    const at = rows.findIndex((r) => r.dataset.uid === selected);
    const nextIndex = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + delta));
    select(rows[nextIndex].dataset.uid);
  }

  const clock = setInterval(() => {
    for (const span of body.querySelectorAll('.age')) span.textContent = ago(span.dataset.at);
  }, 30000);

  relabel();
  refresh();

  return {
    el,
    relabel,
    mounted: () => (selectedRow() ?? el).focus?.({ preventScroll: true }),
    onWorklistChanged(v) {
      if (inFlight && v !== undefined && v !== null) { heard = Math.max(heard ?? v, v); return; }
      if (v === undefined || v === null || version === null || v > version) refresh();
    },
    onKey(e) {
      if (e.key === 'j' || e.key === 'ArrowDown') { move(1); e.preventDefault(); }
      else if (e.key === 'k' || e.key === 'ArrowUp') { move(-1); e.preventDefault(); }
      else if (e.key === 'Enter' && selected) { open(); e.preventDefault(); }
    },
    destroy() { clearInterval(clock); clearTimeout(typingTimer); },
  };
}
