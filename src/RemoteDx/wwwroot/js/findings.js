// Findings of a study, one entry per model label (docs/viewer.md "Findings"): the label's highest probability, the
// images it comes from (each a jump to that image and its heatmap), and the radiologist's decision, which applies to
// the label on every image of the study. Confirm/Dismiss/Undo only for labels at or above threshold; the others sit
// collapsed under "Below threshold (n)", read-only. The server groups (findingGroups in docs/api.md).
import { h } from './dom.js';
import { dateTime, findingLabel, percent } from './format.js';
import { t, tn } from './i18n.js';

/**
 * @param {object} o
 * @param {object} o.study the study JSON
 * @param {boolean} o.canReview whether Confirm/Dismiss/Undo are offered
 * @param {(sop: string, heatmap: {model: string, label: string} | null) => void} o.onShow
 * @param {(group: object, decision: 'confirmed' | 'dismissed' | 'none') => void} o.onDecide
 */
export function findingsList({ study, canReview, onShow, onDecide }) {
  if (study.modelOutputHidden) {
    return h('p', { class: 'empty', id: 'model-output-hidden' }, t('findings.hidden'));
  }
  const groups = study.findingGroups ?? [];
  if (!groups.length) {
    return study.notApplicable
      ? h('p', { class: 'empty na-note', id: 'no-findings', dataset: { state: 'not-applicable' } },
        h('span', { class: 'badge na' }, t('study.notApplicable')), ' ', t('study.notApplicableHint'))
      : h('p', { class: 'empty', id: 'no-findings' }, t(study.status === 'scoring' ? 'study.stillScoring' : 'study.noFindings'));
  }
  const above = groups.filter((g) => g.positive);
  const below = groups.filter((g) => !g.positive);
  return h('div', { class: 'finding-groups' },
    above.length ? h('ul', { class: 'findings', id: 'findings' }, above.map((g) => groupItem(g, canReview, onShow, onDecide))) : null,
    below.length ? h('details', { class: 'below-threshold', id: 'below-threshold' },
      h('summary', null, tn('findings.below', below.length)),
      h('ul', { class: 'findings' }, below.map((g) => groupItem(g, false, onShow, onDecide)))) : null);
}

function groupItem(g, canReview, onShow, onDecide) {
  const decision = g.review?.decision ?? null;
  const critical = g.critical && g.positive;
  return h('li', {
    class: `finding${g.positive ? ' positive' : ''}${critical ? ' critical' : ''}`,
    dataset: { id: String(g.images[0].findingId), model: g.model, label: g.label, decision: decision ?? '', images: String(g.images.length) },
  },
  h('div', { class: 'finding-head' },
    h('button', { type: 'button', class: 'link finding-label', title: t('study.showOnImage'), onclick: () => show(g, g.images[0], onShow) },
      findingLabel(g.label)),
    h('span', { class: 'finding-p' }, percent(g.probability))),
  h('div', { class: 'sub' }, [
    g.positive ? t(critical ? 'study.positiveCritical' : 'study.positive') : t('study.negative'),
    t('study.threshold', { p: percent(g.threshold) }),
    `${g.model} ${g.modelVersion ?? ''}`.trim()].join(' · ')),
  h('ul', { class: 'finding-images', 'aria-label': tn('findings.images', g.images.length) }, g.images.map((im, i) => h('li', null,
    h('button', { type: 'button', class: `finding-image${im.positive ? ' positive' : ''}`, dataset: { sop: im.sopInstanceUid, heatmap: String(!!im.heatmap) },
      title: t('study.showOnImage'), onclick: () => show(g, im, onShow) },
    [t('study.image', { n: im.instanceNumber ?? i + 1 }), im.viewPosition].filter(Boolean).join(' · '), ' ',
    h('span', { class: 'finding-image-p' }, percent(im.probability)))))),
  decision ? h('div', { class: `review ${decision}` }, t(`study.review.${decision}`, { by: g.review.by ?? '', at: dateTime(g.review.at) })) : null,
  canReview ? h('div', { class: 'review-actions' },
    h('button', { type: 'button', class: 'btn confirm', 'aria-pressed': String(decision === 'confirmed'),
      title: g.images.length > 1 ? t('findings.appliesToAll') : null, onclick: () => onDecide(g, 'confirmed') }, t('study.confirm')),
    h('button', { type: 'button', class: 'btn dismiss', 'aria-pressed': String(decision === 'dismissed'),
      title: g.images.length > 1 ? t('findings.appliesToAll') : null, onclick: () => onDecide(g, 'dismissed') }, t('study.dismiss')),
    decision ? h('button', { type: 'button', class: 'btn undo', title: t('findings.undoHint'), onclick: () => onDecide(g, 'none') },
      t('findings.undo')) : null) : null);
}

function show(g, image, onShow) {
  onShow(image.sopInstanceUid, image.heatmap ? { model: g.model, label: g.label } : null);
}
