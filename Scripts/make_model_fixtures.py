#!/usr/bin/env python3
"""Tiny generators with seeded random weights, and their outputs from an independent float64
NumPy forward pass written from SR-SPEC §1 (not from SRScope's Swift code).

Writes into Tests/SRModelsTests/Fixtures/:
  <name>.safetensors   weights (F32) under the key layout the architecture's checkpoints use
  <name>.input.npy     a [3, H, W] float32 input in [0, 1]
  <name>.output.npy    the float64 reference output, stored as float32
Run: python3 Scripts/make_model_fixtures.py   (numpy only)
"""
import json, os, struct, sys
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SRModelsTests", "Fixtures")

# ---------- primitives (SR-SPEC §1.1) ----------
def conv(x, w, b, pad=None):
    o, i, kh, kw = w.shape
    p = kh // 2 if pad is None else pad
    c, h, wd = x.shape
    xp = np.zeros((c, h + 2 * p, wd + 2 * p)); xp[:, p:p + h, p:p + wd] = x
    out = np.zeros((o, h + 2 * p - kh + 1, wd + 2 * p - kw + 1))
    for dy in range(kh):
        for dx in range(kw):
            patch = xp[:, dy:dy + out.shape[1], dx:dx + out.shape[2]]
            out += np.einsum("oi,ihw->ohw", w[:, :, dy, dx], patch)
    return out + b[:, None, None]

lrelu = lambda x, s: np.where(x >= 0, x, s * x)
relu = lambda x: np.maximum(x, 0)
def prelu(x, a): return np.where(x >= 0, x, a[:, None, None] * x)
def bn(x, p, eps=1e-5):
    return (x - p["running_mean"][:, None, None]) / np.sqrt(p["running_var"][:, None, None] + eps) * p["weight"][:, None, None] + p["bias"][:, None, None]
def nearest(x, s): return x.repeat(s, axis=1).repeat(s, axis=2)
def pixel_shuffle(x, r):
    c, h, w = x.shape; oc = c // (r * r)
    return x.reshape(oc, r, r, h, w).transpose(0, 3, 1, 4, 2).reshape(oc, h * r, w * r)
def pixel_unshuffle(x, s):
    c, h, w = x.shape
    return x.reshape(c, h // s, s, w // s, s).transpose(0, 2, 4, 1, 3).reshape(c * s * s, h // s, w // s)
def bilinear(x, s):
    c, h, w = x.shape
    def axis(n):
        dst = np.arange(n * s); src = np.maximum((dst + 0.5) / s - 0.5, 0)
        i0 = np.floor(src).astype(int); i1 = np.minimum(i0 + 1, n - 1); lam = src - i0
        return i0, i1, lam
    y0, y1, ly = axis(h); x0, x1, lx = axis(w)
    rows = x[:, y0, :] * (1 - ly)[None, :, None] + x[:, y1, :] * ly[None, :, None]
    return rows[:, :, x0] * (1 - lx) + rows[:, :, x1] * lx

# ---------- architectures ----------
def rrdbnet(W, x, nb, scale):
    c = lambda k, t: conv(t, W[k + ".weight"], W[k + ".bias"])
    feat = x if scale == 4 else pixel_unshuffle(x, 2 if scale == 2 else 4)
    feat = c("conv_first", feat); body = feat
    for b in range(nb):
        out = body
        for r in (1, 2, 3):
            p = f"body.{b}.rdb{r}."; xs = [out]
            for i in range(1, 5): xs.append(lrelu(c(p + f"conv{i}", np.concatenate(xs)), 0.2))
            out = c(p + "conv5", np.concatenate(xs)) * 0.2 + out
        body = out * 0.2 + body
    f = feat + c("conv_body", body)
    f = lrelu(c("conv_up1", nearest(f, 2)), 0.2); f = lrelu(c("conv_up2", nearest(f, 2)), 0.2)
    return c("conv_last", lrelu(c("conv_hr", f), 0.2))

def msrresnet(W, x, nb, scale):
    c = lambda k, t: conv(t, W[k + ".weight"], W[k + ".bias"])
    out = lrelu(c("conv_first", x), 0.1); feat = out
    for i in range(nb): out = out + c(f"body.{i}.conv2", relu(c(f"body.{i}.conv1", out)))
    if scale == 4:
        out = lrelu(pixel_shuffle(c("upconv1", out), 2), 0.1); out = lrelu(pixel_shuffle(c("upconv2", out), 2), 0.1)
    else:
        out = lrelu(pixel_shuffle(c("upconv1", out), scale), 0.1)
    out = c("conv_last", lrelu(c("conv_hr", out), 0.1))
    return out + bilinear(x, scale)

def srresnet2018(W, x, nb, use_bn):
    c = lambda k, t: conv(t, W[k + ".weight"], W[k + ".bias"])
    B = lambda k: {n: W[k + "." + n] for n in ("weight", "bias", "running_mean", "running_var")}
    fea = c("model.0", x); h = fea
    for i in range(nb):
        p = f"model.1.sub.{i}.res."
        if use_bn: r = bn(c(p + "3", relu(bn(c(p + "0", h), B(p + "1")))), B(p + "4"))
        else: r = c(p + "2", relu(c(p + "0", h)))
        h = h + r
    h = c(f"model.1.sub.{nb}", h)
    if use_bn: h = bn(h, B(f"model.1.sub.{nb + 1}"))
    h = fea + h
    h = relu(pixel_shuffle(c("model.2", h), 2)); h = relu(pixel_shuffle(c("model.5", h), 2))
    return c("model.10", relu(c("model.8", h)))

def srvgg(W, x, num_conv, scale):
    h = x
    for k in range(num_conv + 2):
        h = conv(h, W[f"body.{2 * k}.weight"], W[f"body.{2 * k}.bias"])
        if k < num_conv + 1: h = prelu(h, W[f"body.{2 * k + 1}.weight"])
    return pixel_shuffle(h, scale) + nearest(x, scale)

# ---------- weights ----------
def shapes_rrdb(nf, nb, gc, inch, scale):
    k = {4: 1, 2: 4, 1: 16}[scale]; S = {"conv_first": (nf, inch * k)}
    for b in range(nb):
        for r in (1, 2, 3):
            for i in range(1, 6): S[f"body.{b}.rdb{r}.conv{i}"] = (nf if i == 5 else gc, nf + (i - 1) * gc)
    for n in ("conv_body", "conv_up1", "conv_up2", "conv_hr"): S[n] = (nf, nf)
    S["conv_last"] = (3, nf); return S

def shapes_msr(nf, nb, scale):
    S = {"conv_first": (nf, 3)}
    for i in range(nb): S[f"body.{i}.conv1"] = (nf, nf); S[f"body.{i}.conv2"] = (nf, nf)
    if scale == 4: S["upconv1"] = (4 * nf, nf); S["upconv2"] = (4 * nf, nf)
    else: S["upconv1"] = (nf * scale * scale, nf)
    S["conv_hr"] = (nf, nf); S["conv_last"] = (3, nf); return S

def shapes_srresnet(nf, nb, use_bn):
    S = {"model.0": (nf, 3)}
    for i in range(nb):
        p = f"model.1.sub.{i}.res."
        S[p + "0"] = (nf, nf); S[p + ("3" if use_bn else "2")] = (nf, nf)
    S[f"model.1.sub.{nb}"] = (nf, nf)
    S["model.2"] = (4 * nf, nf); S["model.5"] = (4 * nf, nf); S["model.8"] = (nf, nf); S["model.10"] = (3, nf)
    return S

def make_weights(rng, conv_shapes, std=0.45):
    W = {}
    for k, (o, i) in conv_shapes.items():
        W[k + ".weight"] = (rng.standard_normal((o, i, 3, 3)) * std / np.sqrt(i)).astype(np.float32)
        W[k + ".bias"] = (rng.standard_normal(o) * 0.05).astype(np.float32)
    return W

def add_bn(rng, W, prefix, nf):
    W[prefix + ".weight"] = (1 + 0.2 * rng.standard_normal(nf)).astype(np.float32)
    W[prefix + ".bias"] = (0.1 * rng.standard_normal(nf)).astype(np.float32)
    W[prefix + ".running_mean"] = (0.1 * rng.standard_normal(nf)).astype(np.float32)
    W[prefix + ".running_var"] = (0.5 + rng.random(nf)).astype(np.float32)

def write_safetensors(path, W, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for k in sorted(W):
        a = np.ascontiguousarray(W[k], dtype="<f4"); b = a.tobytes()
        header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b); blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h); f.write(b"".join(blobs))

