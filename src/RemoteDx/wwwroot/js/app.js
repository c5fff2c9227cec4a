// Boot, session and hash routing (#/login, #/worklist, #/study/<StudyInstanceUID>, #/admin/<section>). Patient identifiers never go
// into the URL: studies are addressed by UID only. The worklist and study views (and the image viewer behind the
// study view) are imported when their route is first shown, the event stream's module after sign-in, so the sign-in
// screen downloads none of them.
import { api, ApiError, onUnauthorized, setCsrfToken } from './api.js';
import { $, h, replace, typingIn } from './dom.js';
import { LANGUAGES, onLanguageChange, pickLanguage, setLanguage, t } from './i18n.js';
import { loginView } from './login.js';

const UID = /^[0-9]+(\.[0-9]+)*$/;
const BANNER_KEY = 'rdx.banner.collapsed';
const views = {
  worklist: () => import('./worklist.js').then((m) => m.worklistView),
  study: () => import('./study.js').then((m) => m.studyView),
  admin: () => import('./admin.js').then((m) => m.adminView),
};
// #/admin/<section>: the admin screens (the server refuses their API to other roles; the page then says so).
const ADMIN_SECTIONS = ['users', 'clinics', 'audit', 'jobs', 'deliveries', 'quarantine'];
let routeSeq = 0;
let eventsSeq = 0;

const app = {
  session: null,
  view: null,
  returnTo: null,
  events: null,
  alerts: null,
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
    app.events = null;
    app.alerts?.destroy();
    app.alerts = null;
    const seq = ++eventsSeq;
    Promise.all([import('./events.js'), import('./alerts.js')]).then(([{ LiveEvents }, { Alerts }]) => {
      if (seq !== eventsSeq || !app.session) return;
      app.alerts = new Alerts(app);
      app.events = new LiveEvents('/api/events', {
        worklist: (data) => app.view?.onWorklistChanged?.(data.version),
        state: (state) => { showLive(state); app.alerts?.state(state); },
        lost: () => { if (app.session) checkSession(); },
        stat: (data) => app.alerts?.stat(data),
        reviewed: (data) => app.alerts?.reviewed(data),
      });
    }).catch((e) => console.error(e));
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
    app.alerts?.destroy();
    app.alerts = null;
    eventsSeq++;
    showChrome(false);
    routeSeq++;
    if (reason === 'expired' && wasSignedIn && location.hash.startsWith('#/study/')) app.returnTo = location.hash;
    mount(loginView(app, reason === 'expired' && wasSignedIn ? 'login.expired' : null));
    if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  },
};

function showChrome(signedIn) {
  $('#logout').hidden = !signedIn;
  $('#disclaimer').hidden = !signedIn;
  $('#live').hidden = !signedIn;
  $('#admin-link').hidden = !signedIn || app.session?.role !== 'admin';
  const who = $('#who');
  who.hidden = !signedIn;
  if (signedIn) replace(who, app.session.username, ' · ', t(`role.${app.session.role}`));
}

/** The not-a-diagnosis banner stays, but a reader may fold it to one line; remembered for the browser session. */
function setupBanner() {
  const toggle = $('#disclaimer-toggle');
  const apply = (collapsed) => {
    $('#disclaimer').classList.toggle('collapsed', collapsed);
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.dataset.i18n = collapsed ? 'banner.expand' : 'banner.collapse';
    toggle.textContent = t(toggle.dataset.i18n);
  };
  let collapsed = false;
  try { collapsed = sessionStorage.getItem(BANNER_KEY) === '1'; } catch { /* storage disabled */ }
  apply(collapsed);
  toggle.addEventListener('click', () => {
    collapsed = !collapsed;
    try { sessionStorage.setItem(BANNER_KEY, collapsed ? '1' : '0'); } catch { /* storage disabled */ }
    apply(collapsed);
  });
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
  const seq = ++routeSeq;
  if (!app.session) {
    if (hash !== '#/login') app.returnTo = hash;
    mount(loginView(app, null));
    if (hash !== '#/login') history.replaceState(null, '', '#/login');
    return;
  }
  const study = /^#\/study\/(.+)$/.exec(hash);
  const admin = /^#\/admin(?:\/(\w+))?$/.exec(hash);
  let show;
  if (study && UID.test(study[1]) && study[1].length <= 64) {
    show = views.study().then((view) => () => view(app, study[1]));
  } else if (admin) {
    const section = ADMIN_SECTIONS.includes(admin[1]) ? admin[1] : 'users';
    if (hash !== `#/admin/${section}`) history.replaceState(null, '', `#/admin/${section}`);
    show = views.admin().then((view) => () => view(app, section));
  } else {
    if (hash !== '#/worklist') history.replaceState(null, '', '#/worklist');
    show = views.worklist().then((view) => () => view(app));
  }
  // A later navigation (or sign-out) while a module loads wins: only the newest route mounts.
  show.then((make) => { if (seq === routeSeq && app.session) mount(make()); })
    .catch((e) => { console.error(e); });
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
  setupBanner();
  onUnauthorized(() => app.signedOut('expired'));
  onLanguageChange(() => {
    if (app.session) showChrome(true);
    if (app.events) showLive(app.events.state);
    app.alerts?.relabel();
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
