// The study view: header with the study's identity, series and image thumbnails, the image viewer, and the findings
// panel (the clinic's notes on top, findings per label with confirm/dismiss/undo, where the results went, comments,
// "mark reviewed" which moves on to the next study).
import { api, ApiError, seg } from './api.js';
import { clinicalNotes } from './clinic.js';
import { h, replace } from './dom.js';
import { findingsList } from './findings.js';
import { ago, dateTime, dicomDate, number, patientAge, personName, sex } from './format.js';
import { t, tn } from './i18n.js';
import { resultsSection } from './results.js';
import { ImageViewer, thumbnailUrl } from './viewer.js';

// The review parts' styles (css/study.css) come with the first study opened, not with the sign-in screen.
function loadStyles() {
  if (document.querySelector('link[data-styles="study"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: 'css/study.css', dataset: { styles: 'study' } }));
}

export function studyView(app, uid) {
  loadStyles();
  const canReview = app.session.role === 'admin' || app.session.role === 'radiologist';
  const isClinic = app.session.role === 'clinic';
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

  function renderFindings() {
    const comment = h('textarea', { id: 'comment-text', rows: 3, maxlength: 4000 });
    const commentBtn = h('button', { type: 'submit', class: 'btn', id: 'comment-submit' }, t('study.addComment'));
    const reviewed = h('button', { type: 'button', class: 'btn primary', id: 'mark-reviewed', onclick: markReviewed },
      t('study.markReviewed'));
    // A clinic user sees the radiologist's decisions and comments once the study is reviewed (the API sends none before).
    const reviewPending = isClinic && study.status !== 'reviewed';

    replace(findingsBox,
      clinicalNotes({ study, isClinic, onAdded: addNote }),
      h('h2', null, t('study.findings')),
      findingsList({ study, canReview, onShow: showInstance, onDecide: decide }),
      notice ? h('p', { class: 'form-message', role: 'alert', 'data-kind': notice.kind, id: 'study-notice' }, t(notice.key)) : null,
      resultsSection(study, app.session.role),
      h('h2', null, t('study.comments')),
      reviewPending ? h('p', { class: 'sub review-pending', id: 'review-pending' }, t('notes.reviewPending'))
        : h('ul', { class: 'comments', id: 'comments' }, (study.comments ?? []).map((c) => h('li', null,
          h('div', { class: 'sub' }, `${c.by} · ${dateTime(c.at)}`),
          h('p', { class: 'comment-text', dir: 'auto' }, c.text)))),
      canReview ? h('form', { class: 'comment-form', onsubmit: (e) => { e.preventDefault(); addComment(comment, commentBtn); } },
        h('label', { for: 'comment-text' }, t('study.comment')), comment, commentBtn) : null,
      canReview ? reviewed : h('p', { class: 'sub' }, t('study.readOnly')));
  }

  /** Confirm, dismiss or undo ('none') a label for the whole study; the answer lists its finding on every image. */
  async function decide(group, decision) {
    try {
      const res = await api(`/api/findings/${seg(String(group.images[0].findingId))}/review`, { method: 'POST', body: { decision } });
      group.review = decision === 'none' ? null : res?.review ?? { decision, by: app.session.username, at: new Date().toISOString() };
      const byId = new Map((res?.findings ?? []).map((f) => [f.id, f]));
      for (const se of study.series ?? []) {
        for (const inst of se.instances ?? []) {
          for (const f of inst.findings ?? []) if (byId.has(f.id)) f.review = byId.get(f.id).review;
        }
      }
      if (study.status === 'new' && decision !== 'none') study.status = 'in-review';
      notice = null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      notice = { kind: 'error', key: 'study.saveFailed' };
    }
    renderHeader();
    renderFindings();
  }

  function addNote(note) {
    study.clinicalNotes = [...(study.clinicalNotes ?? []), note];
    study.hasClinicalNote = true;
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
