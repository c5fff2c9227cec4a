// UI strings live in /i18n/<lang>.json; this module picks the language, loads it and applies it to the document.
import { $ } from './dom.js';

export const LANGUAGES = [
  ['en', 'English'], ['zh-CN', '简体中文'], ['fr', 'Français'], ['es', 'Español'],
  ['pt', 'Português'], ['ru', 'Русский'], ['ar', 'العربية'],
];
const RTL = new Set(['ar']);
const STORAGE_KEY = 'rdx.lang';

let current = 'en';
let strings = {};
let english = null;
const listeners = new Set();

export const lang = () => current;

/** The remembered choice, else the first of navigator.languages we have (exact tag, then its primary subtag). */
export function pickLanguage() {
  const codes = LANGUAGES.map(([c]) => c);
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage disabled */ }
  if (saved && codes.includes(saved)) return saved;
  for (const wanted of navigator.languages?.length ? navigator.languages : [navigator.language || 'en']) {
    const exact = codes.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
    const primary = wanted.split('-')[0].toLowerCase();
    const near = codes.find((c) => c.split('-')[0].toLowerCase() === primary);
    if (near) return near;
  }
  return 'en';
}

async function load(code) {
  const res = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`i18n ${code}: HTTP ${res.status}`);
  return res.json();
}

export async function setLanguage(code, remember = false) {
  const next = await load(code);
  if (code !== 'en' && !english) english = await load('en');
  strings = next;
  current = code;
  const root = document.documentElement;
  root.lang = code;
  root.dir = RTL.has(code) ? 'rtl' : 'ltr';
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, code); } catch { /* storage disabled */ }
  }
  applyStatic(document);
  const select = $('#lang-select');
  if (select) select.value = code;
  for (const fn of listeners) fn(code);
}

export const onLanguageChange = (fn) => listeners.add(fn);

/** t('worklist.page', { page: 1, pages: 3 }) — the string for key with {placeholders} filled; the key itself if missing. */
export function t(key, vars) {
  return fill(strings[key] ?? english?.[key] ?? key, vars);
}

const pluralRules = new Map();
function pluralCategory(code, count) {
  let rules = pluralRules.get(code);
  if (!rules) {
    rules = new Intl.PluralRules(code);
    pluralRules.set(code, rules);
  }
  return rules.select(count);
}

/** tn('worklist.count', 21) — the plural form of key for count in the UI language: the strings file holds one entry
 * per CLDR category the language uses ("worklist.count#one", "#few", "#many", "#other" …), chosen with
 * Intl.PluralRules; {n} is count in the language's number format unless vars gives it. */
export function tn(key, count, vars) {
  const own = strings[`${key}#${pluralCategory(current, count)}`] ?? strings[`${key}#other`];
  const s = own ?? english?.[`${key}#${pluralCategory('en', count)}`] ?? english?.[`${key}#other`] ?? key;
  return fill(s, { n: new Intl.NumberFormat(current).format(count), ...vars });
}

function fill(s, vars) {
  return vars ? s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : s;
}

/** Fills data-i18n (text), data-i18n-title, data-i18n-placeholder and data-i18n-label (aria-label). */
export function applyStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  document.title = t('app.title');
}
