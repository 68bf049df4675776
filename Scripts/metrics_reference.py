#!/usr/bin/env python3
"""Independent NumPy/SciPy reference for SRMetrics (PSNR, SSIM, LPIPS, NIQE).

Written from /work/shared/docs/SR-SPEC.md section 3 (not from BasicSR's code), in float64
except where noted, so that the Swift implementation can be checked against it.

Usage:
  python3 Scripts/metrics_reference.py --selftest
      checks the reference against the spec's test vectors (bicubic ramp, NIQE pristine values).
  python3 Scripts/metrics_reference.py --data DIR [--assets DIR] [--write-pairs OUT]
      DIR holds the scikit-image photos (skimage/data of scikit_image-0.25.2); for each photo
      builds (HR, MATLAB-bicubic x4 down-then-up, noisy) and prints PSNR/SSIM (Y and RGB, crop 4),
      LPIPS-alex/vgg and NIQE (crop 4). --write-pairs saves the pairs as PNG so the Swift side
      can be run on the exact same pixels.
  python3 Scripts/metrics_reference.py --images A.png B.png [--crop N] [--assets DIR]
      prints every metric for one pair.

Assets (--assets, default $SRSCOPE_ASSETS or ~/.cache/srscope): niqe/niqe_pris_params.npz,
lpips/alexnet.ckpt, lpips/vgg16.ckpt. LPIPS/NIQE are skipped when missing.
"""
import argparse
import math
import os
import pickle
import struct
import sys
import zlib

import numpy as np
from scipy import ndimage
from scipy.special import gamma

# ----------------------------------------------------------------------------- PNG I/O (8-bit)


