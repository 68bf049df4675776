#!/usr/bin/env python3
"""Reference data for SRImage's tests.

    python3 Scripts/image_reference.py fixtures   # writes Tests/SRImageTests/Fixtures/*.png (stdlib only)
    python3 Scripts/image_reference.py goldens    # writes Tests/SRImageTests/BicubicGoldens.swift (numpy)

`fixtures` encodes small PNGs of every colour type / bit depth with a hand-written encoder
(zlib + struct, all five row filters, optional Adam7) so that libpng is checked against an
independent writer. Sample values follow `sample()` below, which the Swift tests restate.

`goldens` is a float64 NumPy port of BasicSR 1.4.2 `basicsr/utils/matlab_functions.py::imresize`
(SR-SPEC §3.4), including its edge-column dropping (torch `narrow`), and of the HR->LR protocol.
"""
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "SRImageTests", "Fixtures")


# ----------------------------------------------------------------------------- PNG writer
def sample(c, y, x, bits):
    """File sample value of channel c at (y, x) for a `bits`-deep channel (restated in Swift)."""
    return (40503 * c + 12345 * y + 4099 * x + 1) % (1 << bits)


def palette_entry(k, c):
    """Palette colour channel c of entry k (restated in Swift)."""
    return (k * 37 + c * 101 + 11) % 256


