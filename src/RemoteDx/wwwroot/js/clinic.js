// What passes between clinic and radiologist on a study (docs/viewer.md "Clinic"): the clinical history and questions
// a clinic user sends (shown to the radiologist above the findings), and the form a clinic user sends them with.
import { api, ApiError, seg } from './api.js';
import { h } from './dom.js';
import { dateTime } from './format.js';
import { t } from './i18n.js';

/**
 * The notes box: every note (history, question, who and when); for a clinic user also the form to add one.
 * Null when there is nothing to show (no notes, not a clinic user).
 * @param {object} o
 * @param {object} o.study the study JSON (clinicalNotes)
 * @param {boolean} o.isClinic whether the form is offered
 * @param {(note: object) => void} o.onAdded called with the saved note
 */
export function clinicalNotes({ study, isClinic, onAdded }) {
  const notes = study.clinicalNotes ?? [];
  if (!notes.length && !isClinic) return null;
  return h('section', { class: `clinical-notes${notes.length ? ' has-notes' : ''}`, id: 'clinical-notes', 'aria-labelledby': 'clinical-notes-title' },
    h('h2', { id: 'clinical-notes-title' }, t('notes.title')),
    notes.length ? h('ul', { class: 'notes', id: 'notes' }, notes.map(noteItem))
      : h('p', { class: 'sub', id: 'notes-empty' }, t('notes.empty')),
    isClinic ? noteForm(study, onAdded) : null);
}

function noteItem(n) {
  return h('li', { class: 'note', dataset: { id: String(n.id) } },
    n.history ? h('div', { class: 'note-part' }, h('span', { class: 'note-kind' }, t('notes.history')),
      h('p', { class: 'note-text note-history', dir: 'auto' }, n.history)) : null,
    n.question ? h('div', { class: 'note-part' }, h('span', { class: 'note-kind' }, t('notes.question')),
      h('p', { class: 'note-text note-question', dir: 'auto' }, n.question)) : null,
    h('div', { class: 'sub' }, h('bdi', null, n.by), ` · ${dateTime(n.at)}`));
}

function noteForm(study, onAdded) {
  const history = h('textarea', { id: 'note-history', rows: 3, maxlength: 4000 });
  const question = h('textarea', { id: 'note-question', rows: 2, maxlength: 4000 });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'note-submit' }, t('notes.send'));
  const message = h('p', { class: 'form-message', id: 'note-message', role: 'status' });
  async function send(e) {
    e.preventDefault();
    const body = { history: history.value.trim() || null, question: question.value.trim() || null };
    if (!body.history && !body.question) {
      message.dataset.kind = 'error';
      message.textContent = t('notes.required');
      return;
    }
    submit.disabled = true;
    try {
      const note = await api(`/api/studies/${seg(study.studyInstanceUid)}/notes`, { method: 'POST', body });
      onAdded(note);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      submit.disabled = false;
      message.dataset.kind = 'error';
      message.textContent = t('study.saveFailed');
    }
  }
  return h('form', { class: 'note-form', id: 'note-form', onsubmit: send },
    h('p', { class: 'sub' }, t('notes.hint')),
    h('label', { for: 'note-history' }, t('notes.history')), history,
    h('label', { for: 'note-question' }, t('notes.question')), question,
    submit, message);
}
