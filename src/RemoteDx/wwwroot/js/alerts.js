// Alerts for what arrives over the event stream while the tab may be in the background: a new STAT study (radiologists,
// admins) or a reviewed study (clinic users). Each one counts in the tab title ("(2) RemoteDx") until the reader comes
// back to the page, shows an in-page toast, a browser Notification once the reader allowed them (the bell asks, since
// browsers only ask after a click), and beeps when the reader turned sound on (off by default; remembered). The texts
// never name the patient. Also the offline banner shown while the event stream is down.
import { $, bdi, h, replace } from './dom.js';
import { t } from './i18n.js';

const SOUND_KEY = 'rdx.alerts.sound';
const OFFLINE_AFTER_MS = 1500; // a reconnect that succeeds at once is no outage worth a banner
const MAX_TOASTS = 4;

// A bell drawn as SVG: emoji fonts are not everywhere (reading-room PCs, Linux kiosks).
function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M8 1.5a4.5 4.5 0 0 0-4.5 4.5v3L2 11.5v1h12v-1L12.5 9V6A4.5 4.5 0 0 0 8 1.5zM6.3 13.5a1.8 1.8 0 0 0 3.4 0z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export class Alerts {
  constructor(app) {
    this.app = app;
    this.count = 0;
    this.baseTitle = t('app.title');
    this.offlineTimer = 0;
    this.audio = null;
    if (!document.querySelector('link[data-rdx="alerts"]')) {
      document.head.append(h('link', { rel: 'stylesheet', href: '/css/alerts.css', dataset: { rdx: 'alerts' } }));
    }
    this.bell = h('button', { type: 'button', class: 'btn icon', id: 'alerts-bell', onclick: () => this.askPermission() }, bellIcon());
    this.sound = h('button', { type: 'button', class: 'btn icon', id: 'alerts-sound', onclick: () => this.toggleSound() }, '♪');
    this.tools = h('span', { class: 'alert-tools', id: 'alert-tools' }, this.bell, this.sound);
    $('#live').before(this.tools);
    this.banner = h('div', { class: 'offline-banner', id: 'offline-banner', role: 'alert', hidden: true });
    $('#topbar').after(this.banner);
    this.toasts = h('div', { class: 'toasts', id: 'alert-toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(this.toasts);
    this.soundOn = localStorage.getItem(SOUND_KEY) === '1';
    this.onBack = () => { if (document.visibilityState === 'visible') this.clear(); };
    this.onInput = () => this.clear();
    document.addEventListener('visibilitychange', this.onBack);
    document.addEventListener('pointerdown', this.onInput, true);
    document.addEventListener('keydown', this.onInput, true);
    this.relabel();
  }

  relabel() {
    this.baseTitle = t('app.title'); // i18n sets the plain title on a language change: put the count back
    this.showCount();
    const permission = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    this.bell.dataset.permission = permission;
    this.bell.setAttribute('aria-pressed', String(permission === 'granted'));
    const bellKey = { granted: 'alerts.notificationsOn', denied: 'alerts.notificationsBlocked', unsupported: 'alerts.notificationsUnsupported' }[permission]
      ?? 'alerts.enableNotifications';
    this.bell.title = t(bellKey);
    this.bell.setAttribute('aria-label', t(bellKey));
    this.sound.setAttribute('aria-pressed', String(this.soundOn));
    this.sound.title = t(this.soundOn ? 'alerts.soundOn' : 'alerts.soundOff');
    this.sound.setAttribute('aria-label', this.sound.title);
    replace(this.banner, h('strong', null, t('live.offlineTitle')), ' ', t('live.offlineBody'));
    for (const toast of this.toasts.children) toast.relabel?.();
  }

  async askPermission() {
    if (typeof Notification === 'undefined') return;
    try { await Notification.requestPermission(); } catch { /* older callback-style API or refused */ }
    this.relabel();
  }

  toggleSound() {
    this.soundOn = !this.soundOn;
    try { localStorage.setItem(SOUND_KEY, this.soundOn ? '1' : '0'); } catch { /* storage disabled */ }
    if (this.soundOn) this.beep(); // also unlocks audio: this click is the user gesture browsers require
    this.relabel();
  }

  beep() {
    try {
      this.audio ??= new AudioContext();
      const osc = this.audio.createOscillator();
      const gain = this.audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, this.audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, this.audio.currentTime + 0.4);
      osc.connect(gain).connect(this.audio.destination);
      osc.start();
      osc.stop(this.audio.currentTime + 0.4);
      this.sound.dataset.played = String(Number(this.sound.dataset.played ?? 0) + 1);
    } catch { /* no audio device: the toast and the title still tell */ }
  }

  /** A new STAT study (from `event: stat`). */
  stat({ studyInstanceUid, clinic }) {
    this.raise('stat', () => t('alerts.stat', { clinic: clinic ?? '' }), studyInstanceUid, clinic);
  }

  /** One of the clinic's studies was reviewed (from `event: reviewed`). */
  reviewed({ studyInstanceUid }) {
    this.raise('reviewed', () => t('alerts.reviewed'), studyInstanceUid, null);
  }

  raise(kind, text, uid, clinic) {
    this.count++;
    this.showCount();
    this.toast(kind, text, uid, clinic);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      try {
        const n = new Notification(t('alerts.title'), { body: text(), tag: `rdx-${kind}-${uid}`, lang: document.documentElement.lang });
        n.onclick = () => { window.focus(); if (uid) this.app.navigate(`#/study/${uid}`); n.close(); };
      } catch { /* some platforms allow notifications from a service worker only: the toast stands in */ }
    }
    if (this.soundOn) this.beep();
  }

  toast(kind, text, uid, clinic) {
    const message = h('span', { class: 'toast-text' });
    const open = h('button', { type: 'button', class: 'btn', onclick: () => { el.remove(); if (uid) this.app.navigate(`#/study/${uid}`); } });
    const close = h('button', { type: 'button', class: 'link toast-close', onclick: () => el.remove() }, '×');
    const el = h('div', { class: `toast ${kind}`, dataset: { kind, uid: uid ?? '' } }, message, open, close);
    el.relabel = () => {
      // The clinic is an AE title or a name in any script: isolated so it does not reorder the sentence around it.
      const parts = text().split(clinic ?? '\u0000');
      replace(message, clinic && parts.length === 2 ? [parts[0], bdi(clinic), parts[1]] : text());
      open.textContent = t('alerts.open');
      close.setAttribute('aria-label', t('alerts.close'));
    };
    el.relabel();
    this.toasts.prepend(el);
    while (this.toasts.children.length > MAX_TOASTS) this.toasts.lastElementChild.remove();
  }

  showCount() {
    document.title = this.count > 0 ? `(${this.count}) ${this.baseTitle}` : this.baseTitle;
  }

  /** The reader is back (tab shown, a click or key): the title badge goes; toasts stay until closed. */
  clear() {
    if (this.count === 0) return;
    this.count = 0;
    this.showCount();
  }

  /** Event stream state: 'open', 'connecting', 'closed'. The banner shows once it has been down a moment. */
  state(state) {
    clearTimeout(this.offlineTimer);
    if (state === 'open') {
      this.banner.hidden = true;
      document.body.classList.remove('offline');
    } else if (state === 'closed') {
      this.offlineTimer = setTimeout(() => {
        this.banner.hidden = false;
        document.body.classList.add('offline');
      }, OFFLINE_AFTER_MS);
    }
  }

  destroy() {
    clearTimeout(this.offlineTimer);
    document.removeEventListener('visibilitychange', this.onBack);
    document.removeEventListener('pointerdown', this.onInput, true);
    document.removeEventListener('keydown', this.onInput, true);
    this.tools.remove();
    this.banner.remove();
    this.toasts.remove();
    this.count = 0;
    this.showCount();
    this.audio?.close?.();
  }
}
