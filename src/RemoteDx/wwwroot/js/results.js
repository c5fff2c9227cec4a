// The study's "Results" section: the result series RemoteDx wrote (AI report SR, heatmap images) and where each was
// delivered (docs/api.md `resultSeries`, `deliveries`). A clinic user gets no error text: the API leaves `lastError`
// out for that role, and this view shows the status alone.
import { h } from './dom.js';
import { ago, dateTime, number } from './format.js';
import { t, tn } from './i18n.js';

// Delivery `status` as the API reports it; `sending` reads as pending to a person.
const SHOWN = { pending: 'pending', sending: 'sending', sent: 'sent', failed: 'failed' };

const kindLabel = (kind) => t(`results.kind.${kind === 'sr-verified' || kind === 'heatmap' ? kind : 'sr'}`);

// The worst status of a destination's deliveries colours its card: failed, then pending/sending, then sent.
const RANK = { failed: 0, pending: 1, sending: 2, sent: 3 };

export function resultsSection(study, role) {
  const series = study.resultSeries ?? [];
  const deliveries = study.deliveries ?? [];
  const sent = deliveries.filter((d) => d.status === 'sent').length;
  const clinic = role === 'clinic';
  const byDestination = new Map();
  for (const d of deliveries) {
    if (!byDestination.has(d.destination)) byDestination.set(d.destination, []);
    byDestination.get(d.destination).push(d);
  }

  return h('section', { class: 'results', id: 'results', 'aria-labelledby': 'results-title' },
    h('h2', { id: 'results-title' }, t('results.title')),
    series.length ? h('ul', { class: 'result-series', id: 'result-series' }, series.map(seriesItem))
      : h('p', { class: 'empty', id: 'no-results' }, t('results.none')),
    deliveries.length
      ? [h('p', { class: 'sub', id: 'deliveries-summary', dataset: { sent: String(sent), total: String(deliveries.length) } },
        t(clinic ? 'results.summaryClinic' : 'results.summary', { sent: number(sent), total: number(deliveries.length) })),
      h('ul', { class: 'deliveries', id: 'deliveries' },
        [...byDestination].map(([destination, list]) => destinationItem(destination, list, clinic)))]
      : series.length ? h('p', { class: 'empty', id: 'no-deliveries' }, t('results.noDestination')) : null);
}

function seriesItem(se) {
  const instances = se.instances ?? [];
  const kinds = [...new Set(instances.map((i) => i.kind))];
  return h('li', { dataset: { series: se.seriesInstanceUid, modality: se.modality ?? '' } },
    h('span', { class: 'result-kind' }, kinds.map(kindLabel).join(', ')),
    h('span', { class: 'sub' }, [se.modality, se.seriesNumber != null ? `#${se.seriesNumber}` : null,
      instances.length > 1 ? tn('results.objects', instances.length) : null].filter(Boolean).join(' · ')));
}

// One card per destination (AE@host:port), a line per object sent there; the error text once per distinct error.
function destinationItem(destination, list, clinic) {
  const statuses = list.map((d) => SHOWN[d.status] ?? 'pending');
  const worst = statuses.reduce((a, b) => (RANK[b] < RANK[a] ? b : a));
  const errors = clinic ? [] : [...new Set(list.filter((d) => d.status !== 'sent' && d.lastError).map((d) => d.lastError))];
  return h('li', { class: `destination ${worst}`, dataset: { destination, status: worst } },
    h('div', { class: 'delivery-dest', dir: 'ltr' }, destination),
    h('ul', { class: 'delivery-objects' }, list.map((d, i) => deliveryItem(d, statuses[i]))),
    errors.map((e) => h('div', { class: 'delivery-error', dir: 'ltr' }, e)));
}

function deliveryItem(d, status) {
  let detail = null;
  if (status === 'pending' && d.attempts > 0) {
    detail = [t('results.attempts', { n: number(d.attempts) }),
      d.nextAttemptAt ? t('results.nextTry', { when: ago(d.nextAttemptAt) }) : null].filter(Boolean).join(' · ');
  } else if (status === 'sent') {
    detail = dateTime(d.updatedAt);
  } else if (status === 'failed') {
    detail = t('results.attempts', { n: number(d.attempts) });
  }
  return h('li', { class: `delivery ${status}`, dataset: { status, kind: d.kind, sop: d.sopInstanceUid } },
    h('span', { class: 'delivery-kind' }, kindLabel(d.kind)),
    detail ? h('span', { class: 'sub' }, detail) : null,
    h('span', { class: `delivery-status ${status}` }, t(`results.status.${status}`)));
}
