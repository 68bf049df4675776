#!/usr/bin/env python3
"""Writes the ncnn `Interp` goldens for Tests/SRModelsTests/InterpResizeTests.swift, computed by ncnn itself.

Run from the package root with the venv that has the PyPI `ncnn` package (the oracle of compare_ncnn.py):
  ~/.cache/srscope/venv/bin/python Scripts/make_interp_fixtures.py
Needs ncnn==1.0.20261020 and numpy. ncnn runs on the CPU in float32 (Vulkan, fp16/bf16 off), as in
Scripts/compare_ncnn.py. Output (Tests/SRModelsTests/Fixtures/):
  interp_ncnn.npz (np.savez, uncompressed)
      per case `<id>.params` = [resize_type, factor, align_corner], `<id>.input` (seeded, in [-0.25, 1.25])
      and `<id>.output`, ncnn's output for the two-layer graph `Input -> Interp 0=<type> 1=<f> 2=<f> [6=1]`:
      bicubic (type 3), bilinear (2) and nearest (1), down by 0.5 / 0.75 and up by 2, odd and even
      sizes (ncnn's SIMD and scalar column paths, every border rule).
  ncnn_srvgg_x4to2.{param,bin}, ncnn_srvgg_x4to3.{param,bin}
      the tiny SRVGGNetCompact of make_ncnn_fixtures.py (nf=5, num_conv=2, PReLU, fp16), but x4, followed
      by `Interp 0=3 1=0.5 2=0.5` (resp. 0.75) as in realesr-animevideov3-x2/-x3 (SR-SPEC §2.7).
  ncnn_srvgg_x4to2_io.npz, ncnn_srvgg_x4to3_io.npz
      `input`, a seeded [3, 7, 6] array in [0, 1], and `output`, ncnn's whole-graph output
      ([3, 14, 12] and [3, 21, 18]).
All arrays are float32.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ncnn_fixtures import fmt, srvgg  # noqa: E402  (same graph writer and tiny SRVGG)
from compare_ncnn import ncnn_fp32_net, run_ncnn  # noqa: E402  (the oracle's fp32 CPU net and extractor)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SRModelsTests", "Fixtures")

# (id, resize_type, factor, align_corner, input shape [C, H, W])
CASES = [
    ("bicubic_half", 3, 0.5, 0, (3, 16, 24)),
    ("bicubic_half_odd", 3, 0.5, 0, (3, 14, 22)),
    ("bicubic_three_quarters", 3, 0.75, 0, (3, 16, 28)),
    ("bicubic_double", 3, 2.0, 0, (3, 5, 7)),
    ("bicubic_three_quarters_align", 3, 0.75, 1, (3, 12, 20)),
    ("bilinear_half", 2, 0.5, 0, (3, 16, 24)),
    ("bilinear_three_quarters", 2, 0.75, 0, (3, 12, 20)),
    ("bilinear_double", 2, 2.0, 0, (3, 5, 7)),
    ("nearest_half", 1, 0.5, 0, (3, 10, 14)),
    ("nearest_three_quarters", 1, 0.75, 0, (3, 12, 20)),
    ("nearest_double", 1, 2.0, 0, (3, 5, 7)),
]


def make_net(param_text, bin_bytes=b""):
    net = ncnn_fp32_net(1)
    if net.load_param_mem(param_text) != 0:
        raise RuntimeError("ncnn: load_param_mem failed")
    net.load_model_mem(bin_bytes)
    return net


run = run_ncnn


def interp_cases():
    out = {}
    for i, (cid, rtype, factor, align, shape) in enumerate(CASES):
        x = np.random.default_rng(100 + i).uniform(-0.25, 1.25, size=shape).astype(np.float32)
        params = "0=%d 1=%s 2=%s" % (rtype, fmt(factor), fmt(factor)) + (" 6=1" if align else "")
        y = run(make_net("7767517\n2 2\nInput in 0 1 data\nInterp r 1 1 data output %s\n" % params), x)
        out[cid + ".params"] = np.array([rtype, factor, align], dtype=np.float32)
        out[cid + ".input"] = x
        out[cid + ".output"] = y
        print("%-30s %s -> %s" % (cid, "x".join(map(str, x.shape)), "x".join(map(str, y.shape))))
    return out


def srvgg_with_tail(stem, factor):
    g, _ = srvgg(scale=4)
    add = g.layers[-1]
    add["outputs"] = ["sum"]
    g.add("Interp", "Resize_tail", ["sum"], "0=3 1=%s 2=%s" % (fmt(factor), fmt(factor)), out="output")
    param, binary = g.emit(), g.bin(True)
    with open(os.path.join(OUT, stem + ".param"), "w") as f:
        f.write(param)
    with open(os.path.join(OUT, stem + ".bin"), "wb") as f:
        f.write(binary)
    x = np.random.default_rng(5).uniform(0, 1, size=(3, 7, 6)).astype(np.float32)
    y = run(make_net(param, binary), x)
    np.savez(os.path.join(OUT, stem + "_io.npz"), input=x, output=y)
    print("%-30s %d bin bytes, output %s" % (stem, len(binary), "x".join(map(str, y.shape))))


if __name__ == "__main__":
    np.savez(os.path.join(OUT, "interp_ncnn.npz"), **interp_cases())
    srvgg_with_tail("ncnn_srvgg_x4to2", 0.5)
    srvgg_with_tail("ncnn_srvgg_x4to3", 0.75)
