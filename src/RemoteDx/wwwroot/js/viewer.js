// The image viewer: each frame's modality values arrive once per size step (windowing.js) and are windowed in a
// canvas, so window/level, invert and presets cost no request; a small step paints first, the step the screen needs
// follows, and "Full resolution" fetches the original values on demand ("Lossy preview" shows until then). Zoom and
// pan by CSS transform, fit, frame/slice scrolling, a heatmap overlay, reading tools (tools.js: length measurement,
// orientation markers, corner text) and the DICOM header (header.js, loaded when first opened). Colour images come as
// 8-bit RGB; an image the values endpoint cannot serve falls back to server-rendered JPEG frames.
import { seg } from './api.js';
import { h, replace } from './dom.js';
import { dicomDate, findingLabel, number, personName } from './format.js';
import { t } from './i18n.js';
import { calibration, orientation, Overlay } from './tools.js';
import { fetchValues, paint } from './windowing.js';

// Common CT presets (centre, width in HU); for other modalities only the file's own window.
const CT_PRESETS = [['lung', -600, 1500], ['mediastinum', 40, 400], ['abdomen', 50, 400], ['bone', 400, 1800], ['brain', 40, 80]];
const SIZE_STEPS = [512, 1024, 2048, 4096];
const VALUE_STEPS = [512, 1024, 2048];
const WL_DEBOUNCE_MS = 200;
const CACHE_ENTRIES = 8;
// Modalities whose films get "full range" and "high contrast" presets besides the file's own windows.
const PROJECTION = new Set(['CR', 'DX', 'MG', 'RF', 'XA', 'PX', 'IO', 'OT']);
const rank = (step) => (step === 'full' ? Infinity : step);

let cssLoaded = false;
function loadCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h('link', { rel: 'stylesheet', href: 'css/viewer.css' }));
}

export const frameUrl = (sop, frame, { wc, ww, size } = {}) => {
  let url = `/api/instances/${seg(sop)}/frames/${frame}?format=jpeg`;
  if (wc != null && ww != null) url += `&wc=${Math.round(wc)}&ww=${Math.round(ww)}`;
  if (size) url += `&size=${size}`;
  return url;
};
export const thumbnailUrl = (sop) => `/api/instances/${seg(sop)}/thumbnail`;
export const heatmapUrl = (sop, model, label) =>
  `/api/instances/${seg(sop)}/heatmap?model=${encodeURIComponent(model)}&label=${encodeURIComponent(label)}`;

export class ImageViewer {
  constructor({ modality, onFrameChange, study }) {
    loadCss();
    this.modality = modality;
    this.study = study ?? null;
    this.values = new Map();   // `${sop}|${frame}|${step}` → decoded values, the last CACHE_ENTRIES
    this.data = null;          // the values on screen; null while a placeholder or the JPEG fallback shows
    this.shown = { key: null, rank: 0 };
    this.fullRes = false;      // "Full resolution" pressed for this stack
    this.measurements = new Map(); // `${sop}|${frame}` → [{ a, b }] in image pixels
    this.draft = null;
    this.onFrameChange = onFrameChange ?? (() => {});
    this.stack = [];       // [{ inst, frame }]
    this.index = 0;
    this.window = null;    // { wc, ww } when the user chose one; null = the file's window
    this.invert = false;
    this.tool = 'wl';
    this.view = { s: 1, x: 0, y: 0 };
    this.fitted = true;
    this.heatmap = null;   // { model, label }
    this.opacity = 0.5;
    this.loadSeq = 0;
    this.loadedSize = 0;
    this.build();
  }

