#!/usr/bin/python3
"""Runs the test network in torch on a float32 .npy batch [N, C, H, W]; writes probabilities and heatmap logits.

    /usr/bin/python3 tools/inference/torch_reference.py MODELDIR INPUT.npy OUT_PREFIX
writes OUT_PREFIX.probabilities.npy (sigmoid of logits) and OUT_PREFIX.heatmap.npy."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testnet import TestNet  # noqa: E402


def main(argv):
    folder, inp, out = argv[1], argv[2], argv[3]
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    torch.set_num_threads(1)
    net = TestNet(len(manifest["labels"]), manifest["input"]["channels"])
    net.load_state_dict(torch.load(os.path.join(folder, "weights.pt")))
    net.eval()
    x = torch.from_numpy(np.load(inp).astype(np.float32))
    with torch.no_grad():
        logits, heatmap = net(x)
    np.save(out + ".probabilities.npy", torch.sigmoid(logits.double()).numpy())
    np.save(out + ".heatmap.npy", heatmap.numpy())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
