// The study view: header with the study's identity, series and image thumbnails, the image viewer, and the findings
// panel (confirm/dismiss per finding, where the results went, comments, "mark reviewed" which moves on to the next study).
import { api, ApiError, seg } from './api.js';
import { h, replace } from './dom.js';
import { ago, dateTime, dicomDate, findingLabel, number, patientAge, percent, personName, sex } from './format.js';
import { t, tn } from './i18n.js';
import { resultsSection } from './results.js';
import { ImageViewer, thumbnailUrl } from './viewer.js';

export function studyView(app, uid) {
  const canReview = app.session.role === 'admin' || app.session.role === 'radiologist';
  let study = null;
  let viewer = null;
  let failure = null;
  let seriesIndex = 0;
  let notice = null;

  const el = h('section', { class: 'study-view', id: 'study', dataset: { uid } });
  const headerBox = h('div', { class: 'study-header', id: 'study-header' });
  const seriesBox = h('nav', { class: 'series-panel', id: 'series-panel' });
  const viewerBox = h('div', { class: 'viewer-panel' });
  const findingsBox = h('aside', { class: 'findings-panel', id: 'findings-panel' });

  const back = h('a', { class: 'btn', id: 'back', href: '#/worklist' });

  async function load() {
    try {
      study = await api(`/api/studies/${seg(uid)}`);
      failure = null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      failure = e instanceof ApiError && (e.status === 404 || e.status === 403) ? 'study.notFound' : 'study.loadFailed';
    }
    render();
  }

  function render() {
    if (failure) {
      replace(el, h('div', { class: 'study-bar' }, back),
        h('p', { class: 'form-message', role: 'alert', 'data-kind': 'error', id: 'study-error' }, t(failure)));
      back.textContent = t('study.back');
      return;
    }
    if (!study) {
      replace(el, h('p', { class: 'boot' }, t('app.loading')));
      return;
    }
    if (!viewer) {
      viewer = new ImageViewer({ modality: study.modality, onFrameChange: markThumb, study });
      viewerBox.append(viewer.el);
    }
    if (!el.contains(viewerBox)) {
      replace(el, headerBox, h('div', { class: 'study-body' }, seriesBox, viewerBox, findingsBox));
    }
    renderHeader();
    renderSeries();
    renderFindings();
    viewer.relabel();
    if (!viewer.current) showSeries(0, 0);
  }

  function renderHeader() {
    back.textContent = t('study.back');
    const s = study;
    replace(headerBox,
      h('div', { class: 'study-bar' },
        back,
        s.stat ? h('span', { class: 'badge stat' }, t('worklist.stat')) : null,
        h('h1', { class: 'pname', id: 'patient-name', dir: 'auto' }, personName(s.patientName)),
        h('span', { class: 'sub' }, [s.patientId, sex(s.patientSex), patientAge(s.patientAge),
          s.patientBirthDate ? t('study.born', { date: dicomDate(s.patientBirthDate) }) : null].filter(Boolean).join(' · ')),
        h('span', { class: 'spacer' }),
        s.notApplicable ? h('span', { class: 'badge na', id: 'study-na', title: t('study.notApplicableHint') },
          t('study.notApplicable')) : null,
        h('span', { class: `badge status-${s.status}`, id: 'study-status' }, t(`status.${s.status}`))),
      h('dl', { class: 'study-facts' },
        fact('study.description', s.studyDescription),
        fact('study.date', dicomDate(s.studyDate)),
        fact('study.modality', s.modality),
        fact('study.clinic', [s.clinic, s.institution].filter(Boolean).join(' · ')),
        fact('study.accession', s.accessionNumber),
        fact('study.received', s.receivedAt ? `${ago(s.receivedAt)} (${dateTime(s.receivedAt)})` : ''),
        s.reviewedBy ? fact('study.reviewedBy', `${s.reviewedBy} · ${dateTime(s.reviewedAt)}`) : null));
  }

  function fact(key, value) {
    if (!value) return null;
    return h('div', null, h('dt', null, t(key)), h('dd', { dir: 'auto' }, value));
  }

  function renderSeries() {
    replace(seriesBox, h('h2', null, t('study.series')),
      (study.series ?? []).map((se, si) => h('section', { class: 'series', dataset: { series: se.seriesInstanceUid } },
        h('h3', null, [se.seriesNumber != null ? `#${se.seriesNumber}` : null, se.modality, se.bodyPart, se.description]
          .filter((x) => x != null && x !== '').join(' · ')),
        h('ul', { class: 'thumbs' }, (se.instances ?? []).map((inst, ii) => h('li', null,
          h('button', { type: 'button', class: 'thumb', dataset: { sop: inst.sopInstanceUid },
            'aria-label': t('study.image', { n: number(inst.instanceNumber ?? ii + 1) }),
            onclick: () => showSeries(si, ii) },
          h('img', { src: thumbnailUrl(inst.sopInstanceUid), alt: '', loading: 'lazy', width: 80, height: 80 }),
          h('span', { class: 'thumb-label' }, [inst.viewPosition, inst.frames > 1 ? tn('study.frames', inst.frames) : null]
            .filter(Boolean).join(' · ') || `#${inst.instanceNumber ?? ii + 1}`),
          jobBadge(inst))))))));
    markThumb(viewer?.current);
  }

  function jobBadge(inst) {
    const state = inst.job?.state;
    if (inst.notApplicable) return h('span', { class: 'job na' }, t('study.notApplicable'));
    if (state === 'failed') return h('span', { class: 'job failed', title: inst.job?.error ?? '' }, t('status.failed'));
    if (state && state !== 'done') return h('span', { class: 'job pending' }, t('status.scoring'));
    return null;
  }

  function showSeries(si, ii) {
    const se = study.series?.[si];
    if (!se?.instances?.length) return;
    const sameSeries = seriesIndex === si && viewer.current;
    seriesIndex = si;
    if (!sameSeries) viewer.setStack(se.instances, 0);
    // Items are instances × frames; start at the chosen instance's first frame.
    viewer.show(Math.max(0, viewer.indexOf(se.instances[ii].sopInstanceUid)));
  }

  function showInstance(sop, heatmap) {
    (study.series ?? []).forEach((se, si) => se.instances?.forEach((inst, ii) => {
      if (inst.sopInstanceUid === sop) showSeries(si, ii);
    }));
    if (heatmap) viewer.setHeatmap(heatmap);
  }

  function markThumb(cur) {
    for (const b of seriesBox.querySelectorAll('.thumb')) {
      b.setAttribute('aria-current', String(!!cur && b.dataset.sop === cur.inst.sopInstanceUid));
    }
  }

  function allFindings() {
    const out = [];
    for (const se of study.series ?? []) {
      for (const inst of se.instances ?? []) {
        for (const f of inst.findings ?? []) out.push({ f, inst });
      }
    }
    // Positive first, then by probability (the API's order for the worklist's top findings).
    return out.sort((a, b) => (b.f.positive - a.f.positive) || (b.f.probability - a.f.probability));
  }

  function renderFindings() {
    const list = allFindings();
    const items = list.map(({ f, inst }) => {
      const hasMap = (inst.heatmaps ?? []).some((m) => m.model === f.model && m.label === f.label);
      const decision = f.review?.decision ?? null;
      return h('li', { class: `finding${f.positive ? ' positive' : ''}${f.critical && f.positive ? ' critical' : ''}`,
        dataset: { id: String(f.id), decision: decision ?? '' } },
      h('div', { class: 'finding-head' },
        h('button', { type: 'button', class: 'link finding-label', title: t('study.showOnImage'),
          onclick: () => showInstance(inst.sopInstanceUid, hasMap ? { model: f.model, label: f.label } : null) },
        findingLabel(f.label)),
        h('span', { class: 'finding-p' }, percent(f.probability))),
      h('div', { class: 'sub' }, [
        f.positive ? t(f.critical ? 'study.positiveCritical' : 'study.positive') : t('study.negative'),
        t('study.threshold', { p: percent(f.threshold) }),
        `${f.model} ${f.modelVersion ?? ''}`.trim()].join(' · ')),
      decision ? h('div', { class: `review ${decision}` },
        t(`study.review.${decision}`, { by: f.review.by ?? '', at: dateTime(f.review.at) })) : null,
      canReview ? h('div', { class: 'review-actions' },
        h('button', { type: 'button', class: 'btn confirm', 'aria-pressed': String(decision === 'confirmed'),
          onclick: () => review(f, 'confirmed') }, t('study.confirm')),
        h('button', { type: 'button', class: 'btn dismiss', 'aria-pressed': String(decision === 'dismissed'),
          onclick: () => review(f, 'dismissed') }, t('study.dismiss'))) : null);
    });

    const comment = h('textarea', { id: 'comment-text', rows: 3, maxlength: 4000 });
    const commentBtn = h('button', { type: 'submit', class: 'btn', id: 'comment-submit' }, t('study.addComment'));
    const reviewed = h('button', { type: 'button', class: 'btn primary', id: 'mark-reviewed', onclick: markReviewed },
      t('study.markReviewed'));

    replace(findingsBox,
      h('h2', null, t('study.findings')),
      list.length ? h('ul', { class: 'findings', id: 'findings' }, items)
        : study.notApplicable ? h('p', { class: 'empty na-note', id: 'no-findings', dataset: { state: 'not-applicable' } },
          h('span', { class: 'badge na' }, t('study.notApplicable')), ' ', t('study.notApplicableHint'))
          : h('p', { class: 'empty', id: 'no-findings' }, t(study.status === 'scoring' ? 'study.stillScoring' : 'study.noFindings')),
      notice ? h('p', { class: 'form-message', role: 'alert', 'data-kind': notice.kind, id: 'study-notice' }, t(notice.key)) : null,
      resultsSection(study, app.session.role),
      h('h2', null, t('study.comments')),
      h('ul', { class: 'comments', id: 'comments' }, (study.comments ?? []).map((c) => h('li', null,
        h('div', { class: 'sub' }, `${c.by} · ${dateTime(c.at)}`),
        h('p', { class: 'comment-text', dir: 'auto' }, c.text)))),
      canReview ? h('form', { class: 'comment-form', onsubmit: (e) => { e.preventDefault(); addComment(comment, commentBtn); } },
        h('label', { for: 'comment-text' }, t('study.comment')), comment, commentBtn) : null,
      canReview ? reviewed : h('p', { class: 'sub' }, t('study.readOnly')));
  }

  async function review(f, decision) {
    try {
      const updated = await api(`/api/findings/${seg(String(f.id))}/review`, { method: 'POST', body: { decision } });
      Object.assign(f, updated && typeof updated === 'object' ? updated : {});
      if (!f.review || f.review.decision !== decision) f.review = { decision, by: app.session.username, at: new Date().toISOString() };
      if (study.status === 'new') study.status = 'in-review';
      notice = null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      notice = { kind: 'error', key: 'study.saveFailed' };
    }
    renderHeader();
    renderFindings();
  }

  async function addComment(box, btn) {
    const text = box.value.trim();
    if (!text) return;
    btn.disabled = true;
    try {
      const c = await api(`/api/studies/${seg(uid)}/comments`, { method: 'POST', body: { text } });
      study.comments = [...(study.comments ?? []), c ?? { by: app.session.username, at: new Date().toISOString(), text }];
      notice = null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      notice = { kind: 'error', key: 'study.saveFailed' };
      btn.disabled = false;
      renderFindings();
      findingsBox.querySelector('#comment-text').value = text;
      return;
    }
    renderFindings();
  }

  async function markReviewed() {
    try {
      const res = await api(`/api/studies/${seg(uid)}/reviewed`, { method: 'POST' });
      if (res?.next) app.navigate(`#/study/${res.next}`);
      else {
        sessionStorage.setItem('rdx.notice', 'study.allReviewed');
        app.navigate('#/worklist');
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      notice = { kind: 'error', key: 'study.saveFailed' };
      renderFindings();
    }
  }

  render();
  load();

  return {
    el,
    relabel: () => { if (study || failure) render(); },
    onKey(e) {
      if (e.key === 'Escape') { app.navigate('#/worklist'); e.preventDefault(); return; }
      viewer?.onKey(e);
    },
    onWorklistChanged() {},
    destroy() { viewer?.destroy(); },
  };
}
