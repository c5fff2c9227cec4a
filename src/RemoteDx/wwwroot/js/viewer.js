// The image viewer: server-rendered JPEG frames in an <img> (the server applies modality LUT and VOI), window/level
// by presets or drag (debounced request with wc/ww; a CSS filter previews while dragging), zoom and pan by CSS
// transform, fit, invert, frame/slice scrolling and a heatmap overlay with an opacity control.
import { seg } from './api.js';
import { h, replace } from './dom.js';
import { findingLabel, number } from './format.js';
import { t } from './i18n.js';

// Common CT presets (centre, width in HU); for other modalities only the file's own window.
const CT_PRESETS = [['lung', -600, 1500], ['mediastinum', 40, 400], ['abdomen', 50, 400], ['bone', 400, 1800], ['brain', 40, 80]];
const SIZE_STEPS = [512, 1024, 2048, 4096];
const WL_DEBOUNCE_MS = 200;

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
  constructor({ modality, onFrameChange }) {
    this.modality = modality;
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
    this.img = h('img', { class: 'frame', id: 'frame', alt: '', draggable: 'false', decoding: 'async' });
    this.heat = h('img', { class: 'heat', id: 'heat', alt: '', draggable: 'false', hidden: true });
    this.layer = h('div', { class: 'layer' }, this.img, this.heat);
    this.status = h('div', { class: 'stage-status', id: 'stage-status', role: 'status' });
    this.readout = h('div', { class: 'readout', id: 'readout' });
    this.stage = h('div', { class: 'stage', id: 'stage', tabindex: 0, dataset: { tool: this.tool } },
      this.layer, this.readout, this.status);

    this.preset = h('select', { id: 'wl-preset' });
    this.preset.addEventListener('change', () => this.applyPreset(this.preset.value));
    this.tools = {};
    for (const tool of ['wl', 'pan', 'zoom']) {
      this.tools[tool] = h('button', { type: 'button', class: 'btn tool', id: `tool-${tool}`, 'aria-pressed': String(tool === this.tool),
        onclick: () => this.setTool(tool) });
    }
    this.fitBtn = h('button', { type: 'button', class: 'btn', id: 'btn-fit', onclick: () => this.fit() });
    this.invertBtn = h('button', { type: 'button', class: 'btn', id: 'btn-invert', 'aria-pressed': 'false', onclick: () => this.toggleInvert() });
    this.resetBtn = h('button', { type: 'button', class: 'btn', id: 'btn-reset', onclick: () => this.reset() });
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
      h('div', { class: 'tool-group' }, this.tools.wl, this.tools.pan, this.tools.zoom),
      h('div', { class: 'tool-group' }, this.fitBtn, this.invertBtn, this.resetBtn),
      this.heatBox, this.frameBox);
    this.el = h('div', { class: 'viewer' }, this.toolbar, this.stage);

    this.img.addEventListener('error', () => {
      if (this.img.getAttribute('src')) this.setStatus('viewer.imageFailed');
    });
    this.stage.addEventListener('pointerdown', (e) => this.pointerDown(e));
    this.stage.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.stage.addEventListener('dblclick', () => this.fit());
    this.stage.addEventListener('contextmenu', (e) => e.preventDefault());
    this.resizeObserver = new ResizeObserver(() => { if (this.fitted) this.fit(); });
    this.resizeObserver.observe(this.stage);
  }

  relabel() {
    const current = this.preset.value;
    replace(this.preset, h('option', { value: 'default' }, t('viewer.preset.default')),
      this.modality === 'CT' ? CT_PRESETS.map(([k]) => h('option', { value: k }, t(`viewer.preset.${k}`))) : null,
      h('option', { value: 'custom', hidden: true }, t('viewer.preset.custom')));
    this.preset.value = current || 'default';
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
    this.stage.setAttribute('aria-label', t('viewer.stageHint'));
    this.fillHeatmaps();
    this.updateReadout();
    this.updateFrameLabel();
    if (this.statusKey) this.status.textContent = t(this.statusKey);
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
    const first = !this.shownInst;
    this.shownInst = null;
    this.firstStack = first;
    this.show(index);
  }

  indexOf(sop) { return this.stack.findIndex((s) => s.inst.sopInstanceUid === sop); }

  get current() { return this.stack[this.index] ?? null; }

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
      this.layer.style.width = `${inst.columns || 512}px`;
      this.layer.style.height = `${inst.rows || 512}px`;
      // Thumbnails come first on a slow link: show the (already cached) thumbnail stretched until the frame arrives.
      if (!before && this.firstStack) this.img.src = thumbnailUrl(inst.sopInstanceUid);
      if (this.heatmap && !(inst.heatmaps ?? []).some((m) => m.model === this.heatmap.model && m.label === this.heatmap.label)) {
        this.heatmap = null;
      }
      this.fillHeatmaps();
      if (this.fitted || !before) this.fit(false);
      this.firstStack = false;
    }
    this.updateReadout();
    this.load();
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

  updateReadout() {
    const w = this.window ?? this.fileWindow();
    const zoom = number(Math.round(this.view.s * 100));
    this.readout.textContent = w
      ? t('viewer.readout', { wc: number(Math.round(w.wc)), ww: number(Math.round(w.ww)), zoom })
      : t('viewer.readoutZoom', { zoom });
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

  /** Requests the current frame with the current window; swaps it in when decoded so the old one stays meanwhile. */
  load() {
    const cur = this.current;
    if (!cur) return;
    const size = this.wantedSize();
    const url = frameUrl(cur.inst.sopInstanceUid, cur.frame, { ...(this.window ?? {}), size });
    if (this.img.dataset.url === url) {
      this.loadSeq++; // cancel an older request still in flight
      this.stage.classList.remove('loading');
      return;
    }
    const seq = ++this.loadSeq;
    const win = this.window ?? this.fileWindow();
    this.stage.classList.add('loading');
    const pre = new Image();
    pre.decoding = 'async';
    pre.onload = () => {
      if (seq !== this.loadSeq) return;
      this.img.src = url;
      this.img.dataset.url = url;
      this.loadedSize = size ?? Number.MAX_SAFE_INTEGER;
      this.loadedWindow = win;
      this.preview = null;
      this.paintFilter();
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
    const p = CT_PRESETS.find(([k]) => k === name);
    if (p) this.setWindow({ wc: p[1], ww: p[2] });
  }

  setWindow(w, immediate = true) {
    this.window = w;
    if (w === null) this.preset.value = 'default';
    this.updateReadout();
    clearTimeout(this.wlTimer);
    if (immediate) this.load();
    else this.wlTimer = setTimeout(() => this.load(), WL_DEBOUNCE_MS);
  }

  toggleInvert() {
    this.invert = !this.invert;
    this.invertBtn.setAttribute('aria-pressed', String(this.invert));
    this.paintFilter();
  }

  paintFilter() {
    const parts = [];
    if (this.preview) parts.push(`contrast(${this.preview.contrast.toFixed(3)})`, `brightness(${this.preview.brightness.toFixed(3)})`);
    if (this.invert) parts.push('invert(1)');
    this.img.style.filter = parts.join(' ');
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
    this.preview = null;
    this.paintFilter();
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
      : this.tool === 'zoom' ? 'zoom' : 'wl';
    const start = { x: e.clientX, y: e.clientY, view: { ...this.view } };
    const w0 = this.window ?? this.fileWindow() ?? { wc: 2048, ww: 4096 };
    const r = this.stage.getBoundingClientRect();
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
      } else {
        // Drag right widens the window, drag down raises the centre; the step scales with the window width.
        const step = Math.max(w0.ww, 1) / 256;
        const ww = Math.max(1, w0.ww + dx * step), wc = w0.wc + dy * step;
        const shown = this.loadedWindow ?? w0;
        this.preview = { contrast: shown.ww / ww, brightness: Math.max(0, 1 - (wc - shown.wc) / ww) };
        this.paintFilter();
        this.preset.value = 'custom';
        this.setWindow({ wc, ww }, false);
      }
    };
    const up = (ev) => {
      this.stage.releasePointerCapture(ev.pointerId);
      this.stage.classList.remove('dragging');
      this.stage.removeEventListener('pointermove', move);
      this.stage.removeEventListener('pointerup', up);
      this.stage.removeEventListener('pointercancel', up);
      if (mode === 'wl' && this.window) { clearTimeout(this.wlTimer); this.load(); }
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
    else return false;
    e.preventDefault();
    return true;
  }

  destroy() {
    clearTimeout(this.wlTimer);
    clearTimeout(this.zoomTimer);
    this.resizeObserver.disconnect();
    this.loadSeq++;
  }
}
