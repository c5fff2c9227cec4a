// Client-side windowing: fetches a frame's modality values once per size step (/api/instances/{sop}/frames/{n}/values,
// docs/api.md) and paints them into a canvas through a lookup table built per window, so window/level, invert and
// MONOCHROME1 need no request. The grey pipeline is PS3.4 N.2.1: stored value → Modality LUT (rescale) → VOI window
// (LINEAR, LINEAR_EXACT or SIGMOID, PS3.3 C.11.2.1) → MONOCHROME1 inversion → 8-bit grey.
import { seg } from './api.js';

export const valuesUrl = (sop, frame, size) => `/api/instances/${seg(sop)}/frames/${frame}/values?size=${size}`;

export class ValuesError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** Fetches and decodes one rendition: { meta, grey: Int16Array|Uint16Array } or { meta, rgb: Uint8Array }. */
export async function fetchValues(sop, frame, size, signal) {
  const res = await fetch(valuesUrl(sop, frame, size), { credentials: 'same-origin', signal });
  if (!res.ok) throw new ValuesError(res.status, `values ${res.status}`);
  return decodeValues(await res.arrayBuffer());
}

export function decodeValues(buf) {
  const bytes = new Uint8Array(buf);
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'RDXV') throw new ValuesError(0, 'not a values body');
  const view = new DataView(buf);
  const len = view.getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const offset = 8 + len + ((8 + len) & 1);
  const n = meta.width * meta.height;
  if (meta.samples === 'rgb8') return { meta, rgb: bytes.slice(offset, offset + 3 * n) };
  if (meta.predictor !== 'med-planes') throw new ValuesError(0, `unknown predictor ${meta.predictor}`);
  // Residuals of the median edge detector (LOCO-I), low bytes then high bytes (docs/api.md "Frame values"); the typed
  // array's store wraps mod 2^16 exactly as the server's subtraction did.
  const { width: w, height: hgt } = meta;
  const lo = bytes.subarray(offset, offset + n), hi = bytes.subarray(offset + n, offset + 2 * n);
  const v = meta.signed ? new Int16Array(n) : new Uint16Array(n);
  for (let y = 0; y < hgt; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      let p;
      if (y === 0) p = x === 0 ? 0 : v[i - 1];
      else if (x === 0) p = v[i - w];
      else {
        const a = v[i - 1], b = v[i - w], c = v[i - w - 1];
        const mx = a > b ? a : b, mn = a > b ? b : a;
        p = c >= mx ? mn : c <= mn ? mx : a + b - c;
      }
      v[i] = p + (lo[i] | (hi[i] << 8));
    }
  }
  return { meta, grey: v };
}

/** 8-bit display value of modality value x for window (wc, ww) with the dataset's VOI LUT Function. */
export function voi(x, wc, ww, fn) {
  if (fn === 'SIGMOID') return 255 / (1 + Math.exp(-4 * (x - wc) / ww));
  if (fn === 'LINEAR_EXACT') {
    if (x <= wc - ww / 2) return 0;
    return x > wc + ww / 2 ? 255 : ((x - wc) / ww + 0.5) * 255;
  }
  // PS3.3 C.11.2.1.2.1: LINEAR, width at least 1.
  const c = wc - 0.5, w = Math.max(1, ww) - 1;
  if (x <= c - w / 2) return 0;
  return x > c + w / 2 ? 255 : ((x - c) / Math.max(w, 1e-9) + 0.5) * 255;
}

/** Paints a decoded rendition into `canvas` with window `win` ({ wc, ww[, fn] } in modality units; fn overrides the
 * dataset's VOI LUT Function) and `invert`. */
export function paint(canvas, data, win, invert) {
  const { meta } = data;
  if (canvas.width !== meta.width) canvas.width = meta.width;
  if (canvas.height !== meta.height) canvas.height = meta.height;
  const g = canvas.getContext('2d');
  const img = g.createImageData(meta.width, meta.height);
  const out = new Uint32Array(img.data.buffer);
  if (data.rgb) {
    const src = data.rgb;
    const x = invert ? 255 : 0;
    for (let i = 0, j = 0; i < out.length; i++, j += 3) {
      out[i] = 0xff000000 | ((src[j + 2] ^ x) << 16) | ((src[j + 1] ^ x) << 8) | (src[j] ^ x);
    }
  } else {
    const table = lookupTable(meta, win, invert);
    const src = data.grey;
    const min = meta.min;
    for (let i = 0; i < out.length; i++) out[i] = table[src[i] - min];
  }
  g.putImageData(img, 0, 0);
}

/** One RGBA entry per value in [min, max]: at most 65,536 entries, so a drag rebuilds it cheaply per frame. */
export function lookupTable(meta, win, invert) {
  const size = meta.max - meta.min + 1;
  const table = new Uint32Array(size);
  const flip = (meta.photometric === 'MONOCHROME1') !== Boolean(invert);
  const { wc, ww } = win;
  const fn = win.fn ?? meta.voiFunction;
  for (let k = 0; k < size; k++) {
    const x = (meta.min + k) * meta.slope + meta.intercept;
    let y = Math.round(voi(x, wc, ww, fn));
    y = y < 0 ? 0 : y > 255 ? 255 : y;
    if (flip) y = 255 - y;
    table[k] = 0xff000000 | (y << 16) | (y << 8) | y;
  }
  return table;
}
