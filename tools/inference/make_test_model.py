#!/usr/bin/python3
"""Writes a small ONNX model with its manifest, for the inference tests, with Debian's python3-torch.

    /usr/bin/python3 tools/inference/make_test_model.py OUTDIR --name NAME [--height 64 --width 48 --labels 3
        --channels 1 --dtype float32|float16 --seed 1 --fixed-batch N]

OUTDIR/NAME/{model.onnx, manifest.json, weights.pt}; the manifest's sha256 is the file's."""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testnet import build  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--name", default="testnet")
    ap.add_argument("--height", type=int, default=64)
    ap.add_argument("--width", type=int, default=48)
    ap.add_argument("--labels", type=int, default=3)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fixed-batch", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(1)
    net = build(args.seed, args.labels, args.channels)
    folder = os.path.join(args.outdir, args.name)
    os.makedirs(folder, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(folder, "weights.pt"))
    batch = args.fixed_batch or 2
    example = torch.zeros(batch, args.channels, args.height, args.width)
    if args.dtype == "float16":
        example = example.half()
    path = os.path.join(folder, "model.onnx")
    dynamic = None if args.fixed_batch else {"image": {0: "batch"}, "logits": {0: "batch"}, "heatmap": {0: "batch"}}
    torch.onnx.export(net, example, path, input_names=["image"], output_names=["logits", "heatmap"],
                      dynamic_axes=dynamic, opset_version=13)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    labels = ["alpha", "beta", "gamma", "delta", "epsilon"][: args.labels]
    manifest = {
        "name": args.name,
        "version": "test-1",
        "description": "Inference test network (random weights)",
        "file": "model.onnx",
        "sha256": digest,
        "input": {"name": "image", "dtype": args.dtype, "channels": args.channels,
                  "height": args.height, "width": args.width},
        "outputs": {"scores": "logits", "activation": "sigmoid", "heatmap": "heatmap"},
        "preprocessing": {
            "intensity": {"mode": "percentile", "low": 1, "high": 99},
            "invertMonochrome1": True,
            "resize": {"mode": "letterbox", "interpolation": "area"},
            "normalize": {"mean": 0.5, "std": 0.25},
        },
        "labels": [{"name": l, "threshold": 0.5, "urgency": 0.5 + 0.1 * i, "critical": i == 0}
                   for i, l in enumerate(labels)],
        "appliesTo": {"modalities": ["CR", "DX", "OT", "MR", "CT", "US", "XA", "SC", "RF", "MG", "NM", "PT"],
                      "bodyParts": [], "viewPositions": [], "sopClasses": [], "minRows": 0, "minColumns": 0},
        "batching": {"maxBatch": 8, "maxWaitMs": 5},
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
