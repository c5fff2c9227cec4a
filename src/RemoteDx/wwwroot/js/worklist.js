// The worklist: the API's order (rank by default, STAT first; or a column the reader sorts by), server-side search
// and filters, live refresh on `worklist` events that keeps the scroll position and the selected row, and j/k/Enter
// keyboard navigation. The search text goes to the server in a header, never in the URL.
import { api, ApiError } from './api.js';
import { bdi, h, replace } from './dom.js';
import { ago, dateTime, dicomDate, findingLabel, number, patientAge, percent, personName, sex } from './format.js';
import { t, tn } from './i18n.js';

const STATUSES = ['scoring', 'new', 'in-review', 'reviewed', 'failed'];
const FILTER_KEY = 'rdx.worklist.filters';
const PAGE_SIZES = [25, 50, 100];
const PAGE_SIZE = 50;
const SEARCH_HEADER = 'X-RemoteDx-Search';
const MAX_CHIPS = 3;
// Column → the API's sort name; the others are not sortable. Priority and received read newest/most urgent first.
const COLUMNS = [
  ['priority', 'worklist.col.priority', 'desc'], ['patient', 'worklist.col.patient', 'asc'], ['study', 'worklist.col.study', null],
  ['modality', 'worklist.col.modality', 'asc'], ['clinic', 'worklist.col.clinic', 'asc'], ['received', 'worklist.col.received', 'desc'],
  ['findings', 'worklist.col.findings', null], ['status', 'worklist.col.status', 'asc'],
];

/** Filters kept for the browser tab's session; "not yet reviewed" is on until the reader turns it off. */
function loadFilters() {
  const defaults = { page: 1, unreviewed: true };
  try { return { ...defaults, ...JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? '{}') }; } catch { return defaults; }
}

