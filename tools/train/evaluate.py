#!/usr/bin/python3
"""Evaluates models/cxr-triage/model.onnx on a freshly generated test set (a seed never used for training or
threshold selection) and prints the model card's figures: per-label AUC, and sensitivity / specificity at the
manifest's thresholds. The network is run from the ONNX file itself (onnx_numpy.py), with the torch checkpoint, when
present, as a cross-check. `--card` also rewrites MODEL_CARD.md from these figures.

    /usr/bin/python3 tools/train/evaluate.py [--card]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phantom_data  # noqa: E402
from onnx_numpy import OnnxModel  # noqa: E402

LABELS = phantom_data.LABELS


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def run_onnx(model, x, batch=32):
    outs = []
    for i in range(0, len(x), batch):
        logits, _ = model.run({"image": x[i:i + batch].astype(np.float32)})
        outs.append(logits)
    return np.concatenate(outs)


def bootstrap_auc_interval(y, p, rng, n=500):
    aucs = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() == y[idx].max():
            continue
        aucs.append(roc_auc_score(y[idx], p[idx]))
    return float(np.percentile(aucs, 2.5)), float(np.percentile(aucs, 97.5))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.environ.get("REMOTEDX_TRAIN_WORK", "/tmp/remotedx-train"))
    ap.add_argument("--model", default=os.path.join(phantom_data.REPO, "models/cxr-triage"))
    ap.add_argument("--test-count", type=int, default=1000)
    ap.add_argument("--test-seed", type=int, default=3003)
    ap.add_argument("--test-size", type=int, default=1024)
    ap.add_argument("--card", action="store_true", help="rewrite MODEL_CARD.md with these figures")
    args = ap.parse_args()
    started = time.time()

    manifest = json.load(open(os.path.join(args.model, "manifest.json")))
    test_dir = os.path.join(args.work, f"test-{args.test_seed}-{args.test_count}-{args.test_size}")
    phantom_data.generate(test_dir, args.test_count, args.test_seed, args.test_size, 0.5, "mixed")
    x, y, rows = phantom_data.load(test_dir, manifest)
    model = OnnxModel(os.path.join(args.model, manifest["file"]))
    logits = run_onnx(model, x)
    p = sigmoid(logits)

    checkpoint = os.path.join(args.work, "cxr-triage.pt")
    torch_diff = None
    if os.path.exists(checkpoint):
        import torch
        from model import TriageNet
        torch.set_num_threads(2)
        net = TriageNet(len(LABELS))
        net.load_state_dict(torch.load(checkpoint))
        net.eval()
        with torch.no_grad():
            ref, _ = net(torch.from_numpy(x[:64].astype(np.float32)))
        torch_diff = float(np.abs(ref.numpy() - logits[:64]).max())

    rng = np.random.default_rng(0)
    results = {"testSet": {"seed": args.test_seed, "count": args.test_count, "size": args.test_size, "findingsRate": 0.5,
                           "encodings": "mixed (native, RLE, JPEG Lossless)"},
               "onnxVsTorchMaxLogitDiff": torch_diff, "labels": {}}
    print(f"test set: {len(x)} images (seed {args.test_seed}, {args.test_size} px); ONNX vs torch max |logit diff| = {torch_diff}")
    print("| label | positives | AUC (95% bootstrap) | threshold | sensitivity | specificity |")
    print("|---|---|---|---|---|---|")
    for k, spec in enumerate(manifest["labels"]):
        name = spec["name"]
        yk, pk = y[:, k], p[:, k]
        auc = roc_auc_score(yk, pk)
        lo, hi = bootstrap_auc_interval(yk, pk, rng)
        positive = pk >= spec["threshold"]
        sens = float((positive & (yk == 1)).sum() / max(1, (yk == 1).sum()))
        spec_ = float((~positive & (yk == 0)).sum() / max(1, (yk == 0).sum()))
        # By severity: what the misses are.
        sev = np.array([int(r[f"{name}_severity"]) for r in rows])
        by_grade = {g: float((positive & (sev == g)).sum() / max(1, (sev == g).sum())) for g in (1, 2, 3)}
        results["labels"][name] = {"positives": int(yk.sum()), "auc": round(auc, 4), "aucLow": round(lo, 4), "aucHigh": round(hi, 4),
                                   "threshold": spec["threshold"], "sensitivity": round(sens, 4), "specificity": round(spec_, 4),
                                   "sensitivityByGrade": {str(g): round(v, 3) for g, v in by_grade.items()}}
        print(f"| {name} | {int(yk.sum())} | {auc:.3f} ({lo:.3f}-{hi:.3f}) | {spec['threshold']:.3f} | {sens:.3f} | {spec_:.3f} |")
    results["seconds"] = round(time.time() - started)
    with open(os.path.join(args.work, "evaluation.json"), "w") as f:
        json.dump(results, f, indent=2)
    if args.card:
        import model_card
        model_card.write(args.model, manifest, results, os.path.join(args.work, "training.json"))
        print("wrote", os.path.join(args.model, "MODEL_CARD.md"))


if __name__ == "__main__":
    main()
