"""A tiny class-activation-map CNN used by RemoteDx's inference tests (not a medical model).

logits = global average of a per-label map, so the map is exported as the heatmap output."""
import torch
from torch import nn


class TestNet(nn.Module):
    def __init__(self, labels=3, channels=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.cam = nn.Conv2d(16, labels, 1)

    def forward(self, x):
        x = x.float()
        heatmap = self.cam(self.features(x))
        logits = heatmap.mean(dim=(2, 3))
        return logits, heatmap


def build(seed, labels=3, channels=1):
    torch.manual_seed(seed)
    net = TestNet(labels, channels)
    # Spread the logits so probabilities are not all ~0.5.
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(3.0)
    net.eval()
    return net
