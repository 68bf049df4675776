#!/usr/bin/env python3
"""Writes the tiny ncnn fixtures used by Tests/SRFormatsTests/NCNNTests.swift.

Run from the package root:  python3 Scripts/make_ncnn_fixtures.py
Needs only numpy. Output (Tests/SRFormatsTests/Fixtures/):
  ncnn_rrdb_fp32.{param,bin}  RRDBNet nf=4 nb=1 gc=2 x4, conv weights tagged float32
  ncnn_rrdb_fp16.{param,bin}  the same graph, conv weights tagged float16 (fp16-exact values)
  ncnn_srvgg.{param,bin}      SRVGGNetCompact nf=5 num_conv=2 x2 PReLU, float16 (odd counts: padding)
  ncnn_*_expected.json        every BasicSR key -> {shape, values} in state-dict order, + metadata
The graphs follow the layout of Real-ESRGAN's exports (SR-SPEC §2.7): Split layers are
inserted for every blob used more than once, LeakyReLU is fused as `9=2 -23310=1,0.2`,
residual scaling is `Eltwise 0=1 -23301=2,0.2,1.0`, the trunk skip is a BinaryOp ADD.
The BasicSR key of every conv is chosen here independently of the Swift mapper.
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SRFormatsTests", "Fixtures")
TAG_FP16 = 0x01306B47


def fmt(v):
    return "%e" % v


class Graph:
    """Collects layers with logical blob names; Split layers are inserted on emission."""

    def __init__(self):
        self.layers = []  # dicts: type, name, inputs, outputs, params, weights (list of (kind, array))
        self.n = 0
        self.state = []  # (key, array) in BasicSR order

    def blob(self):
        self.n += 1
        return "b%d" % self.n

    def add(self, type_, name, inputs, params="", weights=(), out=None):
        out = out or self.blob()
        self.layers.append(dict(type=type_, name=name, inputs=list(inputs), outputs=[out],
                                params=params, weights=list(weights)))
        return out

    def conv(self, key, x, w, b, leaky=None):
        o, i = w.shape[:2]
        params = "0=%d 1=3 4=1 5=1 6=%d" % (o, w.size)
        if leaky is not None:
            params += " 9=2 -23310=1,%s" % fmt(leaky)
        self.state += [(key + ".weight", w), (key + ".bias", b)]
        return self.add("Convolution", "Conv_" + key.replace(".", "_"), [x], params, [("w", w), ("b", b)])

    def emit(self):
        uses = {}
        for l in self.layers:
            for x in l["inputs"]:
                uses[x] = uses.get(x, 0) + 1
        taken = {}
        lines = []
        for l in self.layers:
            ins = []
            for x in l["inputs"]:
                if uses[x] > 1:
                    k = taken.get(x, 0)
                    taken[x] = k + 1
                    ins.append("%s_splitncnn_%d" % (x, k))
                else:
                    ins.append(x)
            lines.append((l, ins))
            for x in l["outputs"]:
                if uses.get(x, 0) > 1:
                    outs = ["%s_splitncnn_%d" % (x, k) for k in range(uses[x])]
                    lines.append((dict(type="Split", name="split_" + x, params="", weights=[]), [x], outs))
        text, layer_lines, blobs = [], [], set()
        for entry in lines:
            if len(entry) == 2:
                l, ins = entry
                outs = l["outputs"]
            else:
                l, ins, outs = entry
            blobs.update(outs)
            row = "%-24s %-24s %d %d %s" % (l["type"], l["name"], len(ins), len(outs), " ".join(ins + outs))
            if l["params"]:
                row += " " + l["params"]
            layer_lines.append(row.replace("  0 1 ", " 0 1 "))
        text = ["7767517", "%d %d" % (len(layer_lines), len(blobs))] + layer_lines
        return "\n".join(text) + "\n"

    def bin(self, fp16):
        out = bytearray()
        for l in self.layers:
            for kind, arr in l["weights"]:
                a = np.ascontiguousarray(arr, dtype=np.float32).ravel()
                if kind == "w" and fp16:
                    data = a.astype("<f2").tobytes()
                    data += b"\0" * (-len(data) % 4)
                    out += struct.pack("<I", TAG_FP16) + data
                elif kind == "w":
                    out += struct.pack("<I", 0) + a.astype("<f4").tobytes()
                else:  # bias / PReLU slope: raw float32, no tag
                    out += a.astype("<f4").tobytes()
        return bytes(out)


def weights(rng, shape, fp16):
    a = rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)
    return a.astype(np.float16).astype(np.float32) if fp16 else a


def rrdbnet(fp16, nf=4, nb=1, gc=2, seed=7):
    rng = np.random.default_rng(seed)
    g = Graph()
    w = lambda o, i: weights(rng, (o, i, 3, 3), fp16)
    b = lambda o: rng.uniform(-0.1, 0.1, size=o).astype(np.float32)
    x = g.add("Input", "input.1", [], out="data")
    feat = g.conv("conv_first", x, w(nf, 3), b(nf))
    h = feat
    for bi in range(nb):
        block_in = h
        for r in range(1, 4):
            rdb_in = h
            xs = [rdb_in]
            for c in range(1, 6):
                cat = xs[0] if len(xs) == 1 else g.add("Concat", "Concat_%d_%d_%d" % (bi, r, c), xs, "0=0")
                o = gc if c < 5 else nf
                y = g.conv("body.%d.rdb%d.conv%d" % (bi, r, c), cat, w(o, nf + (c - 1) * gc), b(o),
                           leaky=0.2 if c < 5 else None)
                xs.append(y)
            h = g.add("Eltwise", "Add_rdb_%d_%d" % (bi, r), [xs[-1], rdb_in], "0=1 -23301=2,%s,%s" % (fmt(0.2), fmt(1.0)))
        h = g.add("Eltwise", "Add_rrdb_%d" % bi, [h, block_in], "0=1 -23301=2,%s,%s" % (fmt(0.2), fmt(1.0)))
    body = g.conv("conv_body", h, w(nf, nf), b(nf))
    h = g.add("BinaryOp", "Add_trunk", [feat, body], "0=0")
    for k in (1, 2):
        h = g.add("Interp", "Resize_%d" % k, [h], "0=1 1=%s 2=%s" % (fmt(2.0), fmt(2.0)))
        h = g.conv("conv_up%d" % k, h, w(nf, nf), b(nf), leaky=0.2)
    h = g.conv("conv_hr", h, w(nf, nf), b(nf), leaky=0.2)
    g.layers[-1]["outputs"]  # keep
    last = g.conv("conv_last", h, w(3, nf), b(3))
    g.layers[-1]["outputs"] = ["output"]
    meta = {"ncnn.architecture": "RRDBNet", "ncnn.scale": "4", "ncnn.num_block": str(nb)}
    return g, meta


def srvgg(nf=5, num_conv=2, scale=2, seed=11):
    rng = np.random.default_rng(seed)
    g = Graph()
    x = g.add("Input", "input.1", [], out="data")
    h = x
    for k in range(num_conv + 2):
        o = nf if k < num_conv + 1 else 3 * scale * scale
        i = 3 if k == 0 else nf
        h = g.conv("body.%d" % (2 * k), h, weights(rng, (o, i, 3, 3), True),
                   rng.uniform(-0.1, 0.1, size=o).astype(np.float32))
        if k < num_conv + 1:
            slope = rng.uniform(0, 0.3, size=nf).astype(np.float32)
            g.state.append(("body.%d.weight" % (2 * k + 1), slope))
            h = g.add("PReLU", "PRelu_%d" % (2 * k + 1), [h], "0=%d" % nf, [("b", slope)])
    h = g.add("PixelShuffle", "DepthToSpace", [h], "0=%d" % scale)
    up = g.add("Interp", "Resize_up", [x], "0=1 1=%s 2=%s" % (fmt(scale), fmt(scale)))
    g.add("BinaryOp", "Add_out", [h, up], "", out="output")
    meta = {"ncnn.architecture": "SRVGGNetCompact", "ncnn.scale": str(scale),
            "ncnn.num_conv": str(num_conv), "ncnn.act_type": "prelu"}
    return g, meta


def write(stem, g, meta, fp16):
    with open(os.path.join(OUT, stem + ".param"), "w") as f:
        f.write(g.emit())
    with open(os.path.join(OUT, stem + ".bin"), "wb") as f:
        f.write(g.bin(fp16))
    expected = {"metadata": meta, "keys": [k for k, _ in g.state],
                "tensors": {k: {"shape": list(a.shape), "values": [float(v) for v in a.ravel()]}
                            for k, a in g.state}}
    with open(os.path.join(OUT, stem + "_expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(stem, len(g.layers), "layers,", len(g.bin(fp16)), "bin bytes,", len(g.state), "tensors")


if __name__ == "__main__":
    write("ncnn_rrdb_fp32", *rrdbnet(fp16=False), fp16=False)
    write("ncnn_rrdb_fp16", *rrdbnet(fp16=True), fp16=True)
    write("ncnn_srvgg", *srvgg(), fp16=True)