  build() {
    this.img = h('img', { class: 'fallback', id: 'frame-jpeg', alt: '', draggable: 'false', decoding: 'async', hidden: true });
    this.placeholder = h('img', { class: 'placeholder', id: 'frame-placeholder', alt: '', draggable: 'false' });
    this.canvas = h('canvas', { class: 'frame', id: 'frame', width: 1, height: 1, hidden: true });
    this.heat = h('img', { class: 'heat', id: 'heat', alt: '', draggable: 'false', hidden: true });
    this.layer = h('div', { class: 'layer' }, this.placeholder, this.img, this.canvas, this.heat);
    this.status = h('div', { class: 'stage-status', id: 'stage-status', role: 'status' });
    this.readout = h('div', { class: 'readout', id: 'readout', dir: 'ltr' });
    this.lossy = h('div', { class: 'lossy-label', id: 'lossy-label', hidden: true });
    this.stage = h('div', { class: 'stage', id: 'stage', tabindex: 0, dataset: { tool: this.tool } },
      this.layer, this.readout, this.status);
    this.overlay = new Overlay(this.stage);
    this.stage.append(this.lossy);

    this.preset = h('select', { id: 'wl-preset' });
    this.preset.addEventListener('change', () => this.applyPreset(this.preset.value));
    this.tools = {};
    for (const tool of ['wl', 'pan', 'zoom', 'measure']) {
      this.tools[tool] = h('button', { type: 'button', class: 'btn tool', id: `tool-${tool}`, 'aria-pressed': String(tool === this.tool),
        onclick: () => this.setTool(tool) });
    }
    this.fitBtn = h('button', { type: 'button', class: 'btn', id: 'btn-fit', onclick: () => this.fit() });
    this.invertBtn = h('button', { type: 'button', class: 'btn', id: 'btn-invert', 'aria-pressed': 'false', onclick: () => this.toggleInvert() });
    this.resetBtn = h('button', { type: 'button', class: 'btn', id: 'btn-reset', onclick: () => this.reset() });
    this.fullBtn = h('button', { type: 'button', class: 'btn', id: 'btn-full', 'aria-pressed': 'false', onclick: () => this.fullResolution() });
    this.headerBtn = h('button', { type: 'button', class: 'btn', id: 'btn-header', onclick: () => this.openHeader() });
    this.heatSelect = h('select', { id: 'heatmap-select' });
    this.heatSelect.addEventListener('change', () => {
      const v = this.heatSelect.value;
      this.setHeatmap(v ? JSON.parse(v) : null);
    });
    this.opacityInput = h('input', { type: 'range', id: 'heatmap-opacity', min: 0, max: 100, value: 50 });
    this.opacityInput.addEventListener('input', () => { this.opacity = this.opacityInput.value / 100; this.paintHeat(); });
    this.frameInput = h('input', { type: 'range', id: 'frame-slider', min: 1, max: 1, value: 1 });
    this.frameInput.addEventListener('input', () => this.show(this.frameInput.valueAsNumber - 1));
    this.frameLabel = h('span', { class: 'frame-label', id: 'frame-label' });
    this.labels = { preset: h('label', { for: 'wl-preset' }), heat: h('label', { for: 'heatmap-select' }),
      opacity: h('label', { for: 'heatmap-opacity' }), frame: h('label', { for: 'frame-slider', class: 'sr-only' }) };
    this.frameBox = h('div', { class: 'tool-group frames', hidden: true }, this.labels.frame, this.frameInput, this.frameLabel);
    this.heatBox = h('div', { class: 'tool-group' }, this.labels.heat, this.heatSelect, this.labels.opacity, this.opacityInput);
    this.toolbar = h('div', { class: 'toolbar', role: 'toolbar', id: 'viewer-toolbar' },
      h('div', { class: 'tool-group' }, this.labels.preset, this.preset),
      h('div', { class: 'tool-group' }, this.tools.wl, this.tools.pan, this.tools.zoom, this.tools.measure),
      h('div', { class: 'tool-group' }, this.fitBtn, this.invertBtn, this.resetBtn, this.fullBtn, this.headerBtn),
      this.heatBox, this.frameBox);
    this.el = h('div', { class: 'viewer' }, this.toolbar, this.stage);

    this.img.addEventListener('error', () => {
      if (this.img.getAttribute('src') && !this.img.hidden) this.setStatus('viewer.imageFailed');
    });
    this.stage.addEventListener('pointerdown', (e) => this.pointerDown(e));
    this.stage.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.stage.addEventListener('dblclick', () => this.fit());
    this.stage.addEventListener('contextmenu', (e) => e.preventDefault());
    this.resizeObserver = new ResizeObserver(() => { if (this.fitted) this.fit(); });
    this.resizeObserver.observe(this.stage);
  }

