#!/usr/bin/python3
"""Independent figures for the validation tests, with Debian's scikit-learn (python3-sklearn).

    sklearn_reference.py pairs SCORES.csv THRESHOLD TARGET OUT.json
        SCORES.csv: score,truth per line (no header)
    sklearn_reference.py validate SCORES.csv LABELS.csv MANIFEST.json TARGET OUT.json
        SCORES.csv: `remotedx score` CSV output; LABELS.csv: file + one 0/1 column per label

Per label: auc (roc_auc_score), roc (roc_curve, drop_intermediate=False), sensitivity/specificity at the threshold
(positive = score >= threshold, confusion_matrix), and the largest threshold whose sensitivity >= TARGET."""
import csv
import json
import math
import os
import sys

try:
    import numpy as np
    from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve
except ImportError as e:
    print(f"{e}: apt-get install python3-sklearn python3-numpy", file=sys.stderr)
    sys.exit(3)


def figures(scores, truth, threshold, target):
    y = np.asarray(truth, dtype=int)
    s = np.asarray(scores, dtype=np.float64)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    tn, fp, fn, tp = confusion_matrix(y, (s >= threshold).astype(int), labels=[0, 1]).ravel()
    finite = [i for i in range(len(thr)) if i > 0 and tpr[i] >= target]
    best = max(finite, key=lambda i: thr[i]) if finite else None
    return {
        "cases": int(len(y)), "positives": int(y.sum()),
        "auc": float(roc_auc_score(y, s)),
        # The first point is (0, 0) above every score; its threshold differs between sklearn versions, so it is left out.
        "fpr": [float(v) for v in fpr[1:]], "tpr": [float(v) for v in tpr[1:]], "thresholds": [float(v) for v in thr[1:]],
        "sensitivity": float(tp / (tp + fn)), "specificity": float(tn / (tn + fp)),
        "thresholdForTarget": None if best is None else float(thr[best]),
        "specificityAtTarget": None if best is None else float(1 - fpr[best]),
    }


def main():
    mode = sys.argv[1]
    if mode == "pairs":
        rows = list(csv.reader(open(sys.argv[2])))
        out = figures([float(r[0]) for r in rows], [int(r[1]) for r in rows], float(sys.argv[3]), float(sys.argv[4]))
        json.dump(out, open(sys.argv[5], "w"))
        return 0
    scores_csv, labels_csv, manifest_path, target, out_path = sys.argv[2:7]
    manifest = json.load(open(manifest_path))
    probs = {}
    for r in csv.DictReader(open(scores_csv)):
        if r["status"] == "scored":
            probs[(r["path"], r["label"])] = float(r["probability"])
    folder = os.path.dirname(os.path.abspath(labels_csv))
    truth_rows = list(csv.DictReader(open(labels_csv)))
    result = {}
    for label in manifest["labels"]:
        name = label["name"]
        if name not in truth_rows[0]:
            continue
        s, t = [], []
        for r in truth_rows:
            path = os.path.normpath(os.path.join(folder, r["file"]))
            if r[name].strip() != "" and (path, name) in probs:
                s.append(probs[(path, name)])
                t.append(int(r[name]))
        result[name] = figures(s, t, float(label["threshold"]), float(target))
    json.dump(result, open(out_path, "w"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
