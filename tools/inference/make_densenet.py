#!/usr/bin/python3
"""Exports torchvision's DenseNet-121 architecture (random weights: nothing is downloaded) as an ONNX model with a
RemoteDx manifest, 1-channel 224x224 input and 5 sigmoid outputs: the size of model a site would bring (e.g. a
chest X-ray DenseNet-121). Used by bench/inference to measure the engine's overhead on a realistic network.

    /usr/bin/python3 tools/inference/make_densenet.py OUTDIR     # writes OUTDIR/densenet121/{model.onnx,manifest.json}
"""
import hashlib
import json
import os
import sys

import torch
import torchvision


def main(argv):
    out = os.path.join(argv[1], "densenet121")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    net = torchvision.models.densenet121(weights=None, num_classes=5)
    net.features.conv0 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    net.eval()
    path = os.path.join(out, "model.onnx")
    torch.onnx.export(net, torch.zeros(1, 1, 224, 224), path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    labels = ["nodule", "consolidation", "effusion", "pneumothorax", "cardiomegaly"]
    manifest = {
        "name": "densenet121", "version": "bench", "file": "model.onnx", "sha256": digest,
        "description": "DenseNet-121 architecture with random weights, for benchmarks only",
        "input": {"name": "image", "dtype": "float32", "channels": 1, "height": 224, "width": 224},
        "outputs": {"scores": "logits", "activation": "sigmoid"},
        "preprocessing": {"intensity": {"mode": "percentile", "low": 0.5, "high": 99.5}, "invertMonochrome1": True,
                          "resize": {"mode": "letterbox", "interpolation": "area"},
                          "normalize": {"mean": 0.5, "std": 0.25}},
        "labels": [{"name": l, "threshold": 0.5, "urgency": 0.5, "critical": l == "pneumothorax"} for l in labels],
        "appliesTo": {"modalities": ["CR", "DX"]},
        "batching": {"maxBatch": 16, "maxWaitMs": 5},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