  relabel() {
    this.fillPresets();
    this.labels.preset.textContent = t('viewer.window');
    this.labels.heat.textContent = t('viewer.heatmap');
    this.labels.opacity.textContent = t('viewer.opacity');
    this.labels.frame.textContent = t('viewer.frame');
    for (const [tool, btn] of Object.entries(this.tools)) {
      btn.textContent = t(`viewer.tool.${tool}`);
      btn.title = t(`viewer.tool.${tool}.hint`);
    }
    this.fitBtn.textContent = t('viewer.fit');
    this.invertBtn.textContent = t('viewer.invert');
    this.resetBtn.textContent = t('viewer.reset');
    this.fullBtn.textContent = t('viewer.full');
    this.fullBtn.title = t('viewer.full.hint');
    this.headerBtn.textContent = t('viewer.header');
    this.lossy.textContent = t('viewer.lossy');
    this.lossy.title = t('viewer.lossy.hint');
    this.stage.setAttribute('aria-label', t('viewer.stageHint'));
    this.fillHeatmaps();
    this.updateReadout();
    this.updateFrameLabel();
    this.drawOverlay();
    if (this.statusKey) this.status.textContent = t(this.statusKey);
  }

  /** The window presets: the file's own windows (with their explanation), CT windows for CT, and for projection
   * films the full range of the values and a high-contrast window around its middle. */
  presets() {
    const meta = this.data?.meta;
    const list = [];
    (meta?.windows ?? []).forEach((w, i) => list.push({ key: `file${i}`, wc: w.center, ww: w.width,
      label: w.explanation ? t('viewer.preset.file', { name: w.explanation }) : t('viewer.preset.fileN', { n: number(i + 1) }) }));
    if (this.modality === 'CT') for (const [k, wc, ww] of CT_PRESETS) list.push({ key: k, wc, ww, label: t(`viewer.preset.${k}`) });
    if (meta && !meta.samples.startsWith('rgb') && this.modality !== 'CT') {
      const lo = meta.min * meta.slope + meta.intercept, hi = meta.max * meta.slope + meta.intercept;
      const [a, b] = [Math.min(lo, hi), Math.max(lo, hi)];
      list.push({ key: 'fullRange', wc: (a + b) / 2, ww: Math.max(1, b - a), label: t('viewer.preset.fullRange') });
      if (PROJECTION.has(this.modality ?? meta.modality)) {
        list.push({ key: 'contrast', wc: (a + b) / 2, ww: Math.max(1, (b - a) / 2), label: t('viewer.preset.contrast') });
      }
    }
    return list;
  }

  fillPresets() {
    const current = this.preset.value;
    this.presetList = this.presets();
    replace(this.preset, h('option', { value: 'default' }, t('viewer.preset.default')),
      this.presetList.map((p) => h('option', { value: p.key }, p.label)),
      h('option', { value: 'custom', hidden: true }, t('viewer.preset.custom')));
    this.preset.value = [...this.preset.options].some((o) => o.value === current) ? current : 'default';
  }

  /** Shows the images of one series (or one multi-frame instance) as a stack, starting at item `index`. */
  setStack(instances, index = 0) {
    this.stack = [];
    for (const inst of instances) {
      for (let f = 1; f <= Math.max(1, inst.frames ?? 1); f++) this.stack.push({ inst, frame: f });
    }
    this.frameInput.max = String(Math.max(1, this.stack.length));
    this.frameBox.hidden = this.stack.length < 2;
    this.loadedSize = 0;
    this.fullRes = false;
    this.fullBtn.setAttribute('aria-pressed', 'false');
    const first = !this.shownInst;
    this.shownInst = null;
    this.firstStack = first;
    this.show(index);
  }

  indexOf(sop) { return this.stack.findIndex((s) => s.inst.sopInstanceUid === sop); }

  get current() { return this.stack[this.index] ?? null; }

  get currentKey() { return this.current ? `${this.current.inst.sopInstanceUid}|${this.current.frame}` : null; }