def emit(name, W, x, y, meta):
    write_safetensors(os.path.join(OUT, name + ".safetensors"), W, meta)
    np.save(os.path.join(OUT, name + ".input.npy"), x.astype(np.float32))
    np.save(os.path.join(OUT, name + ".output.npy"), y.astype(np.float32))
    print(f"{name}: input {x.shape} output {y.shape} mean {y.mean():.6f} min {y.min():.4f} max {y.max():.4f}")

def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261127)
    x = rng.random((3, 9, 7))          # odd sizes on purpose
    for scale, (h, w) in ((4, (9, 7)), (2, (8, 6)), (1, (8, 12))):
        W = make_weights(rng, shapes_rrdb(8, 2, 4, 3, scale))
        xi = rng.random((3, h, w))
        emit(f"rrdb_x{scale}", W, xi, rrdbnet({k: v.astype(np.float64) for k, v in W.items()}, xi, 2, scale),
             {"fixture": f"RRDBNet nf=8 nb=2 gc=4 x{scale}"})
    for scale in (4, 3):
        W = make_weights(rng, shapes_msr(8, 2, scale))
        emit(f"msrresnet_x{scale}", W, x, msrresnet({k: v.astype(np.float64) for k, v in W.items()}, x, 2, scale),
             {"fixture": f"MSRResNet nf=8 nb=2 x{scale}"})
    for use_bn in (True, False):
        W = make_weights(rng, shapes_srresnet(8, 2, use_bn))
        if use_bn:
            for i in range(2):
                add_bn(rng, W, f"model.1.sub.{i}.res.1", 8); add_bn(rng, W, f"model.1.sub.{i}.res.4", 8)
            add_bn(rng, W, "model.1.sub.3", 8)
        name = "srresnet_bn_x4" if use_bn else "srresnet_nobn_x4"
        emit(name, W, x, srresnet2018({k: v.astype(np.float64) for k, v in W.items()}, x, 2, use_bn), {"fixture": name})
    S = {"body.0": (8, 3), **{f"body.{2 * k}": (8, 8) for k in range(1, 3)}, "body.6": (3 * 16, 8)}
    W = make_weights(rng, S)
    for k in range(3): W[f"body.{2 * k + 1}.weight"] = (0.25 + 0.1 * rng.standard_normal(8)).astype(np.float32)
    emit("srvgg_x4", W, x, srvgg({k: v.astype(np.float64) for k, v in W.items()}, x, 2, 4), {"fixture": "SRVGGNetCompact nf=8 nc=2 x4"})

if __name__ == "__main__":
    main()
