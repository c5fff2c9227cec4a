#!/usr/bin/python3
"""Scores sample-dicom/ with models/cxr-triage/model.onnx the way RemoteDx does (applicability from the manifest,
preprocess_ref.py, sigmoid, thresholds, priority = max probability x urgency over positive labels) and fails unless
every abnormal chest image ranks above every normal one."""
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phantom_data  # noqa: E402
import preprocess_ref  # noqa: E402
from onnx_numpy import OnnxModel  # noqa: E402


def applies(ds, rule):
    for key, attr in (("modalities", "Modality"), ("bodyParts", "BodyPartExamined"), ("viewPositions", "ViewPosition")):
        allowed = [v.upper() for v in rule.get(key, [])]
        if allowed and str(ds.get(attr, "")).upper() not in allowed:
            return False
    return int(ds.Rows) >= rule.get("minRows", 0) and int(ds.Columns) >= rule.get("minColumns", 0)


def main():
    repo = phantom_data.REPO
    samples = os.path.join(repo, "sample-dicom")
    model_dir = os.path.join(repo, "models/cxr-triage")
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    model = OnnxModel(os.path.join(model_dir, manifest["file"]))
    rows = list(csv.DictReader(open(os.path.join(samples, "labels.csv"))))
    normal, abnormal = [], []
    print(f"{'file':45} {'truth':28} priority  probabilities ({', '.join(l['name'] for l in manifest['labels'])})")
    for r in rows:
        ds, stored = phantom_data.read_stored(os.path.join(samples, r["file"]))
        truth = [n for n in phantom_data.LABELS if r[n] == "1"]
        if not applies(ds, manifest["appliesTo"]):
            print(f"{r['file']:45} {'(no model applies)':28}")
            continue
        x, _ = preprocess_ref.preprocess_pixels(ds, stored, manifest)
        logits, _ = model.run({"image": x[None]})
        p = 1 / (1 + np.exp(-logits[0]))
        priority = max([float(pk) * l["urgency"] for pk, l in zip(p, manifest["labels"]) if pk >= l["threshold"]], default=0.0)
        (abnormal if truth else normal).append((priority, r["file"]))
        print(f"{r['file']:45} {','.join(truth) or 'normal':28} {priority:8.3f}  " + " ".join(f"{v:.3f}" for v in p))
    lowest_abnormal = min(abnormal)
    highest_normal = max(normal)
    if lowest_abnormal[0] <= highest_normal[0]:
        print(f"FAIL: abnormal {lowest_abnormal[1]} ({lowest_abnormal[0]:.3f}) does not rank above normal {highest_normal[1]} ({highest_normal[0]:.3f})")
        return 1
    print(f"ok: every abnormal sample (lowest {lowest_abnormal[0]:.3f}) ranks above every normal one (highest {highest_normal[0]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