  show(index) {
    if (!this.stack.length) return;
    const before = this.shownInst;
    this.index = Math.min(this.stack.length - 1, Math.max(0, index));
    const { inst } = this.current;
    this.frameInput.value = String(this.index + 1);
    this.updateFrameLabel();
    if (before !== inst) {
      this.shownInst = inst;
      this.loadedSize = 0;
      this.jpegOnly = false;
      this.layer.style.width = `${inst.columns || 512}px`;
      this.layer.style.height = `${inst.rows || 512}px`;
      // Thumbnails come first on a slow link: show the (already cached) thumbnail stretched until values arrive,
      // marked as a lossy preview so it never passes for the image.
      if (!before && this.firstStack) {
        this.placeholder.src = thumbnailUrl(inst.sopInstanceUid);
        this.placeholder.hidden = false;
        this.setLossy(true);
      }
      if (this.heatmap && !(inst.heatmaps ?? []).some((m) => m.model === this.heatmap.model && m.label === this.heatmap.label)) {
        this.heatmap = null;
      }
      this.fillHeatmaps();
      if (this.fitted || !before) this.fit(false);
      this.firstStack = false;
    }
    this.updateReadout();
    this.updateCorners();
    this.load();
    this.drawOverlay();
    this.onFrameChange(this.current);
  }

  updateFrameLabel() {
    this.frameLabel.textContent = t('viewer.frameOf', { n: number(this.index + 1), total: number(this.stack.length) });
  }

  fileWindow() {
    const inst = this.current?.inst;
    return inst && inst.windowCenter != null && inst.windowWidth != null
      ? { wc: inst.windowCenter, ww: inst.windowWidth } : null;
  }

  /** The window in effect: the user's, else the values' default (the file's first window or the full range). */
  effectiveWindow() {
    if (this.window) return this.window;
    const d = this.data?.meta.defaultWindow;
    return d ? { wc: d.center, ww: d.width, fn: d.function } : this.fileWindow();
  }

  updateReadout() {
    const w = this.data?.meta.samples === 'rgb8' ? null : this.effectiveWindow();
    const zoom = number(Math.round(this.view.s * 100));
    this.readout.textContent = w
      ? t('viewer.readout', { wc: number(Math.round(w.wc)), ww: number(Math.round(w.ww)), zoom })
      : t('viewer.readoutZoom', { zoom });
  }

  updateCorners() {
    const cur = this.current;
    if (!cur) return;
    const st = this.study ?? {};
    const se = (st.series ?? []).find((x) => (x.instances ?? []).some((i) => i.sopInstanceUid === cur.inst.sopInstanceUid));
    this.overlay.showCorners({
      patient: personName(st.patientName), patientId: st.patientId, studyDate: dicomDate(st.studyDate), study: st.studyDescription,
      series: se ? [t('viewer.corner.series', { n: number(se.seriesNumber ?? 0) }), se.description].filter(Boolean).join(' · ') : '',
      image: t('viewer.corner.image', { n: number(this.index + 1), total: number(this.stack.length) }),
    });
  }

  /** The longer side to ask for: enough for the displayed size on this screen, in coarse steps so caches hit. */
  wantedSize() {
    const inst = this.current.inst;
    const native = Math.max(inst.rows || 0, inst.columns || 0);
    if (!native) return null;
    const shown = native * this.view.s * (window.devicePixelRatio || 1);
    const step = SIZE_STEPS.find((s) => s >= shown) ?? null;
    return step && step < native ? Math.max(step, this.loadedSize) : null;
  }

  /** The values step this screen needs: 512/1024/2048 or 'full' (the original values, lossless). */
  wantedStep() {
    if (this.fullRes) return 'full';
    const inst = this.current.inst;
    const native = Math.max(inst.rows || 0, inst.columns || 0);
    if (!native) return 'full';
    const shown = native * this.view.s * (window.devicePixelRatio || 1);
    const step = VALUE_STEPS.find((s) => s >= shown);
    return step && step < native ? step : 'full';
  }

