// Locale-aware formatting of the values the API returns (ages, dates, probabilities, DICOM PN/AS/DA).
import { lang, t } from './i18n.js';

const cache = new Map();
function intl(kind, options) {
  const key = `${lang()}|${kind}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl[kind](lang(), options);
    cache.set(key, f);
  }
  return f;
}

/** "12 min ago" in the UI language, from an ISO timestamp. */
export function ago(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const rtf = intl('RelativeTimeFormat', { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(0, 'minute');
  if (abs < 3600) return rtf.format(Math.trunc(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.trunc(seconds / 3600), 'hour');
  return rtf.format(Math.trunc(seconds / 86400), 'day');
}

export function dateTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : intl('DateTimeFormat', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** DICOM DA (YYYYMMDD) as a local date string; the raw value when it is not a valid DA. */
export function dicomDate(da) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da ?? '');
  if (!m) return da ?? '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return intl('DateTimeFormat', { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

export function percent(p) {
  return typeof p === 'number' ? intl('NumberFormat', { style: 'percent', maximumFractionDigits: 0 }).format(p) : '';
}

export function number(n, digits = 0) {
  return typeof n === 'number'
    ? intl('NumberFormat', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n) : '';
}

/** DICOM PN "FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX" as "FAMILY, PREFIX GIVEN MIDDLE SUFFIX"; further component groups
 * (ideographic, phonetic) follow in parentheses. A value without "^" is shown exactly as stored. */
export function personName(pn) {
  if (!pn) return '';
  if (!pn.includes('^')) return pn;
  const [first, ...others] = pn.split('=').map(group);
  const extra = others.filter(Boolean).join(' / ');
  return extra ? `${first} (${extra})` : first || pn;
}

function group(g) {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = g.split('^');
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  return family && rest ? `${family}, ${rest}` : family || rest;
}

/** DICOM AS "054Y" as "54 y" in the UI language. */
export function patientAge(as) {
  const m = /^(\d{3})([DWMY])$/.exec(as ?? '');
  return m ? t(`age.${m[2]}`, { n: number(+m[1]) }) : as ?? '';
}

export function sex(s) {
  return s === 'M' || s === 'F' || s === 'O' ? t(`sex.${s}`) : s ?? '';
}

/** A model label in the UI language when we know it ("label.pneumothorax"), else the label as the model names it. */
export function findingLabel(label) {
  const key = `label.${label}`;
  const s = t(key);
  return s === key ? label : s;
}
