#!/usr/bin/python3
"""Phantom data for training and evaluation: generate with `remotedx phantoms`, read with pydicom (JPEG Lossless files
are decompressed by DCMTK's dcmdjpeg first, since Debian's pydicom has no decoder for them), preprocess exactly as the
manifest declares with preprocess_ref.py, and cache the result as one .npz per folder."""
import csv
import os
import subprocess
import sys
import tempfile
from multiprocessing import Pool

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import preprocess_ref  # noqa: E402

LABELS = ["nodule", "consolidation", "effusion", "pneumothorax", "cardiomegaly"]
REMOTEDX = os.path.join(REPO, "src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx")
JPEG_LOSSLESS = {"1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"}


def build_remotedx():
    subprocess.run(["dotnet", "build", os.path.join(REPO, "src/RemoteDx"), "-c", "Release", "-nologo", "-v", "q"], check=True)


def generate(out_dir, count, seed, size, findings_rate, encoding="mixed"):
    """Runs the C# generator unless out_dir already holds a complete batch for these arguments."""
    stamp = os.path.join(out_dir, ".generated")
    args = [REMOTEDX, "phantoms", "--count", str(count), "--out", out_dir, "--seed", str(seed), "--size", str(size),
            "--findings-rate", str(findings_rate), "--encoding", encoding]
    # The generator's own build is part of the key: a changed generator regenerates.
    import hashlib
    core = os.path.join(os.path.dirname(REMOTEDX), "RemoteDx.Core.dll")
    key = " ".join(args[1:]) + " core-sha256=" + hashlib.sha256(open(core, "rb").read()).hexdigest()
    if os.path.exists(stamp) and open(stamp).read() == key:
        return
    if os.path.exists(os.path.join(out_dir, "preprocessed.npz")):
        os.remove(os.path.join(out_dir, "preprocessed.npz"))
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        f.write(key)


def read_stored(path):
    """(dataset, stored values) of the first frame."""
    import pydicom
    ds = pydicom.dcmread(path)
    if ds.file_meta.TransferSyntaxUID in JPEG_LOSSLESS:
        with tempfile.TemporaryDirectory() as tmp:
            plain = os.path.join(tmp, "plain.dcm")
            subprocess.run(["dcmdjpeg", path, plain], check=True)
            ds = pydicom.dcmread(plain)
    stored = ds.pixel_array
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        stored = stored[0]
    return ds, stored


_WEIGHTS = {}


def _sparse_weights(kind, n_in, n_out):
    from scipy import sparse
    key = (kind, n_in, n_out)
    if key not in _WEIGHTS:
        fn = preprocess_ref.area_weights if kind == "area" else preprocess_ref.bilinear_weights
        _WEIGHTS[key] = sparse.csr_matrix(fn(n_in, n_out))
    return _WEIGHTS[key]


def preprocess(ds, stored, manifest):
    """preprocess_ref.preprocess_pixels, step for step, with the resize weights of preprocess_ref applied as sparse
    matrices (Debian's numpy uses the reference BLAS, where the dense product costs ~0.5 s per 1024² image).
    check_parity() holds the two equal."""
    pre = manifest.get("preprocessing", {})
    inp = manifest["input"]
    height, width, channels = inp["height"], inp["width"], inp.get("channels", 1)
    x = preprocess_ref.modality_values(ds, stored)
    y = preprocess_ref.intensity(ds, x, pre.get("intensity", {"mode": "percentile"}))
    pi = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    if pre.get("invertMonochrome1", True) and pi == "MONOCHROME1":
        y = 1.0 - y
    resize = pre.get("resize", {})
    top, left, h, w = preprocess_ref.placement(y.shape[0], y.shape[1], height, width, resize.get("mode", "letterbox"))
    kind = resize.get("interpolation", "area")
    rows = _sparse_weights(kind, y.shape[0], h)
    cols = _sparse_weights(kind, y.shape[1], w)
    resized = (cols @ (rows @ y).T).T
    out = np.zeros((height, width), dtype=np.float64)
    out[top:top + h, left:left + w] = resized
    norm = pre.get("normalize", {})
    out = (out - norm.get("mean", 0.0)) / norm.get("std", 1.0)
    return np.repeat(out[None, :, :], channels, axis=0).astype(np.float32)


def check_parity(path, manifest):
    """Fails unless preprocess() equals preprocess_ref.preprocess_pixels() on this file (to 1e-5)."""
    ds, stored = read_stored(path)
    ours = preprocess(ds, stored, manifest)
    ref, _ = preprocess_ref.preprocess_pixels(ds, stored, manifest)
    diff = float(np.abs(ours - ref).max())
    if diff > 1e-5:
        raise AssertionError(f"preprocessing differs from preprocess_ref.py by {diff} on {path}")
    return diff


def _one(job):
    path, manifest = job
    ds, stored = read_stored(path)
    return preprocess(ds, stored, manifest).astype(np.float16)


def read_labels(folder):
    with open(os.path.join(folder, "labels.csv")) as f:
        rows = list(csv.DictReader(f))
    files = [os.path.join(folder, r["file"]) for r in rows]
    y = np.array([[int(r[n]) for n in LABELS] for r in rows], dtype=np.float32)
    return rows, files, y


def load(folder, manifest, workers=2):
    """(x [N, 1, H, W] float16, y [N, labels] float32, rows), cached in folder/preprocessed.npz."""
    cache = os.path.join(folder, "preprocessed.npz")
    rows, files, y = read_labels(folder)
    if os.path.exists(cache):
        data = np.load(cache)
        if data["x"].shape[0] == len(files) and data["x"].shape[2] == manifest["input"]["height"]:
            return data["x"], y, rows
    check_parity(files[0], manifest)
    with Pool(workers) as pool:
        tensors = pool.map(_one, [(p, manifest) for p in files], chunksize=16)
    x = np.stack(tensors)
    np.savez(cache, x=x)
    return x, y, rows