def png_read(path):
    """Decodes a non-interlaced 8-bit gray/RGB/RGBA PNG into uint8 HxWx3 (gray replicated)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and interlace == 0, (path, depth, interlace)
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * ch
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        cur = np.zeros(stride, np.int32)
        if f in (0, 1, 2):
            cur = {0: line, 2: line + prev,
                   1: np.cumsum(line.reshape(-1, ch), axis=0).ravel()}[f] & 255
        for x in (range(stride) if f > 2 else ()):
            a = cur[x - ch] if x >= ch else 0
            b = prev[x]
            c = prev[x - ch] if x >= ch else 0
            if f == 0:
                p = 0
            elif f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + p) & 255
        out[y] = cur
        prev = cur
    img = out.reshape(h, w, ch)
    if ch in (1, 2):
        img = np.repeat(img[:, :, :1], 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


def png_write(path, img):
    """Writes uint8 HxWx3 (or HxW gray) as PNG, filter 'up'/'sub' chosen per row by min sum."""
    img = np.asarray(img, np.uint8)
    ctype = 2 if img.ndim == 3 else 0
    h, w = img.shape[:2]
    rows = img.reshape(h, -1).astype(np.int32)
    ch = 3 if ctype == 2 else 1
    raw = bytearray()
    prev = np.zeros(rows.shape[1], np.int32)
    for r in rows:
        sub = (r - np.concatenate([np.zeros(ch, np.int32), r[:-ch]])) & 255
        up = (r - prev) & 255
        cands = [(0, r), (1, sub), (2, up)]
        f, line = min(cands, key=lambda t: np.minimum(t[1], 256 - t[1]).sum())
        raw.append(f)
        raw += line.astype(np.uint8).tobytes()
        prev = r

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(png)


# ----------------------------------------------------------------------------- 3.1 Y channel


def y_channel(rgb255):
    """MATLAB BT.601 studio Y of an HxWx3 image on the 0..255 scale, unrounded, in 16..235."""
    x = np.asarray(rgb255, np.float64) / 255.0
    return 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]


def prepare(img, crop, use_y):
    img = np.asarray(img, np.float64)
    if crop:
        img = img[crop:-crop, crop:-crop]
    if use_y:
        img = y_channel(img)[..., None]
    return img


# ----------------------------------------------------------------------------- 3.2 PSNR, 3.3 SSIM


def psnr(a, b, crop=0, use_y=False):
    a, b = prepare(a, crop, use_y), prepare(b, crop, use_y)
    mse = np.mean((a - b) ** 2)
    return math.inf if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)


def gaussian1d(size, sigma):
    r = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(r ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def filter_valid(x, g):
    """2-D correlation of x with outer(g, g), valid region only (separable)."""
    k = len(g)
    rows = sum(g[i] * x[i:x.shape[0] - k + 1 + i, :] for i in range(k))
    return sum(g[j] * rows[:, j:rows.shape[1] - k + 1 + j] for j in range(k))


def ssim_map_channel(x, y):
    g = gaussian1d(11, 1.5)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = filter_valid(x, g), filter_valid(y, g)
    sxx = filter_valid(x * x, g) - mx * mx
    syy = filter_valid(y * y, g) - my * my
    sxy = filter_valid(x * y, g) - mx * my
    return ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))


def ssim(a, b, crop=0, use_y=False):
    a, b = prepare(a, crop, use_y), prepare(b, crop, use_y)
    return float(np.mean([ssim_map_channel(a[..., c], b[..., c]).mean() for c in range(a.shape[2])]))


# ----------------------------------------------------------------------------- 3.4 bicubic


def cubic(x):
    ax = np.abs(x)
    return np.where(ax <= 1, 1.5 * ax ** 3 - 2.5 * ax ** 2 + 1,
                    np.where(ax <= 2, -0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2, 0.0))


def resize_matrix(n_in, scale):
    """Dense (n_out x n_in) matrix of MATLAB imresize bicubic weights with antialiasing."""
    n_out = int(math.ceil(n_in * scale))
    width = 4.0 / scale if scale < 1 else 4.0
    m = np.zeros((n_out, n_in))
    for k in range(1, n_out + 1):
        u = k / scale + 0.5 * (1 - 1 / scale)
        left = math.floor(u - width / 2)
        taps = np.arange(left, left + int(math.ceil(width)) + 2)
        d = u - taps
        w = scale * cubic(scale * d) if scale < 1 else cubic(d)
        w = w / w.sum()
        for t, wt in zip(taps, w):
            i = t - 1  # 0-based
            i = -i - 1 if i < 0 else (2 * n_in - 1 - i if i >= n_in else i)
            m[k - 1, i] += wt
    return m


def imresize(img, scale):
    """Resizes HxW or HxWxC float image: along H first, then along W. No clamp, no rounding."""
    img = np.asarray(img, np.float64)
    mh, mw = resize_matrix(img.shape[0], scale), resize_matrix(img.shape[1], scale)
    out = np.tensordot(mh, img, axes=(1, 0))
    out = np.tensordot(mw, out, axes=(1, 1)).swapaxes(0, 1)
    return out


def to_uint8(x01):
    return np.clip(np.round(np.clip(x01, 0, 1) * 255.0), 0, 255).astype(np.uint8)


def bicubic_down_up(hr_u8, factor=4):
    """HR uint8 -> LR = imresize(HR, 1/f) -> uint8 -> imresize(LR, f) -> uint8 (like an SR output)."""
    lr = to_uint8(imresize(hr_u8 / 255.0, 1.0 / factor))
    return to_uint8(imresize(lr / 255.0, float(factor)))


# ----------------------------------------------------------------------------- 3.6 NIQE


ALPHA_GRID = 0.2 + 0.001 * np.arange(9801)
RHO_GRID = gamma(2 / ALPHA_GRID) ** 2 / (gamma(1 / ALPHA_GRID) * gamma(3 / ALPHA_GRID))


def aggd(x):
    x = x.ravel()
    left, right = x[x < 0], x[x > 0]
    # An empty side has no defined spread: NaN, and the block is dropped from the covariance.
    sl = math.sqrt(np.mean(left ** 2)) if left.size else math.nan
    sr = math.sqrt(np.mean(right ** 2)) if right.size else math.nan
    gh = sl / sr
    rh = np.mean(np.abs(x)) ** 2 / np.mean(x ** 2)
    big_r = rh * (gh ** 3 + 1) * (gh + 1) / (gh ** 2 + 1) ** 2
    alpha = ALPHA_GRID[np.argmin((RHO_GRID - big_r) ** 2)]
    f = math.sqrt(gamma(1 / alpha) / gamma(3 / alpha))
    return alpha, sl * f, sr * f


def block_features(b):
    a, bl, br = aggd(b)
    feats = [a, (bl + br) / 2]
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        p = b * np.roll(b, (dy, dx), axis=(0, 1))
        a, bl, br = aggd(p)
        eta = (br - bl) * gamma(2 / a) / gamma(1 / a)
        feats += [a, eta, bl, br]
    return feats


def niqe(rgb255, params, crop=0):
    y = np.asarray(y_channel(np.asarray(rgb255, np.float64)), np.float32).astype(np.float64)
    if crop:
        y = y[crop:-crop, crop:-crop]
    y = np.round(y)
    bs = 96
    h, w = (y.shape[0] // bs) * bs, (y.shape[1] // bs) * bs
    assert h // bs * w // bs >= 2, "NIQE needs at least 2 blocks of 96x96"
    img = y[:h, :w]
    win = params["gaussian_window"]
    per_scale = []
    for scale in (1, 2):
        mu = ndimage.correlate(img, win, mode="nearest")
        sig = np.sqrt(np.abs(ndimage.correlate(img * img, win, mode="nearest") - mu * mu))
        mscn = (img - mu) / (sig + 1)
        s = bs // scale
        feats = [block_features(mscn[i:i + s, j:j + s])
                 for i in range(0, mscn.shape[0], s) for j in range(0, mscn.shape[1], s)]
        per_scale.append(np.array(feats))
        if scale == 1:
            img = imresize(img / 255.0, 0.5) * 255.0
    feats = np.concatenate(per_scale, axis=1)
    mu_d = np.nanmean(feats, axis=0)
    cov_d = np.cov(feats[~np.isnan(feats).any(axis=1)], rowvar=False)
    diff = params["mu_pris_param"].ravel() - mu_d
    inv = np.linalg.pinv((params["cov_pris_param"] + cov_d) / 2)
    return float(np.sqrt(diff @ inv @ diff))


# ----------------------------------------------------------------------------- 3.7 LPIPS


def load_ckpt(path):
    flat = {}

    def walk(d, prefix):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, prefix + k + "/")
            else:
                flat[prefix + k] = np.asarray(v, np.float32)

    with open(path, "rb") as f:
        walk(pickle.load(f), "")
    return flat


def conv(x, k_hwio, bias, stride=1, pad=0):
    """x CHW, kernel HWIO; correlation (PyTorch conv2d semantics), zero padding. Sums in the
    wider of the two dtypes (float32 for the metrics, float64 for Scripts/vgg_reference.py)."""
    kh, kw, _, co = k_hwio.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    ho = (xp.shape[1] - kh) // stride + 1
    wo = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((co, ho * wo), np.result_type(x, k_hwio))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride]
            out += k_hwio[i, j].T @ patch.reshape(patch.shape[0], -1)
    return out.reshape(co, ho, wo) + bias[:, None, None]


def maxpool(x, k, s):
    ho, wo = (x.shape[1] - k) // s + 1, (x.shape[2] - k) // s + 1
    out = np.full((x.shape[0], ho, wo), -np.inf, np.float32)
    for i in range(k):
        for j in range(k):
            out = np.maximum(out, x[:, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s])
    return out


def alex_features(x, w):
    c = lambda t, n, s, p: np.maximum(conv(t, w[f"AlexNet_0/Conv_{n}/kernel"], w[f"AlexNet_0/Conv_{n}/bias"], s, p), 0)
    r1 = c(x, 0, 4, 2)
    r2 = c(maxpool(r1, 3, 2), 1, 1, 2)
    r3 = c(maxpool(r2, 3, 2), 2, 1, 1)
    r4 = c(r3, 3, 1, 1)
    r5 = c(r4, 4, 1, 1)
    return [r1, r2, r3, r4, r5]


def vgg_features(x, w):
    plan = [2, 2, 3, 3, 3]
    taps, n, t = [], 0, x
    for stage, reps in enumerate(plan):
        if stage:
            t = maxpool(t, 2, 2)
        for _ in range(reps):
            t = np.maximum(conv(t, w[f"VGG16_0/Conv_{n}/kernel"], w[f"VGG16_0/Conv_{n}/bias"], 1, 1), 0)
            n += 1
        taps.append(t)
    return taps


def bilinear_resize(m, h, w):
    """PyTorch F.interpolate(mode='bilinear', align_corners=False, size=(h, w)) of a 2-D map."""
    def axis(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, src - i0
    r0, r1, ly = axis(m.shape[0], h)
    c0, c1, lx = axis(m.shape[1], w)
    rows = m[r0] * (1 - ly)[:, None] + m[r1] * ly[:, None]
    return rows[:, c0] * (1 - lx) + rows[:, c1] * lx


def lpips(a01, b01, w, backbone="alex", spatial=False):
    """a01, b01: HxWx3 in [0,1]. Returns (distance, per-layer list[, spatial map])."""
    shift = np.array([-0.030, -0.088, -0.188], np.float32)[:, None, None]
    scale = np.array([0.458, 0.448, 0.450], np.float32)[:, None, None]
    net = alex_features if backbone == "alex" else vgg_features
    feats = []
    for img in (a01, b01):
        x = np.asarray(img, np.float32).transpose(2, 0, 1) * 2 - 1
        feats.append(net((x - shift) / scale, w))
    layers, total_map = [], np.zeros(a01.shape[:2])
    for i, (f0, f1) in enumerate(zip(*feats)):
        n0 = f0 / (np.sqrt((f0.astype(np.float64) ** 2).sum(0)) + 1e-10)
        n1 = f1 / (np.sqrt((f1.astype(np.float64) ** 2).sum(0)) + 1e-10)
        lin = w[f"NetLinLayer_{i}/Conv_0/kernel"].reshape(-1).astype(np.float64)
        d = np.tensordot(lin, (n0 - n1) ** 2, axes=(0, 0))
        layers.append(float(d.mean()))
        if spatial:
            total_map += bilinear_resize(d, *a01.shape[:2])
    return (sum(layers), layers, total_map) if spatial else (sum(layers), layers)


# ----------------------------------------------------------------------------- driver

PHOTOS = ["astronaut", "chelsea", "coffee", "ihc"]  # rocket.jpg needs a JPEG decoder: not used


def assets_dir(arg):
    return arg or os.environ.get("SRSCOPE_ASSETS") or os.path.expanduser("~/.cache/srscope")


def load_assets(root):
    out = {}
    npz = os.path.join(root, "niqe", "niqe_pris_params.npz")
    if os.path.exists(npz):
        out["niqe"] = dict(np.load(npz))
    for name, file in (("alex", "alexnet.ckpt"), ("vgg", "vgg16.ckpt")):
        path = os.path.join(root, "lpips", file)
        if os.path.exists(path):
            out[name] = load_ckpt(path)
    return out


def make_pairs(hr, seed=0, sigma=10.0):
    """(bicubic x4 down-then-up, noisy) versions of a uint8 HR whose sides are multiples of 4."""
    rng = np.random.default_rng(seed)
    noisy = np.clip(np.round(hr + rng.normal(0, sigma, hr.shape)), 0, 255).astype(np.uint8)
    return {"bicubic": bicubic_down_up(hr), "noisy": noisy}


def all_metrics(hr, sr, assets, crop=4):
    r = {"psnr_y": psnr(hr, sr, crop, True), "ssim_y": ssim(hr, sr, crop, True),
         "psnr_rgb": psnr(hr, sr, crop, False), "ssim_rgb": ssim(hr, sr, crop, False)}
    for net in ("alex", "vgg"):
        if net in assets:
            r["lpips_" + net] = lpips(hr / 255.0, sr / 255.0, assets[net], net)[0]
    if "niqe" in assets:
        r["niqe_sr"] = niqe(sr, assets["niqe"], crop)
    return r


def selftest(assets):
    ramp = (np.arange(64).reshape(8, 8)) / 63.0
    out = imresize(ramp, 0.5)
    assert np.allclose(out[0], [0.064174, 0.096540, 0.128658, 0.161024], atol=1e-6), out[0]
    assert np.allclose(out[-1], [0.838976, 0.871342, 0.903460, 0.935826], atol=1e-6), out[-1]
    m = resize_matrix(16, 0.5)
    assert np.allclose(m[4, 5:13], [-0.01171875, -0.03515625, 0.11328125, 0.43359375,
                                    0.43359375, 0.11328125, -0.03515625, -0.01171875])
    m = resize_matrix(8, 2.0)
    assert np.allclose(m[4, 0:4], [-0.0234375, 0.2265625, 0.8671875, -0.0703125])
    y = y_channel(np.array([[[0, 0, 0], [255, 255, 255]]], np.float64))
    assert np.allclose(y, [[16, 235]])
    print("bicubic ramp x0.5, x1/2 and x2 taps, Y range: OK")
    if "niqe" in assets:
        p = assets["niqe"]
        assert abs(p["mu_pris_param"][0, 0] - 2.6013136801541448) < 1e-15
        assert abs(p["cov_pris_param"][35, 35] - 0.005422492589150472) < 1e-15
        g = np.exp(-((np.arange(7) - 3) ** 2) / (2 * (7 / 6) ** 2))
        assert np.allclose(p["gaussian_window"], np.outer(g, g) / np.outer(g, g).sum(), atol=1e-15)
        print("NIQE pristine parameters and window: OK")
    print("LPIPS test pair (PerceptualSimilarity imgs/ex_*.png) is not available offline: not checked")


def fmt(v):
    return f"{v:.6f}" if math.isfinite(v) else str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--assets")
    ap.add_argument("--write-pairs")
    ap.add_argument("--images", nargs=2)
    ap.add_argument("--crop", type=int, default=4)
    args = ap.parse_args()
    assets = load_assets(assets_dir(args.assets))
    if args.selftest:
        selftest(assets)
    if args.images:
        a, b = png_read(args.images[0]), png_read(args.images[1])
        for k, v in all_metrics(a, b, assets, args.crop).items():
            print(f"{k:9s} {fmt(v)}")
    if args.data:
        for name in PHOTOS:
            hr = png_read(os.path.join(args.data, name + ".png"))
            hr = hr[: hr.shape[0] // 4 * 4, : hr.shape[1] // 4 * 4]
            for kind, sr in make_pairs(hr).items():
                r = all_metrics(hr, sr, assets)
                if args.write_pairs:
                    os.makedirs(args.write_pairs, exist_ok=True)
                    png_write(os.path.join(args.write_pairs, f"{name}_hr.png"), hr)
                    png_write(os.path.join(args.write_pairs, f"{name}_{kind}.png"), sr)
                print(f"{name:10s} {kind:8s} {hr.shape[1]}x{hr.shape[0]} "
                      + " ".join(f"{k}={fmt(v)}" for k, v in r.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
