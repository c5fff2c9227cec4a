#!/usr/bin/python3
"""The script a user would otherwise write to score a folder: pydicom + numpy + the same network through torch on CPU,
with the preprocessing the model's manifest asks for (percentile intensity, MONOCHROME1 inversion, letterbox with
area resize, normalisation), in batches of the manifest's maxBatch. Writes path,label,probability rows.

    /usr/bin/python3 bench/batch/baseline.py MODEL_DIR OUT.csv FILE_OR_FOLDER...

Prints "N images in S s (R images/s), F failed" for the scoring loop (imports and model load excluded)."""
import csv
import json
import os
import sys
import time

import numpy as np
import pydicom
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "inference"))
from testnet import TestNet  # noqa: E402


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in sorted(names):
                    yield os.path.join(root, n)
        else:
            yield p


def preprocess(ds, m):
    inp, pre = m["input"], m["preprocessing"]
    x = ds.pixel_array.astype(np.float32) * float(ds.get("RescaleSlope", 1) or 1) + float(ds.get("RescaleIntercept", 0) or 0)
    lo, hi = np.percentile(x, [pre["intensity"]["low"], pre["intensity"]["high"]])
    x = np.clip((x - lo) / max(hi - lo, 1e-6), 0, 1)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        x = 1 - x
    H, W = inp["height"], inp["width"]
    s = min(H / x.shape[0], W / x.shape[1])
    h, w = max(1, round(x.shape[0] * s)), max(1, round(x.shape[1] * s))
    small = F.interpolate(torch.from_numpy(x)[None, None], size=(h, w), mode="area")[0, 0]
    out = torch.zeros(H, W)
    out[(H - h) // 2:(H - h) // 2 + h, (W - w) // 2:(W - w) // 2 + w] = small
    return (out - pre["normalize"]["mean"]) / pre["normalize"]["std"]


def main():
    model_dir, out_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    m = json.load(open(os.path.join(model_dir, "manifest.json")))
    labels = [l["name"] for l in m["labels"]]
    net = TestNet(len(labels), m["input"]["channels"])
    net.load_state_dict(torch.load(os.path.join(model_dir, "weights.pt")))
    net.eval()
    batch_size = m.get("batching", {}).get("maxBatch", 16)
    todo = list(files(paths))
    start = time.perf_counter()
    failed = 0
    with open(out_path, "w", newline="") as f, torch.no_grad():
        out = csv.writer(f)
        out.writerow(["path", "label", "probability"])
        for i in range(0, len(todo), batch_size):
            names, tensors = [], []
            for p in todo[i:i + batch_size]:
                try:
                    tensors.append(preprocess(pydicom.dcmread(p), m))
                    names.append(p)
                except Exception as e:  # noqa: BLE001 - a bad file must not stop the batch
                    failed += 1
                    out.writerow([p, "", ""])
                    print(f"failed: {p}: {e}", file=sys.stderr)
            if not tensors:
                continue
            logits, _ = net(torch.stack(tensors)[:, None])
            for p, row in zip(names, torch.sigmoid(logits).numpy()):
                for l, v in zip(labels, row):
                    out.writerow([p, l, float(v)])
    s = time.perf_counter() - start
    print(f"{len(todo)} images in {s:.1f} s ({len(todo) / s:.2f} images/s), {failed} failed")


if __name__ == "__main__":
    main()