/** A typed date as YYYY-MM-DD (Arabic-Indic and other decimal digits accepted), '' when empty, null when invalid. */
export function parseDate(text) {
  const ascii = text.trim().replace(/\p{Nd}/gu, (d) => String(digitValue(d)))
    .replace(/[./\u2212\u2010-\u2015]/g, '-');
  if (!ascii) return '';
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(ascii);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// The value of one decimal digit of any script: Unicode keeps each script's digits as one run 0-9, so count back to
// the run's start.
function digitValue(ch) {
  const c = ch.codePointAt(0);
  let zero = c;
  while (zero > c - 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return (c - zero) % 10;
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
  const search = h('input', { id: 'f-search', name: 'search', type: 'search', size: 22, autocomplete: 'off', spellcheck: 'false', dir: 'auto' });
  const unreviewed = h('input', { id: 'f-unreviewed', name: 'unreviewed', type: 'checkbox' });
  const status = h('select', { id: 'f-status', name: 'status' });
  const clinic = h('input', { id: 'f-clinic', name: 'clinic', list: 'f-clinic-list', size: 10, autocomplete: 'off' });
  const clinicList = h('datalist', { id: 'f-clinic-list' });
  const modality = h('input', { id: 'f-modality', name: 'modality', list: 'f-modality-list', size: 4, autocomplete: 'off' });
  const modalityList = h('datalist', { id: 'f-modality-list' });
  const statOnly = h('input', { id: 'f-stat', name: 'stat', type: 'checkbox' });
  // Text, not type=date: Chromium shows its own locale's "mm/dd/yyyy" whatever the UI language; the expected format is
  // spelled in the UI language instead, and the date read back in it (title) once typed.
  const dateInput = (id) => h('input', { id, name: id.slice(2), type: 'text', inputmode: 'numeric', size: 10, maxlength: 10, dir: 'ltr',
    autocomplete: 'off', 'aria-describedby': 'f-date-format' });
  const from = dateInput('f-from');
  const to = dateInput('f-to');
  const dateFormat = h('span', { id: 'f-date-format', class: 'sr-only' });
  const reset = h('button', { type: 'button', class: 'btn', id: 'f-reset' });
  const labels = {};
  const label = (key, control) => (labels[key] = h('label', { for: control.id, 'data-key': key }));
  // A user of one clinic sees only that clinic: the filter would offer nothing.
  const oneClinic = app.session.role === 'clinic' && (app.session.clinics ?? []).length <= 1;
  const filterBar = h('form', { class: 'filters', id: 'filters', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field search' }, label('filter.search', search), search),
    h('div', { class: 'field check' }, unreviewed, label('filter.unreviewed', unreviewed)),
    h('div', { class: 'field' }, label('filter.status', status), status),
    oneClinic ? null : h('div', { class: 'field', id: 'f-clinic-field' }, label('filter.clinic', clinic), clinic, clinicList),
    h('div', { class: 'field' }, label('filter.modality', modality), modality, modalityList),
    h('div', { class: 'field' }, label('filter.from', from), from),
    h('div', { class: 'field' }, label('filter.to', to), to),
    h('div', { class: 'field check' }, statOnly, label('filter.statOnly', statOnly)),
    dateFormat, reset);
  if (oneClinic) delete filters.clinic;
  search.value = filters.search ?? '';
  unreviewed.checked = filters.unreviewed !== false;
  status.value = filters.status ?? '';
  clinic.value = filters.clinic ?? '';
  modality.value = filters.modality ?? '';
  statOnly.checked = filters.stat === true;
  from.value = filters.from ?? '';
  to.value = filters.to ?? '';

  function readDates() {
    let ok = true;
    for (const input of [from, to]) {
      const value = parseDate(input.value);
      input.setAttribute('aria-invalid', String(value === null));
      input.title = value ? dicomDate(value.replaceAll('-', '')) : t('filter.dateFormat');
      if (value === null) ok = false;
      else filters[input.name] = value || undefined;
    }
    return ok;
  }

  function readFilters() {
    if (!readDates()) return; // wait until the date is complete and valid
    filters.search = search.value.trim() || undefined;
    filters.unreviewed = unreviewed.checked;
    filters.status = status.value || undefined;
    filters.clinic = clinic.value.trim() || undefined;
    filters.modality = modality.value.trim().toUpperCase() || undefined;
    filters.stat = statOnly.checked || undefined;
    filters.page = 1;
    toTop = true;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    refresh();
  }
  let typingTimer = 0;
  status.addEventListener('change', () => {
    // Asking for reviewed studies means showing them.
    if (status.value === 'reviewed') unreviewed.checked = false;
    readFilters();
  });
  for (const c of [unreviewed, statOnly, from, to]) c.addEventListener('change', readFilters);
  for (const c of [search, clinic, modality, from, to]) {
    c.addEventListener('input', () => { clearTimeout(typingTimer); typingTimer = setTimeout(readFilters, 400); });
  }
  reset.addEventListener('click', () => {
    search.value = status.value = clinic.value = modality.value = from.value = to.value = '';
    statOnly.checked = false;
    unreviewed.checked = true;
    delete filters.sort;
    delete filters.dir;
    readFilters();
    relabel();
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
  const pageSize = h('select', { id: 'wl-page-size', name: 'pageSize' },
    PAGE_SIZES.map((n) => h('option', { value: String(n) }, String(n))));
  pageSize.value = String(PAGE_SIZES.includes(filters.pageSize) ? filters.pageSize : PAGE_SIZE);
  pageSize.addEventListener('change', () => {
    filters.pageSize = Number(pageSize.value);
    filters.page = 1;
    toTop = true;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    refresh();
  });
  const pageSizeLabel = h('label', { for: 'wl-page-size', class: 'sub' });
  const pager = h('div', { class: 'pager' }, summary, h('span', { class: 'spacer' }), pageSizeLabel, pageSize, prev, next);
  let toTop = false;
  const el = h('section', { class: 'worklist-view', 'aria-labelledby': 'wl-title' },
    h('h1', { class: 'sr-only', id: 'wl-title' }), filterBar, noticeBox, errorBox, scroller, empty, pager);

  function page(delta) {
    filters.page = Math.max(1, (filters.page ?? 1) + delta);
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    toTop = true; // a new page opens at its first row
    refresh();
  }

  function sortBy(column, natural) {
    if (filters.sort === column || (!filters.sort && column === 'priority')) {
      filters.dir = (filters.dir ?? natural) === 'asc' ? 'desc' : 'asc';
    } else {
      filters.sort = column;
      filters.dir = natural;
    }
    if (filters.sort === 'priority' && filters.dir === 'desc') { delete filters.sort; delete filters.dir; }
    filters.page = 1;
    toTop = true;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
    relabel();
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
    search.placeholder = t('filter.searchHint');
    from.placeholder = to.placeholder = t('filter.dateFormat');
    dateFormat.textContent = t('filter.dateFormat');
    readDates();
    reset.textContent = t('filter.reset');
    prev.textContent = t('worklist.prev');
    pageSizeLabel.textContent = t('worklist.perPage');
    for (const o of pageSize.options) o.textContent = number(Number(o.value));
    next.textContent = t('worklist.next');
    const sorted = filters.sort ?? 'priority';
    replace(head, COLUMNS.map(([column, key, natural]) => {
      if (!natural) return h('th', { scope: 'col', class: `h-${column}` }, t(key));
      const dir = sorted === column ? (filters.dir ?? natural) : null;
      return h('th', { scope: 'col', class: `h-${column}`, 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : null },
        h('button', { type: 'button', class: 'sort', id: `sort-${column}`, dataset: { dir: dir ?? '' }, onclick: () => sortBy(column, natural) },
          t(key)));
    }));
    render();
  }

  // Only what the model flagged (or the radiologist confirmed), at most MAX_CHIPS, each with the radiologist's decision:
  // a dismissed finding is struck through and says so, a confirmed one is ticked. Below-threshold labels are left out.
  function findingChips(findings) {
    const shown = (findings ?? []).filter((f) => f.positive || f.decision === 'confirmed');
    const chip = (f) => {
      const decided = f.decision === 'confirmed' || f.decision === 'dismissed' ? f.decision : null;
      return h('li', {
        class: `chip${decided === 'dismissed' ? ' dismissed' : ' positive'}${f.critical && decided !== 'dismissed' ? ' critical' : ''}${decided === 'confirmed' ? ' confirmed' : ''}`,
        title: decided ? t(`worklist.decision.${decided}`) : null,
        dataset: { label: f.label, decision: decided ?? '' },
      },
      decided === 'confirmed' ? h('span', { class: 'chip-mark', 'aria-hidden': 'true' }, '✓') : null,
      h('span', { class: 'chip-label' }, findingLabel(f.label)), ' ', h('span', { class: 'chip-p' }, bdi(percent(f.probability))),
      decided ? h('span', { class: decided === 'dismissed' ? 'chip-note' : 'sr-only' }, t(`worklist.decision.${decided}Short`)) : null);
    };
    return h('ul', { class: 'chips' }, shown.slice(0, MAX_CHIPS).map(chip),
      shown.length > MAX_CHIPS ? h('li', { class: 'chip more' }, t('worklist.moreFindings', { n: number(shown.length - MAX_CHIPS) })) : null);
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
      h('span', { class: 'sub' }, bdi([item.patientId, sex(item.patientSex), patientAge(item.patientAge)].filter(Boolean).join(' · ')))),
    h('td', { class: 'c-study' },
      h('span', { dir: 'auto' }, item.studyDescription ?? ''),
      h('span', { class: 'sub' }, dicomDate(item.studyDate))),
    h('td', { class: 'c-modality' }, item.modality ?? ''),
    h('td', { class: 'c-clinic', title: item.institution ?? '' }, bdi(item.clinic ?? '')),
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
    scroller.scrollTop = toTop ? 0 : top;
    if (toTop) { window.scrollTo(0, 0); toTop = false; }
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
    const { search: text, ...rest } = filters;
    const query = { ...rest, pageSize: PAGE_SIZES.includes(filters.pageSize) ? filters.pageSize : PAGE_SIZE, unreviewed: filters.unreviewed !== false };
    // Search text is patient data: a header, never the query string (URLs end up in logs and history).
    const headers = text ? { [SEARCH_HEADER]: encodeURIComponent(text) } : undefined;
    inFlight = (async () => {
      try {
        data = await api('/api/worklist', { query, headers });
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

  if (!document.querySelector('link[data-rdx="worklist"]')) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/css/worklist.css', dataset: { rdx: 'worklist' } }));
  }
  readDates();
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
