#!/usr/bin/python3
"""Reference implementation, in numpy, of RemoteDx's model preprocessing (docs/models.md, "Preprocessing, step by step").

The C# engine (src/RemoteDx.Core/Inference) and this file must agree to 1e-5; the tests hold them to it. Training uses
this file so that a model sees at training time exactly what it sees in service.

    /usr/bin/python3 tools/train/preprocess_ref.py MANIFEST.json FILE.dcm OUT.npy   # writes [C, H, W] float32
"""
import json
import math
import sys

import numpy as np


def modality_values(ds, stored):
    """Stored values -> modality values (Rescale Slope/Intercept, or the Modality LUT Sequence), float64."""
    pi = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    if int(ds.get("SamplesPerPixel", 1)) == 3 or pi == "PALETTE COLOR":
        raise ValueError("colour images: the reference covers grayscale only")
    if "ModalityLUTSequence" in ds and len(ds.ModalityLUTSequence) > 0:
        from pydicom.pixel_data_handlers.util import apply_modality_lut
        return apply_modality_lut(stored, ds).astype(np.float64)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    if slope == 0:
        slope = 1.0
    return stored.astype(np.float64) * slope + intercept


def _first(value):
    if value is None:
        return None
    try:
        return float(value[0])
    except TypeError:
        return float(value)


def intensity(ds, x, spec):
    """Modality values -> [0, 1]."""
    mode = spec.get("mode", "percentile")
    if mode == "window":
        c = spec.get("center")
        w = spec.get("width")
        if c is None or w is None:
            c = _first(ds.get("WindowCenter"))
            w = _first(ds.get("WindowWidth"))
        if c is not None and w is not None and w >= 1:
            # PS3.3 C.11.2.1.2.1, LINEAR, output range [0, 1]
            if w == 1:
                return np.where(x <= c - 0.5, 0.0, 1.0)
            y = (x - (c - 0.5)) / (w - 1) + 0.5
            return np.clip(y, 0.0, 1.0)
        mode = "percentile"
    if mode == "percentile":
        lo = np.percentile(x, spec.get("low", 0.5))
        hi = np.percentile(x, spec.get("high", 99.5))
    elif mode == "minmax":
        lo = x.min()
        hi = x.max()
    else:
        raise ValueError("unknown intensity mode " + mode)
    if hi <= lo:
        return np.zeros_like(x)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def area_weights(n_in, n_out):
    """[n_out, n_in] matrix averaging the piecewise-constant source over each output cell's footprint."""
    w = np.zeros((n_out, n_in), dtype=np.float64)
    scale = n_in / n_out
    for o in range(n_out):
        a = o * scale
        b = (o + 1) * scale
        i = int(math.floor(a))
        while i < n_in and i < b:
            overlap = min(b, i + 1) - max(a, i)
            if overlap > 0:
                w[o, i] += overlap / scale
            i += 1
    return w


def bilinear_weights(n_in, n_out):
    """[n_out, n_in] matrix of torch.nn.functional.interpolate(mode='bilinear', align_corners=False) on one axis."""
    w = np.zeros((n_out, n_in), dtype=np.float64)
    scale = n_in / n_out
    for o in range(n_out):
        s = max((o + 0.5) * scale - 0.5, 0.0)
        i0 = min(int(math.floor(s)), n_in - 1)
        i1 = min(i0 + 1, n_in - 1)
        f = s - i0
        w[o, i0] += 1.0 - f
        w[o, i1] += f
    return w


def placement(rows, cols, height, width, mode):
    """(top, left, h, w) of the image inside the model input."""
    if mode == "stretch":
        return 0, 0, height, width
    scale = min(height / rows, width / cols)
    h = max(1, min(height, int(round(rows * scale))))
    w = max(1, min(width, int(round(cols * scale))))
    return (height - h) // 2, (width - w) // 2, h, w


def preprocess_pixels(ds, stored, manifest):
    """Stored values of one grayscale frame -> [C, H, W] float32, and the placement (top, left, h, w)."""
    pre = manifest.get("preprocessing", {})
    inp = manifest["input"]
    height, width, channels = inp["height"], inp["width"], inp.get("channels", 1)
    x = modality_values(ds, stored)
    y = intensity(ds, x, pre.get("intensity", {"mode": "percentile"}))
    pi = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    if pre.get("invertMonochrome1", True) and pi == "MONOCHROME1":
        y = 1.0 - y
    resize = pre.get("resize", {})
    top, left, h, w = placement(y.shape[0], y.shape[1], height, width, resize.get("mode", "letterbox"))
    weights = area_weights if resize.get("interpolation", "area") == "area" else bilinear_weights
    resized = weights(y.shape[0], h) @ y @ weights(y.shape[1], w).T
    out = np.zeros((height, width), dtype=np.float64)
    out[top:top + h, left:left + w] = resized
    norm = pre.get("normalize", {})
    out = (out - norm.get("mean", 0.0)) / norm.get("std", 1.0)
    tensor = np.repeat(out[None, :, :], channels, axis=0).astype(np.float32)
    return tensor, (top, left, h, w)


def preprocess_file(path, manifest):
    import pydicom
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        stored = stored[0]
    return preprocess_pixels(ds, stored, manifest)


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        manifest = json.load(f)
    tensor, _ = preprocess_file(argv[2], manifest)
    np.save(argv[3], tensor)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