def palette_alpha(k):
    """tRNS alpha of palette entry k (restated in Swift)."""
    return (k * 53 + 7) % 256


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(values, bits):
    """Packs channel samples of one row MSB first (1/2/4 bit), bytes, or big-endian 16 bit."""
    if bits == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    if bits == 8:
        return bytes(values)
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << bits) | v
        n += bits
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_rows(rows, bpp):
    """Applies filter type y % 5 to row y (None, Sub, Up, Average, Paeth)."""
    out, prev = bytearray(), bytes(len(rows[0]) if rows else 0)
    for y, row in enumerate(rows):
        ft = y % 5
        f = bytearray()
        for i, v in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]
            f.append((v - pred) & 0xFF)
        out += bytes([ft]) + f
        prev = row
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_bytes(width, height, bits, color_type, pixel, extra=b"", interlace=False):
    """A PNG whose pixel(y, x) -> list of channel samples; extra = chunks before IDAT."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, channels * bits // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = b""
    for x0, y0, dx, dy in passes:
        xs, ys = range(x0, width, dx), range(y0, height, dy)
        if len(xs) == 0 or len(ys) == 0:
            continue
        rows = [pack_row([v for x in xs for v in pixel(y, x)], bits) for y in ys]
        raw += filter_rows(rows, bpp)
    ihdr = struct.pack(">IIBBBBB", width, height, bits, color_type, 0, 0, 1 if interlace else 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def fixture_specs():
    """name -> PNG bytes. Sizes 7x5 unless noted; colour channel c is the file channel index."""
    w, h = 7, 5
    s = sample
    specs = {
        "gray1": png_bytes(11, 3, 1, 0, lambda y, x: [s(0, y, x, 1)]),
        "gray2": png_bytes(w, h, 2, 0, lambda y, x: [s(0, y, x, 2)]),
        "gray4": png_bytes(w, h, 4, 0, lambda y, x: [s(0, y, x, 4)]),
        "gray8": png_bytes(w, h, 8, 0, lambda y, x: [s(0, y, x, 8)]),
        "gray16": png_bytes(w, h, 16, 0, lambda y, x: [s(0, y, x, 16)]),
        "gray8_trns": png_bytes(w, h, 8, 0, lambda y, x: [s(0, y, x, 8)],
                                chunk(b"tRNS", struct.pack(">H", s(0, 1, 2, 8)))),
        "gray16_trns": png_bytes(w, h, 16, 0, lambda y, x: [s(0, y, x, 16)],
                                 chunk(b"tRNS", struct.pack(">H", s(0, 1, 2, 16)))),
        "graya8": png_bytes(w, h, 8, 4, lambda y, x: [s(c, y, x, 8) for c in range(2)]),
        "graya16": png_bytes(w, h, 16, 4, lambda y, x: [s(c, y, x, 16) for c in range(2)]),
        "rgb8": png_bytes(w, h, 8, 2, lambda y, x: [s(c, y, x, 8) for c in range(3)]),
        "rgb16": png_bytes(w, h, 16, 2, lambda y, x: [s(c, y, x, 16) for c in range(3)]),
        "rgb8_trns": png_bytes(w, h, 8, 2, lambda y, x: [s(c, y, x, 8) for c in range(3)],
                               chunk(b"tRNS", struct.pack(">HHH", *[s(c, 1, 2, 8) for c in range(3)]))),
        "rgba8": png_bytes(w, h, 8, 6, lambda y, x: [s(c, y, x, 8) for c in range(4)]),
        "rgba16": png_bytes(w, h, 16, 6, lambda y, x: [s(c, y, x, 16) for c in range(4)]),
        "rgb8_adam7": png_bytes(w, h, 8, 2, lambda y, x: [s(c, y, x, 8) for c in range(3)],
                                interlace=True),
    }
    plte200 = chunk(b"PLTE", bytes(palette_entry(k, c) for k in range(200) for c in range(3)))
    specs["pal8"] = png_bytes(w, h, 8, 3, lambda y, x: [s(0, y, x, 8) % 200], plte200)
    plte16 = chunk(b"PLTE", bytes(palette_entry(k, c) for k in range(16) for c in range(3)))
    trns5 = chunk(b"tRNS", bytes(palette_alpha(k) for k in range(5)))
    specs["pal4_trns"] = png_bytes(w, h, 4, 3, lambda y, x: [s(0, y, x, 4)], plte16 + trns5)
    specs.update(error_specs())
    return specs


def error_specs():
    """Valid-CRC files that libpng must reject (or that exceed our size limit)."""
    sig = b"\x89PNG\r\n\x1a\n"
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, 8, 0, 0, 0, 0))
    end = chunk(b"IEND", b"")
    raw = b"".join(b"\x00" + bytes(4) for _ in range(2))
    short = zlib.compress(raw[:5], 9)           # a complete stream with one row missing
    garbage = b"\x78\x9c" + bytes([0xFF] * 12)  # zlib header, then an invalid block type
    huge = chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    return {
        "err_short_idat": sig + ihdr + chunk(b"IDAT", short) + end,
        "err_bad_zlib": sig + ihdr + chunk(b"IDAT", garbage) + end,
        "err_huge": sig + huge + chunk(b"IDAT", zlib.compress(raw, 9)) + end,
    }


def write_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    for name, data in sorted(fixture_specs().items()):
        with open(os.path.join(FIXTURES, name + ".png"), "wb") as f:
            f.write(data)
        print(f"{name}.png {len(data)} bytes")


# ----------------------------------------------------------------------------- bicubic reference
def cubic(x):
    import numpy as np
    a = np.abs(x)
    return ((1.5 * a**3 - 2.5 * a**2 + 1) * (a <= 1)
            + (-0.5 * a**3 + 2.5 * a**2 - 4 * a + 2) * ((a > 1) & (a <= 2)))


def weights_indices(in_len, out_len, scale):
    """BasicSR calculate_weights_indices (antialiasing on), 0-based reflected indices."""
    import numpy as np
    width = 4.0 / scale if scale < 1 else 4.0
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - width / 2)
    p = int(np.ceil(width)) + 2
    idx = left[:, None] + np.arange(p)[None, :]
    d = u[:, None] - idx
    wt = scale * cubic(d * scale) if scale < 1 else cubic(d)
    wt = wt / wt.sum(axis=1, keepdims=True)
    zeros = (wt == 0).sum(axis=0)
    if zeros[0] != 0:          # torch narrow(1, 1, p - 2): drops the first AND the last column
        idx, wt = idx[:, 1:p - 1], wt[:, 1:p - 1]
    elif zeros[-1] != 0:       # narrow(1, 0, p - 2): drops the last two columns
        idx, wt = idx[:, :p - 2], wt[:, :p - 2]
    i = idx.astype(np.int64) - 1  # 0-based
    i = np.where(i < 0, -i - 1, i)
    i = np.where(i >= in_len, 2 * in_len - 1 - i, i)
    assert (i >= 0).all() and (i < in_len).all(), "needs more than one reflection"
    return wt, i


def imresize(img, scale):
    """img: [C, H, W] float64 -> [C, ceil(H*scale), ceil(W*scale)]; H pass then W pass."""
    import math
    import numpy as np
    c, h, w = img.shape
    oh, ow = math.ceil(h * scale), math.ceil(w * scale)
    wh, ih = weights_indices(h, oh, scale)
    ww, iw = weights_indices(w, ow, scale)
    mid = np.einsum("ot,cotw->cow", wh, img[:, ih, :])
    return np.einsum("ot,chot->cho", ww, mid[:, :, iw])


def splitmix_floats(seed, count):
    """SRTestSupport SeededGenerator (SplitMix64) -> Float(next() >> 40) / 2^24, restated in Swift."""
    import numpy as np
    mask, state, out = (1 << 64) - 1, seed, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        out.append((z >> 40) / float(1 << 24))
    return np.array(out, dtype=np.float64)


def make_lr(hr, scale):
    import numpy as np
    c, h, w = hr.shape
    crop = hr[:, :h - h % scale, :w - w % scale]
    lr = imresize(crop, 1.0 / scale)
    levels = np.floor(np.clip(lr, 0, 1) * 255 + 0.5)
    frac = np.abs(np.clip(lr, 0, 1) * 255 + 0.5 - np.round(np.clip(lr, 0, 1) * 255 + 0.5))
    return levels.astype(np.int64), float(frac.min()), crop.shape


def swift_array(name, values, per_line=6):
    body = ",\n".join("    " + ", ".join(f"{v:.9g}" for v in values[i:i + per_line])
                      for i in range(0, len(values), per_line))
    return f"  static let {name}: [Double] = [\n{body},\n  ]\n"


def write_goldens():
    import numpy as np
    ramp = (np.arange(64, dtype=np.float64).reshape(1, 8, 8)) / 63
    r = imresize(ramp, 0.5)
    assert np.allclose(r[0, 0], [0.064174, 0.096540, 0.128658, 0.161024], atol=5e-7), r[0, 0]
    assert np.allclose(r[0, -1], [0.838976, 0.871342, 0.903460, 0.935826], atol=5e-7), r[0, -1]
    w2, _ = weights_indices(16, 8, 0.5)  # SR-SPEC x1/2 weights
    assert np.allclose(w2[3], [-0.01171875, -0.03515625, 0.11328125, 0.43359375,
                               0.43359375, 0.11328125, -0.03515625, -0.01171875])
    w4, _ = weights_indices(4, 16, 4.0)
    assert np.allclose(w4[4], [-0.04394531, 0.38964844, 0.72753906, -0.07324219], atol=1e-8)
    img = splitmix_floats(1, 3 * 13 * 11).reshape(3, 13, 11)
    out = ["// Generated by `python3 Scripts/image_reference.py goldens`; do not edit.",
           "// float64 NumPy port of BasicSR imresize (SR-SPEC §3.4). Inputs are restated in",
           "// BicubicTests.swift: the 8x8 ramp (8i+j)/63 and SeededGenerator(seed: 1) floats",
           "// Float(next() >> 40) / 2^24 as a [3, 13, 11] tensor.", "",
           "enum BicubicGoldens {", swift_array("ramp8Half", r.ravel().tolist())]
    strides = {}
    for label, scale in [("quarter", 0.25), ("half", 0.5), ("third", 1 / 3), ("x2", 2.0), ("x4", 4.0)]:
        res = imresize(img, scale)
        flat = res.ravel()
        stride = 1 if flat.size <= 200 else 7
        strides[label] = (list(res.shape), stride)
        out.append(f"  /// Random [3, 13, 11] at scale {scale:.6g}: shape {list(res.shape)}, "
                   f"elements [::{stride}], then the channel sums.")
        out.append(swift_array(f"{label}Shape", list(res.shape)).replace("[Double]", "[Int]")
                   .replace(".0", ""))
        out.append(f"  static let {label}Stride = {stride}")
        out.append(swift_array(label, flat[::stride].tolist()))
        out.append(swift_array(f"{label}Sums", res.sum(axis=(1, 2)).tolist()))
    hr = splitmix_floats(2, 3 * 15 * 13).reshape(3, 15, 13)
    for scale in (4, 3):
        levels, margin, crop = make_lr(hr, scale)
        out.append(f"  /// makeLR(random [3, 15, 13] seed 2, scale {scale}): modcrop {list(crop)}, "
                   f"LR {list(levels.shape)}, uint8 levels (closest rounding tie {margin:.2e}).")
        out.append(swift_array(f"lrX{scale}Levels", levels.ravel().tolist(), 12))
    out.append("}")
    path = os.path.join(ROOT, "Tests", "SRImageTests", "BicubicGoldens.swift")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "fixtures":
        write_fixtures()
    elif mode == "goldens":
        write_goldens()
    else:
        sys.exit(__doc__)
