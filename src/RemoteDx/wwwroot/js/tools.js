// Reading tools drawn over the image stage: length measurements (calibrated by Pixel Spacing or Imager Pixel Spacing,
// PS3.3 10.7.1.3; the label says which), orientation markers from Patient Orientation (0020,0020) or, for chest films
// without it, the View Position, and the corner text. Everything is in stage (screen) coordinates recomputed from the
// image coordinates whenever the view changes; the stage itself is left-to-right in every language, like the image.
import { h, replace } from './dom.js';
import { number } from './format.js';
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  return el;
};

/** The calibration a measurement uses: Pixel Spacing (in the patient), else Imager Pixel Spacing (at the detector,
 * not corrected for magnification), else none (pixels). Spacing pairs are [row spacing, column spacing] in mm. */
export function calibration(meta) {
  if (meta?.pixelSpacing) return { kind: 'pixelSpacing', row: meta.pixelSpacing[0], col: meta.pixelSpacing[1] };
  if (meta?.imagerPixelSpacing) return { kind: 'detector', row: meta.imagerPixelSpacing[0], col: meta.imagerPixelSpacing[1] };
  return { kind: 'pixels', row: 1, col: 1 };
}

/** Length between two points given in image pixels (column, row) of the original image. */
export function measure(a, b, cal) {
  const dx = (b.x - a.x) * cal.col, dy = (b.y - a.y) * cal.row;
  return Math.hypot(dx, dy);
}

export function measureLabel(length, cal) {
  if (cal.kind === 'pixels') return t('viewer.measure.pixels', { len: number(length, 0) });
  return t(cal.kind === 'pixelSpacing' ? 'viewer.measure.mm' : 'viewer.measure.detector', { len: number(length, 1) });
}

const OPPOSITE = { L: 'R', R: 'L', A: 'P', P: 'A', H: 'F', F: 'H' };
const opposite = (dir) => [...dir].map((c) => OPPOSITE[c] ?? c).join('');

/** Markers for the four edges: { left, right, top, bottom, source } or null. Patient Orientation's first value is the
 * direction of the rows (towards the right edge), the second that of the columns (towards the bottom, PS3.3
 * C.7.6.1.1.1). Without it, a PA or AP chest film is shown as conventionally displayed: patient's right on the left. */
export function orientation(meta) {
  const po = meta?.patientOrientation;
  if (po && po.length === 2 && po.every((v) => /^[LRAPHF]+$/.test(v))) {
    return { left: opposite(po[0]), right: po[0], top: opposite(po[1]), bottom: po[1], source: 'patientOrientation' };
  }
  if (meta && /^(PA|AP)$/.test(meta.viewPosition ?? '')) {
    return { left: 'R', right: 'L', top: 'H', bottom: 'F', source: 'viewPosition' };
  }
  return null;
}

/** The overlay: an SVG for lines plus HTML labels, markers and corner text, all inside the stage. */
export class Overlay {
  constructor(stage) {
    this.svg = svg('svg', { class: 'marks', id: 'marks', 'aria-hidden': 'true' });
    this.labels = h('div', { class: 'mark-labels', id: 'mark-labels' });
    this.markers = {};
    for (const edge of ['left', 'right', 'top', 'bottom']) {
      this.markers[edge] = h('div', { class: `orient orient-${edge}`, id: `orient-${edge}`, hidden: true });
    }
    this.corners = {};
    for (const c of ['tl', 'tr', 'bl']) this.corners[c] = h('div', { class: `corner corner-${c}`, id: `corner-${c}` });
    stage.append(this.svg, this.labels, ...Object.values(this.markers), ...Object.values(this.corners));
  }

  /** Draws the measurements (image coordinates) for the view { s, x, y }; `draft` is one being dragged. */
  drawMeasurements(list, view, cal, draft) {
    this.svg.replaceChildren();
    this.labels.replaceChildren();
    const all = draft ? [...list, draft] : list;
    all.forEach((m, i) => {
      const a = { x: view.x + m.a.x * view.s, y: view.y + m.a.y * view.s };
      const b = { x: view.x + m.b.x * view.s, y: view.y + m.b.y * view.s };
      this.svg.append(svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'measure-line' }),
        svg('circle', { cx: a.x, cy: a.y, r: 3, class: 'measure-end' }), svg('circle', { cx: b.x, cy: b.y, r: 3, class: 'measure-end' }));
      const label = h('div', { class: 'measure-label', dir: 'auto', dataset: { index: i, kind: cal.kind } },
        measureLabel(measure(m.a, m.b, cal), cal));
      label.style.left = `${Math.round(Math.max(a.x, b.x) + 6)}px`;
      label.style.top = `${Math.round((a.y + b.y) / 2 - 10)}px`;
      this.labels.append(label);
    });
  }

  showOrientation(o) {
    for (const [edge, el] of Object.entries(this.markers)) {
      el.hidden = !o;
      el.textContent = o ? o[edge] : '';
      if (o) el.title = t(o.source === 'patientOrientation' ? 'viewer.orientation.fromTag' : 'viewer.orientation.fromView');
    }
  }

  /** Corner text: patient (top left), study (top right), series and image (bottom left). Values go in <bdi>. */
  showCorners({ patient, patientId, studyDate, study, series, image }) {
    const line = (...parts) => h('div', { dir: 'auto' }, parts.filter((p) => p != null && p !== '').flatMap((p, i) => (i ? [' · ', p] : [p])));
    const bdi = (v) => (v ? h('bdi', null, v) : null);
    replace(this.corners.tl, line(bdi(patient)), line(bdi(patientId)));
    replace(this.corners.tr, line(bdi(studyDate)), line(bdi(study)));
    replace(this.corners.bl, line(series), line(image));
  }
}
