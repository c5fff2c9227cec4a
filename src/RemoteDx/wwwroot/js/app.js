// Boot, session and hash routing (#/login, #/worklist, #/study/<StudyInstanceUID>). Patient identifiers never go
// into the URL: studies are addressed by UID only.
import { api, ApiError, onUnauthorized, setCsrfToken } from './api.js';
import { $, h, replace, typingIn } from './dom.js';
import { LANGUAGES, onLanguageChange, pickLanguage, setLanguage, t } from './i18n.js';
import { loginView } from './login.js';
import { worklistView } from './worklist.js';
import { studyView } from './study.js';
import { LiveEvents } from './events.js';

const UID = /^[0-9]+(\.[0-9]+)*$/;

const app = {
  session: null,
  view: null,
  returnTo: null,
  events: null,
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  /** Called with the login answer (or /api/me): remembers the session and its CSRF token. */
  signedIn(session) {
    app.session = session;
    setCsrfToken(session.csrfToken);
    showChrome(true);
    app.events?.close();
    app.events = new LiveEvents('/api/events', {
      worklist: (data) => app.view?.onWorklistChanged?.(data.version),
      state: (state) => showLive(state),
      lost: () => { if (app.session) checkSession(); },
    });
    const target = app.returnTo && app.returnTo !== '#/login' ? app.returnTo : '#/worklist';
    app.returnTo = null;
    app.navigate(target);
  },
  /** Session gone (logout, expiry, 401 anywhere): back to the login screen, remembering where we were. */
  signedOut(reason) {
    const wasSignedIn = app.session !== null;
    // Several requests may notice the same expiry; the first one has already shown the login screen.
    if (!wasSignedIn && reason === 'expired' && app.view?.isLogin) return;
    app.session = null;
    setCsrfToken(null);
    app.events?.close();
    app.events = null;
    showChrome(false);
    if (reason === 'expired' && wasSignedIn && location.hash.startsWith('#/study/')) app.returnTo = location.hash;
    mount(loginView(app, reason === 'expired' && wasSignedIn ? 'login.expired' : null));
    if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  },
};

function showChrome(signedIn) {
  $('#logout').hidden = !signedIn;
  $('#disclaimer').hidden = !signedIn;
  $('#live').hidden = !signedIn;
  const who = $('#who');
  who.hidden = !signedIn;
  if (signedIn) replace(who, app.session.username, ' · ', t(`role.${app.session.role}`));
}

function showLive(state) {
  const el = $('#live');
  el.dataset.state = state;
  el.textContent = t(state === 'open' ? 'live.on' : 'live.off');
}

function mount(view) {
  app.view?.destroy?.();
  app.view = view;
  replace($('#main'), view.el);
  view.mounted?.();
}

async function checkSession() {
  try {
    const me = await api('/api/me', { quiet401: true });
    if (!app.session) app.signedIn(me);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) app.signedOut('expired');
  }
}

function route() {
  const hash = location.hash || '#/worklist';
  if (!app.session) {
    if (hash !== '#/login') app.returnTo = hash;
    mount(loginView(app, null));
    if (hash !== '#/login') history.replaceState(null, '', '#/login');
    return;
  }
  const study = /^#\/study\/(.+)$/.exec(hash);
  if (study && UID.test(study[1]) && study[1].length <= 64) {
    mount(studyView(app, study[1]));
  } else if (hash === '#/worklist') {
    mount(worklistView(app));
  } else {
    history.replaceState(null, '', '#/worklist');
    mount(worklistView(app));
  }
}

async function logout() {
  try {
    await api('/api/logout', { method: 'POST', quiet401: true });
  } catch { /* the session is gone either way */ }
  app.signedOut('logout');
}

function buildLanguageMenu() {
  const select = $('#lang-select');
  replace(select, LANGUAGES.map(([code, name]) => h('option', { value: code, lang: code }, name)));
  select.addEventListener('change', () => setLanguage(select.value, true));
}

async function boot() {
  buildLanguageMenu();
  await setLanguage(pickLanguage());
  onUnauthorized(() => app.signedOut('expired'));
  onLanguageChange(() => {
    if (app.session) showChrome(true);
    if (app.events) showLive(app.events.state);
    app.view?.relabel ? app.view.relabel() : route();
  });
  $('#logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    app.view?.onKey?.(e);
  });
  try {
    const me = await api('/api/me', { quiet401: true });
    app.returnTo = location.hash && location.hash !== '#/login' ? location.hash : null;
    app.signedIn(me);
  } catch (e) {
    if (!(e instanceof ApiError)) console.error(e);
    route();
  }
}

boot();