  /** Brings the current frame's values to the step the screen needs: a 512 step first when nothing of this frame is
   * shown yet (progressive first paint), then the needed one. Never steps down; cached steps cost nothing. */
  async load() {
    const cur = this.current;
    if (!cur) return;
    if (this.jpegOnly) {
      this.loadJpeg();
      return;
    }
    const key = this.currentKey;
    const want = this.wantedStep();
    const have = this.shown.key === key ? this.shown.rank : 0;
    if (rank(want) <= have) {
      this.loadSeq++;
      this.pending = null;
      this.stage.classList.remove('loading');
      return;
    }
    // Already on its way (a resize or a zoom asked again): let that load finish.
    if (this.pending === `${key}|${want}`) return;
    const steps = have === 0 && rank(want) > 512 && !this.values.has(`${key}|${want}`) ? [512, want] : [want];
    const seq = ++this.loadSeq;
    this.pending = `${key}|${want}`;
    this.abort?.abort();
    const abort = this.abort = new AbortController();
    this.stage.classList.add('loading');
    try {
      for (const step of steps) {
        const cacheKey = `${key}|${step}`;
        let data = this.values.get(cacheKey);
        if (!data) {
          data = await fetchValues(cur.inst.sopInstanceUid, cur.frame, step, abort.signal);
          this.values.set(cacheKey, data);
          while (this.values.size > CACHE_ENTRIES) this.values.delete(this.values.keys().next().value);
        }
        if (seq !== this.loadSeq) return;
        this.setData(key, rank(step), data);
      }
      this.pending = null;
      this.stage.classList.remove('loading');
      this.setStatus(null);
    } catch (e) {
      if (seq === this.loadSeq) this.pending = null;
      if (seq !== this.loadSeq || e.name === 'AbortError') return;
      if (e.status === 401) { this.stage.classList.remove('loading'); this.setStatus('viewer.imageFailed'); return; }
      // The values endpoint cannot serve this image (e.g. 32-bit samples): server-rendered JPEG frames instead.
      this.jpegOnly = true;
      this.loadJpeg();
    }
  }

  setData(key, stepRank, data) {
    const instChanged = this.shown.key?.split('|')[0] !== key.split('|')[0];
    this.data = data;
    this.shown = { key, rank: data.meta.original ? Infinity : stepRank };
    this.img.hidden = true;
    this.placeholder.hidden = true;
    this.canvas.hidden = false;
    this.canvas.dataset.step = data.meta.original ? 'full' : String(stepRank);
    this.canvas.dataset.key = key;
    if (instChanged) this.fillPresets();
    this.paintNow();
    this.setLossy(!data.meta.original);
    this.fullBtn.disabled = data.meta.original;
    this.overlay.showOrientation(orientation(data.meta));
    this.updateReadout();
    this.drawOverlay();
  }

  setLossy(lossy) {
    this.lossy.hidden = !lossy;
    this.stage.dataset.lossy = String(lossy);
  }

  /** Repaints from the values in memory: what a window/level drag costs (no request). */
  paintNow() {
    cancelAnimationFrame(this.paintFrame);
    this.paintFrame = 0;
    if (!this.data) return;
    paint(this.canvas, this.data, this.effectiveWindow() ?? { wc: 2048, ww: 4096 }, this.invert);
    this.paints = (this.paints ?? 0) + 1;
    this.canvas.dataset.paints = String(this.paints);
  }

  schedulePaint() {
    if (!this.paintFrame) this.paintFrame = requestAnimationFrame(() => this.paintNow());
  }

  fullResolution() {
    this.fullRes = true;
    this.fullBtn.setAttribute('aria-pressed', 'true');
    this.load();
  }

  /** The fallback: a server-rendered JPEG of the current window (lossy, so labelled). */
  loadJpeg() {
    const cur = this.current;
    const size = this.fullRes ? null : this.wantedSize();
    const url = frameUrl(cur.inst.sopInstanceUid, cur.frame, { ...(this.window ?? {}), size });
    this.data = null;
    this.canvas.hidden = true;
    this.setLossy(true);
    if (this.img.dataset.url === url) return;
    const seq = ++this.loadSeq;
    this.stage.classList.add('loading');
    const pre = new Image();
    pre.onload = () => {
      if (seq !== this.loadSeq) return;
      this.img.src = url;
      this.img.dataset.url = url;
      this.img.hidden = false;
      this.placeholder.hidden = true;
      this.loadedSize = size ?? Number.MAX_SAFE_INTEGER;
      this.stage.classList.remove('loading');
      this.setStatus(null);
    };
    pre.onerror = () => {
      if (seq !== this.loadSeq) return;
      this.stage.classList.remove('loading');
      this.setStatus('viewer.imageFailed');
    };
    pre.src = url;
  }

  setStatus(key) {
    this.statusKey = key;
    this.status.textContent = key ? t(key) : '';
    this.status.hidden = !key;
  }

