#!/usr/bin/python3
"""The demonstration triage network: a small all-convolutional CNN whose last layer is a 1x1 convolution giving one
class-activation map per label ([N, labels, 12, 12] for the 192 x 192 input); each label's logit is a log-mean-exp
pooling of its map (a soft maximum, so a small lesion is not averaged away). Exported outputs: `logits` [N, labels]
and `heatmap` [N, labels, 12, 12] (the maps, in logit units)."""
import math

import torch
from torch import nn


def block(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class TriageNet(nn.Module):
    def __init__(self, labels=5, size=192):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 12, 5, 2, 2, bias=False), nn.BatchNorm2d(12), nn.ReLU(inplace=True),  # 1/2
            block(12, 24, 2), block(24, 24, 1),                                                 # 1/4
            block(24, 48, 2), block(48, 48, 1),                                                 # 1/8
            block(48, 96, 2), block(96, 96, 1),                                                 # 1/16
        )
        self.cam = nn.Conv2d(96, labels, 1)
        cells = (size // 16) ** 2
        self.log_cells = math.log(cells)

    def forward(self, image):
        maps = self.cam(self.features(image))
        logits = torch.logsumexp(maps, dim=(2, 3)) - self.log_cells
        return logits, maps
