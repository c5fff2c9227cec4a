// The DICOM header view: /api/instances/{sop}/header in a modal dialog, one row per element (sequences nested and
// indented), with a filter on tag, keyword and value. Loaded with import() the first time it is opened.
import { api, seg } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

/** Flattens the element tree into rows: { depth, tag, vr, keyword, value, truncated, parents: [row...] }. */
function flatten(elements, depth = 0, parents = [], rows = []) {
  for (const e of elements) {
    const row = { depth, tag: e.tag, vr: e.vr, keyword: e.keyword, value: e.value, truncated: e.truncated, parents };
    rows.push(row);
    if (e.items) {
      e.items.forEach((item, i) => {
        const itemRow = { depth: depth + 1, tag: '(FFFE,E000)', vr: '', keyword: t('viewer.header.item', { n: i + 1 }), value: '', parents: [...parents, row] };
        rows.push(itemRow);
        flatten(item, depth + 2, [...parents, row, itemRow], rows);
      });
    }
  }
  return rows;
}

export async function openHeader(sop) {
  document.getElementById('header-dialog')?.remove();
  const filter = h('input', { type: 'search', id: 'header-filter', autocomplete: 'off', placeholder: t('viewer.header.filter'),
    'aria-label': t('viewer.header.filter') });
  const body = h('tbody', { id: 'header-rows' });
  const status = h('p', { class: 'header-status', id: 'header-status', role: 'status' }, t('app.loading'));
  const close = h('button', { type: 'button', class: 'btn', id: 'header-close' }, t('viewer.header.close'));
  const dialog = h('dialog', { id: 'header-dialog', class: 'header-dialog', 'aria-labelledby': 'header-title' },
    h('div', { class: 'header-bar' }, h('h2', { id: 'header-title' }, t('viewer.header')), filter, close),
    status,
    h('div', { class: 'header-scroll' },
      h('table', { class: 'header-table', id: 'header-table' },
        h('thead', null, h('tr', null, h('th', null, t('viewer.header.tag')), h('th', null, 'VR'),
          h('th', null, t('viewer.header.keyword')), h('th', null, t('viewer.header.value')))),
        body)));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();

  let rows = [];
  try {
    const data = await api(`/api/instances/${seg(sop)}/header`);
    rows = flatten([...data.meta, ...data.elements]);
  } catch {
    status.textContent = t('viewer.header.failed');
    return dialog;
  }
  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = new Set();
    for (const r of rows) {
      if (!q || `${r.tag} ${r.keyword} ${r.value ?? ''}`.toLowerCase().includes(q)) {
        shown.add(r);
        for (const p of r.parents) shown.add(p);
      }
    }
    replace(body, rows.filter((r) => shown.has(r)).map((r) => {
      const keyword = h('td', { class: 'kw' }, r.keyword);
      keyword.style.paddingInlineStart = `${0.4 + r.depth}em`;
      return h('tr', { dataset: { tag: r.tag, depth: r.depth } },
        h('td', { class: 'tag' }, r.tag), h('td', null, r.vr), keyword,
        h('td', { class: 'val', dir: 'auto' }, r.value ?? '', r.truncated ? h('span', { class: 'cut' }, ` ${t('viewer.header.truncated')}`) : null));
    }));
    status.textContent = shown.size ? '' : t('viewer.header.none');
  };
  filter.addEventListener('input', render);
  render();
  filter.focus();
  return dialog;
}