  setTool(tool) {
    this.tool = tool;
    this.stage.dataset.tool = tool;
    for (const [k, b] of Object.entries(this.tools)) b.setAttribute('aria-pressed', String(k === tool));
  }

  applyPreset(name) {
    if (name === 'default') this.setWindow(null);
    const p = (this.presetList ?? []).find((x) => x.key === name);
    if (p) this.setWindow({ wc: p.wc, ww: p.ww });
  }

  setWindow(w, immediate = true) {
    this.window = w;
    if (w === null) this.preset.value = 'default';
    this.updateReadout();
    if (this.data) {
      if (immediate) this.paintNow(); else this.schedulePaint();
      return;
    }
    clearTimeout(this.wlTimer);
    if (immediate) this.load();
    else this.wlTimer = setTimeout(() => this.load(), WL_DEBOUNCE_MS);
  }

  toggleInvert() {
    this.invert = !this.invert;
    this.invertBtn.setAttribute('aria-pressed', String(this.invert));
    this.img.style.filter = this.invert ? 'invert(1)' : '';
    this.paintNow();
  }

  async openHeader() {
    const cur = this.current;
    if (!cur) return;
    const { openHeader } = await import('./header.js');
    await openHeader(cur.inst.sopInstanceUid);
  }

  setHeatmap(hm) {
    this.heatmap = hm;
    this.fillHeatmaps();
  }

  fillHeatmaps() {
    const maps = this.current?.inst.heatmaps ?? [];
    replace(this.heatSelect, h('option', { value: '' }, t('viewer.heatmapNone')),
      maps.map((m) => h('option', { value: JSON.stringify({ model: m.model, label: m.label }) }, `${findingLabel(m.label)} (${m.model})`)));
    this.heatSelect.value = this.heatmap ? JSON.stringify({ model: this.heatmap.model, label: this.heatmap.label }) : '';
    this.heatSelect.disabled = maps.length === 0;
    this.opacityInput.disabled = maps.length === 0;
    this.paintHeat();
  }

  paintHeat() {
    const cur = this.current;
    if (!cur || !this.heatmap) {
      this.heat.hidden = true;
      this.heat.removeAttribute('src');
      return;
    }
    const url = heatmapUrl(cur.inst.sopInstanceUid, this.heatmap.model, this.heatmap.label);
    if (this.heat.getAttribute('src') !== url) this.heat.src = url;
    this.heat.style.opacity = String(this.opacity);
    this.heat.hidden = false;
  }

  // Geometry: the layer is the image at 1 CSS px per image pixel, placed by translate(x, y) scale(s).
  paintTransform() {
    const { s, x, y } = this.view;
    this.layer.style.transform = `translate(${x}px, ${y}px) scale(${s})`;
    this.updateReadout();
    this.drawOverlay();
  }

  drawOverlay() {
    const key = this.currentKey;
    this.overlay.drawMeasurements(this.measurements.get(key) ?? [], this.view, calibration(this.data?.meta), this.draft);
  }

  /** Stage coordinates to image pixel coordinates of the original image. */
  toImage(sx, sy) {
    return { x: (sx - this.view.x) / this.view.s, y: (sy - this.view.y) / this.view.s };
  }

  fit(reload = true) {
    const inst = this.current?.inst;
    if (!inst) return;
    const w = this.stage.clientWidth, hgt = this.stage.clientHeight;
    const cols = inst.columns || 512, rows = inst.rows || 512;
    if (!w || !hgt) return;
    const s = Math.min(w / cols, hgt / rows);
    this.view = { s, x: (w - cols * s) / 2, y: (hgt - rows * s) / 2 };
    this.fitted = true;
    this.paintTransform();
    if (reload) this.load();
  }

  zoomAt(factor, cx, cy) {
    const s = Math.min(20, Math.max(0.05, this.view.s * factor));
    const k = s / this.view.s;
    this.view = { s, x: cx - (cx - this.view.x) * k, y: cy - (cy - this.view.y) * k };
    this.fitted = false;
    this.paintTransform();
    clearTimeout(this.zoomTimer);
    this.zoomTimer = setTimeout(() => this.load(), WL_DEBOUNCE_MS);
  }

  reset() {
    this.window = null;
    this.preset.value = 'default';
    this.invert = false;
    this.invertBtn.setAttribute('aria-pressed', 'false');
    this.img.style.filter = '';
    this.measurements.delete(this.currentKey);
    this.paintNow();
    this.fit();
  }

