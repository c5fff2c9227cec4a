#!/usr/bin/python3
"""The demonstration triage network: a small all-convolutional CNN whose last layer is a 1x1 convolution giving one
class-activation map per label ([N, labels, 16, 16] for a 256 x 256 input); each label's logit is a log-mean-exp
pooling of its map (a soft maximum, so a small lesion is not averaged away). Exported outputs: `logits` [N, labels]
and `heatmap` [N, labels, 16, 16] (the maps, in logit units)."""
import math

import torch
from torch import nn


def block(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class TriageNet(nn.Module):
    def __init__(self, labels=5, size=256):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, 2, 2, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),  # 128
            block(16, 32, 2), block(32, 32, 1),                                                 # 64
            block(32, 64, 2), block(64, 64, 1),                                                 # 32
            block(64, 112, 2), block(112, 112, 1),                                              # 16
        )
        self.cam = nn.Conv2d(112, labels, 1)
        cells = (size // 16) ** 2
        self.log_cells = math.log(cells)

    def forward(self, image):
        maps = self.cam(self.features(image))
        logits = torch.logsumexp(maps, dim=(2, 3)) - self.log_cells
        return logits, maps