  wheel(e) {
    e.preventDefault();
    if (e.shiftKey && this.stack.length > 1) {
      this.show(this.index + Math.sign(e.deltaY || e.deltaX));
      return;
    }
    const r = this.stage.getBoundingClientRect();
    this.zoomAt(Math.exp(-Math.sign(e.deltaY) * 0.15), e.clientX - r.left, e.clientY - r.top);
  }

  pointerDown(e) {
    if (!this.current || (e.button !== 0 && e.button !== 1)) return;
    e.preventDefault();
    this.stage.focus({ preventScroll: true });
    const mode = e.button === 1 || e.ctrlKey || e.metaKey || e.altKey || this.tool === 'pan' ? 'pan'
      : this.tool === 'zoom' ? 'zoom' : this.tool === 'measure' ? 'measure' : 'wl';
    const start = { x: e.clientX, y: e.clientY, view: { ...this.view } };
    const w0 = this.effectiveWindow() ?? { wc: 2048, ww: 4096 };
    const r = this.stage.getBoundingClientRect();
    const anchor = this.toImage(e.clientX - r.left, e.clientY - r.top);
    this.stage.setPointerCapture(e.pointerId);
    this.stage.classList.add('dragging');
    const move = (ev) => {
      const dx = ev.clientX - start.x, dy = ev.clientY - start.y;
      if (mode === 'pan') {
        this.view = { ...start.view, x: start.view.x + dx, y: start.view.y + dy };
        this.fitted = false;
        this.paintTransform();
      } else if (mode === 'zoom') {
        this.view = { ...start.view };
        this.zoomAt(Math.exp(-dy / 150), start.x - r.left, start.y - r.top);
      } else if (mode === 'measure') {
        this.draft = { a: anchor, b: this.toImage(ev.clientX - r.left, ev.clientY - r.top) };
        this.drawOverlay();
      } else {
        // Drag right widens the window, drag down raises the centre; the step scales with the window width.
        const step = Math.max(w0.ww, 1) / 256;
        const ww = Math.max(1, w0.ww + dx * step), wc = w0.wc + dy * step, fn = w0.fn;
        this.preset.value = 'custom';
        this.setWindow({ wc, ww, fn }, false);
      }
    };
    const up = (ev) => {
      this.stage.releasePointerCapture(ev.pointerId);
      this.stage.classList.remove('dragging');
      this.stage.removeEventListener('pointermove', move);
      this.stage.removeEventListener('pointerup', up);
      this.stage.removeEventListener('pointercancel', up);
      if (mode === 'measure' && this.draft) {
        const { a, b } = this.draft;
        this.draft = null;
        if (Math.hypot(b.x - a.x, b.y - a.y) * this.view.s >= 3) {
          const key = this.currentKey;
          this.measurements.set(key, [...(this.measurements.get(key) ?? []), { a, b }]);
        }
        this.drawOverlay();
      }
      if (mode === 'wl' && this.window) {
        clearTimeout(this.wlTimer);
        if (this.data) this.paintNow(); else this.load();
      }
    };
    this.stage.addEventListener('pointermove', move);
    this.stage.addEventListener('pointerup', up);
    this.stage.addEventListener('pointercancel', up);
  }

  onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'PageDown' || e.key === 'ArrowRight') this.show(this.index + 1);
    else if (e.key === 'ArrowUp' || e.key === 'PageUp' || e.key === 'ArrowLeft') this.show(this.index - 1);
    else if (e.key === 'Home') this.show(0);
    else if (e.key === 'End') this.show(this.stack.length - 1);
    else if (e.key === 'i') this.toggleInvert();
    else if (e.key === 'f') this.fit();
    else if (e.key === 'r') this.reset();
    else if (e.key === 'm') this.setTool(this.tool === 'measure' ? 'wl' : 'measure');
    else return false;
    e.preventDefault();
    return true;
  }

  destroy() {
    clearTimeout(this.wlTimer);
    clearTimeout(this.zoomTimer);
    cancelAnimationFrame(this.paintFrame);
    this.abort?.abort();
    this.resizeObserver.disconnect();
    this.loadSeq++;
  }
}
