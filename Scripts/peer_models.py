#!/usr/bin/env python3
"""Model files for the benchmark peers of Scripts/bench_peers.py: one network description, two exports.

Sources of a network:
  - an ncnn RRDBNet x4 (.param/.bin, e.g. realesrgan-x4plus): its Convolution weights, named as BasicSR;
  - a SRScope/BasicSR safetensors checkpoint (read here with numpy): RRDBNet x4 with BasicSR keys
    (conv_first, body.N.rdbK.convJ, conv_body, conv_up1, conv_up2, conv_hr, conv_last; residual scaling
    0.2 unless the metadata `residual_scale` says otherwise), or the 2018 SRResNet (`model.N` keys) with or
    without BatchNorm (SR-SPEC §1.2, §1.5). Hyperparameters come from the tensor shapes; every key must be
    used (a layout check); the metadata `architecture` and `scale`, when present, must agree.
The network becomes a `Graph`, a list of ops on named NCHW float32 tensors, which `write_onnx` and
`write_ncnn` translate op by op, so both peers run the same graph:

  op             ONNX (opset 17)                               ncnn
  conv 3x3       Conv (+ Relu / LeakyRelu)                     Convolution, weight_data tagged fp32,
                                                                 ReLU / LeakyReLU fused (9=1 / 9=2)
  batchnorm      BatchNormalization, inference mode (ORT may   BatchNorm (slope, mean, var, bias;
                 fold it into the Conv itself)                   eps = param 1)
  act            Relu / LeakyRelu                              ReLU (0 = slope)
  concat         Concat axis 1                                 Concat
  add            Add                                           BinaryOp ADD
  scaled_add     Mul by a scalar + Add (plain Add for 1.0)     Eltwise SUM with coeffs (s, 1)
                                                                 (BinaryOp ADD for 1.0)
  upsample       Resize nearest, asymmetric, floor             Interp nearest
  pixel_shuffle  DepthToSpace mode CRD                         PixelShuffle mode 0 (PyTorch order)

BatchNorm stays a separate op in both graphs (not folded here): y = (x - mean)/sqrt(var + 1e-5)·w + b.
Input blob `data` (1×C×H×W, dynamic H and W), output `output`. ncnn gets Split layers for blobs with
several consumers, as its converters write them.
"""
import hashlib
import json
import math
import os
import re
import struct

import numpy as np

BN_EPS = 1e-5


class Unsupported(ValueError):
    """A network or op this script cannot express (the message says which)."""


# ---------------------------------------------------------------- the network description

class Graph:
    """Ops on named float32 NCHW tensors; `data` is the input. Channel counts are checked as ops are added."""

    def __init__(self, in_channels):
        self.ops = []  # (kind, output, inputs, attrs)
        self.channels = {"data": in_channels}
        self.output = None
        self.scale = None
        self._count = 0

    def _add(self, kind, name, inputs, channels, **attrs):
        if name is None:
            self._count += 1
            name = "%s_%d" % (kind, self._count)
        for x in inputs:
            if x not in self.channels:
                raise ValueError("op %s reads undefined tensor %s" % (name, x))
        if name in self.channels:
            raise ValueError("tensor %s defined twice" % name)
        self.ops.append((kind, name, list(inputs), attrs))
        self.channels[name] = channels
        return name

    def conv(self, name, x, weight, bias, act=None):
        """3×3 conv, stride 1, zero padding 1; act None, or the negative slope of a fused (Leaky)ReLU."""
        o, i, kh, kw = weight.shape
        if (kh, kw) != (3, 3) or i != self.channels[x] or bias.shape != (o,):
            raise ValueError("%s: weight %s, bias %s on a %d-channel input" % (name, weight.shape, bias.shape,
                                                                              self.channels[x]))
        return self._add("conv", name, [x], o, weight=weight, bias=bias, act=act)

    def batchnorm(self, name, x, weight, bias, mean, var, eps=BN_EPS):
        c = self.channels[x]
        if any(a.shape != (c,) for a in (weight, bias, mean, var)):
            raise ValueError("%s: BatchNorm tensors are not [%d]" % (name, c))
        return self._add("batchnorm", name, [x], c, weight=weight, bias=bias, mean=mean, var=var, eps=eps)

    def act(self, name, x, slope=0.0):
        return self._add("act", name, [x], self.channels[x], slope=slope)

    def concat(self, xs):
        return self._add("concat", None, xs, sum(self.channels[x] for x in xs))

    def add(self, x, y):
        self._same(x, y)
        return self._add("add", None, [x, y], self.channels[x])

    def scaled_add(self, y, x, s):
        """s·y + x."""
        self._same(x, y)
        return self._add("scaled_add", None, [y, x], self.channels[x], s=float(s))

    def upsample(self, x, factor):
        return self._add("upsample", None, [x], self.channels[x], factor=factor)

    def pixel_shuffle(self, x, r):
        if self.channels[x] % (r * r):
            raise ValueError("pixel shuffle x%d of %d channels" % (r, self.channels[x]))
        return self._add("pixel_shuffle", None, [x], self.channels[x] // (r * r), r=r)

    def finish(self, output, scale):
        self.output, self.scale = output, scale
        return self

    def _same(self, x, y):
        if self.channels[x] != self.channels[y]:
            raise ValueError("adding %s (%d channels) and %s (%d)" % (x, self.channels[x], y, self.channels[y]))


def rrdbnet_graph(weights, num_block, res_scale=0.2):
    """RRDBNet x4 (SR-SPEC §1.2) from {BasicSR conv name: (weight, bias)}."""
    g = Graph(weights["conv_first"][0].shape[1])

    def conv(name, x, leaky=False):
        return g.conv(name, x, *weights[name], act=0.2 if leaky else None)

    def rdb(prefix, x):
        feats = [x]
        for i in range(1, 5):
            feats.append(conv("%s.conv%d" % (prefix, i), feats[0] if i == 1 else g.concat(feats), leaky=True))
        return g.scaled_add(conv(prefix + ".conv5", g.concat(feats)), x, res_scale)

    feat = conv("conv_first", "data")
    body = feat
    for b in range(num_block):
        x = body
        for r in (1, 2, 3):
            x = rdb("body.%d.rdb%d" % (b, r), x)
        body = g.scaled_add(x, body, res_scale)
    x = g.add(feat, conv("conv_body", body))
    x = conv("conv_up1", g.upsample(x, 2), leaky=True)
    x = conv("conv_up2", g.upsample(x, 2), leaky=True)
    x = conv("conv_hr", x, leaky=True)
    return g.finish(conv("conv_last", x), 4)


def srresnet_graph(t, num_feat, num_block, batch_norm):
    """The 2018 BasicSR SRResNet (SR-SPEC §1.5; `model.N` keys), weights taken from a `Weights`."""
    g = Graph(t.shape("model.0.weight")[1])
    feat = g.conv("model.0", "data", *t.conv("model.0"))
    h = feat
    for i in range(num_block):
        p = "model.1.sub.%d.res." % i
        if batch_norm:
            r = g.batchnorm(p + "1", g.conv(p + "0", h, *t.conv(p + "0")), *t.batchnorm(p + "1"))
            r = g.conv(p + "3", g.act(p + "2", r), *t.conv(p + "3"))
            r = g.batchnorm(p + "4", r, *t.batchnorm(p + "4"))
        else:
            r = g.conv(p + "2", g.conv(p + "0", h, *t.conv(p + "0"), act=0.0), *t.conv(p + "2"))
        h = g.add(h, r)
    h = g.conv("model.1.sub.%d" % num_block, h, *t.conv("model.1.sub.%d" % num_block))
    if batch_norm:
        h = g.batchnorm("model.1.sub.%d" % (num_block + 1), h, *t.batchnorm("model.1.sub.%d" % (num_block + 1)))
    h = g.add(feat, h)
    stages, scale = 0, 1
    while True:  # upsampling convs (nf -> nf·r²) at model.2, model.5, ...; then HR_conv0 (nf -> nf)
        key = "model.%d" % (2 + 3 * stages)
        out = t.shape(key + ".weight")[0]
        if out == num_feat:
            break
        r = math.isqrt(out // num_feat)
        if r not in (2, 3) or r * r * num_feat != out or stages == 2:
            raise Unsupported("SRResNet %s has %d outputs: not an x2/x3 pixel-shuffle stage of nf=%d"
                              % (key, out, num_feat))
        h = g.act(key + ".relu", g.pixel_shuffle(g.conv(key, h, *t.conv(key)), r))
        stages, scale = stages + 1, scale * r
    if scale not in (2, 3, 4):
        raise Unsupported("SRResNet with scale %d" % scale)
    h = g.conv("model.%d" % (2 + 3 * stages), h, *t.conv("model.%d" % (2 + 3 * stages)), act=0.0)
    return g.finish(g.conv("model.%d" % (4 + 3 * stages), h, *t.conv("model.%d" % (4 + 3 * stages))), scale)


# ---------------------------------------------------------------- exporters

def write_onnx(graph, path, props):
    """The graph as ONNX (opset 17, input `data` 1×C×H×W, output `output`), checked, written atomically."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits, consts = [], [], {}

    def init(name, array):
        inits.append(numpy_helper.from_array(np.array(array, np.float32, order="C"), name))  # keeps 0-d scalars
        return name

    def const(key, array):  # shared constants: residual scales, resize scales
        if key not in consts:
            consts[key] = init(key, array)
        return consts[key]

    def node(op, inputs, out, **attrs):
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def activation(x, out, slope):
        return node("Relu", [x], out) if slope == 0 else node("LeakyRelu", [x], out, alpha=slope)

    for kind, out, ins, a in graph.ops:
        if kind == "conv":
            y = node("Conv", ins + [init(out + ".weight", a["weight"]), init(out + ".bias", a["bias"])],
                     out if a["act"] is None else out + ".conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
            if a["act"] is not None:
                activation(y, out, a["act"])
        elif kind == "batchnorm":
            node("BatchNormalization", ins + [init(out + "." + k, a[k]) for k in ("weight", "bias", "mean", "var")],
                 out, epsilon=a["eps"])
        elif kind == "act":
            activation(ins[0], out, a["slope"])
        elif kind == "concat":
            node("Concat", ins, out, axis=1)
        elif kind == "add" or (kind == "scaled_add" and a["s"] == 1.0):
            node("Add", ins, out)
        elif kind == "scaled_add":
            m = node("Mul", [ins[0], const("res_scale_%g" % a["s"], np.array(a["s"], np.float32))], out + ".mul")
            node("Add", [m, ins[1]], out)
        elif kind == "upsample":
            f = a["factor"]
            node("Resize", [ins[0], "", const("scale%d" % f, np.array([1, 1, f, f], np.float32))], out,
                 mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
        elif kind == "pixel_shuffle":
            node("DepthToSpace", ins, out, blocksize=a["r"], mode="CRD")
        else:
            raise Unsupported("no ONNX export for op %s" % kind)
    node("Identity", [graph.output], "output")
    s = graph.scale
    g = helper.make_graph(
        nodes, "srnet", [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, graph.channels["data"], "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       [1, graph.channels[graph.output], "H%d" % s, "W%d" % s])],
        initializer=inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="srscope bench_peers.py")
    helper.set_model_props(model, props)
    onnx.checker.check_model(model)
    tmp = path + ".part"
    onnx.save(model, tmp)
    os.replace(tmp, path)


def ncnn_layers(graph):
    """[(type, name, inputs, outputs, params text, weight bytes)] of the graph, without Split layers."""
    def f(x):
        return "%.9e" % x

    def f32(*arrays):
        return b"".join(np.ascontiguousarray(a, "<f4").tobytes() for a in arrays)

    def act_params(slope):
        return "" if slope is None else (" 9=1" if slope == 0 else " 9=2 -23310=1," + f(slope))

    layers = [("Input", "input", [], ["data"], "", b"")]
    for kind, out, ins, a in graph.ops:
        if kind == "conv":
            w = a["weight"]
            params = "0=%d 1=3 4=1 5=1 6=%d%s" % (w.shape[0], w.size, act_params(a["act"]))
            layers.append(("Convolution", out, ins, [out], params, struct.pack("<I", 0) + f32(w, a["bias"])))
        elif kind == "batchnorm":
            layers.append(("BatchNorm", out, ins, [out], "0=%d 1=%s" % (a["weight"].size, f(a["eps"])),
                           f32(a["weight"], a["mean"], a["var"], a["bias"])))
        elif kind == "act":
            layers.append(("ReLU", out, ins, [out], "" if a["slope"] == 0 else "0=" + f(a["slope"]), b""))
        elif kind == "concat":
            layers.append(("Concat", out, ins, [out], "", b""))  # axis 0 = channels, the default
        elif kind == "add" or (kind == "scaled_add" and a["s"] == 1.0):
            layers.append(("BinaryOp", out, ins, [out], "", b""))  # op 0 = ADD, the default
        elif kind == "scaled_add":
            layers.append(("Eltwise", out, ins, [out], "0=1 -23301=2,%s,%s" % (f(a["s"]), f(1.0)), b""))
        elif kind == "upsample":
            layers.append(("Interp", out, ins, [out], "0=1 1=%s 2=%s" % (f(a["factor"]), f(a["factor"])), b""))
        elif kind == "pixel_shuffle":
            layers.append(("PixelShuffle", out, ins, [out], "0=%d" % a["r"], b""))
        else:
            raise Unsupported("no ncnn export for op %s" % kind)
    rename = {graph.output: "output"}
    return [(t, n, [rename.get(x, x) for x in i], [rename.get(x, x) for x in o], p, w) for t, n, i, o, p, w in layers]


def write_ncnn(graph, param_path):
    """The graph as ncnn .param/.bin (Split layers inserted), written atomically; raises Unsupported."""
    layers = ncnn_layers(graph)
    consumers = {}
    for _, _, ins, _, _, _ in layers:
        for x in ins:
            consumers[x] = consumers.get(x, 0) + 1
    split_names, splits = {}, []
    lines, blobs, weights = [], set(), []
    for kind, name, ins, outs, params, w in layers:
        ins = [split_names[x].pop(0) if x in split_names else x for x in ins]
        lines.append(" ".join([kind, name, str(len(ins)), str(len(outs))] + ins + outs + ([params] if params else [])))
        blobs.update(outs)
        weights.append(w)
        for x in outs:
            k = consumers.get(x, 0)
            if k > 1:
                split_names[x] = ["%s_splitncnn_%d" % (x, j) for j in range(k)]
                lines.append(" ".join(["Split", "splitncnn_%d" % len(splits), "1", str(k), x] + split_names[x]))
                splits.append(x)
                blobs.update(split_names[x])
    text = "7767517\n%d %d\n%s\n" % (len(lines), len(blobs), "\n".join(lines))
    bin_path = os.path.splitext(param_path)[0] + ".bin"
    for path, data in ((bin_path, b"".join(weights)), (param_path, text.encode())):
        with open(path + ".part", "wb") as fh:
            fh.write(data)
        os.replace(path + ".part", path)


# ---------------------------------------------------------------- ncnn RRDBNet weights

def read_ncnn_convolutions(param, binp):
    """Every Convolution layer of an ncnn model in file order, as dicts with numpy weight/bias and params.

    .param: magic 7767517, 'layers blobs', then 'type name nin nout inputs.. outputs.. k=v..' lines.
    .bin: per Convolution a type-0 weight buffer (4-byte tag: 0 = float32, 0x01306B47 = float16 padded to
    4 bytes) and, with bias_term, num_output raw float32. This model's other layer types carry no weights.
    """
    with open(param) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    if lines[0] != ["7767517"]:
        raise ValueError("%s: not an ncnn .param (magic %s)" % (param, lines[0]))
    with open(binp, "rb") as f:
        data = f.read()
    off, convs = 0, []
    for tok in lines[2:]:
        kind, name, nin, nout = tok[0], tok[1], int(tok[2]), int(tok[3])
        if kind in ("Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp"):
            continue
        if kind != "Convolution":
            raise ValueError("%s: layer %s of type %s is not handled" % (param, name, kind))
        p = {}
        for kv in tok[4 + nin + nout:]:
            k, v = kv.split("=", 1)
            p[int(k)] = [float(x) for x in v.split(",")[1:]] if int(k) <= -23300 else float(v)
        outc, k, size = int(p[0]), int(p.get(1, 1)), int(p[6])
        if int(p.get(11, k)) != k or int(p.get(8, 0)) or int(p.get(19, 0)):
            raise ValueError("%s: %s: non-square, int8 or dynamic weights are not handled" % (param, name))
        tag = int.from_bytes(data[off:off + 4], "little")
        off += 4
        if tag == 0:
            w = np.frombuffer(data, "<f4", size, off).astype(np.float32)
            off += 4 * size
        elif tag == 0x01306B47:
            w = np.frombuffer(data, "<f2", size, off).astype(np.float32)
            off += (2 * size + 3) // 4 * 4
        else:
            raise ValueError("%s: %s: weight tag 0x%08x is not handled" % (binp, name, tag))
        bias = None
        if int(p.get(5, 0)):
            bias = np.frombuffer(data, "<f4", outc, off).astype(np.float32)
            off += 4 * outc
        act = int(p.get(9, 0))
        convs.append({"name": name, "weight": w.reshape(outc, size // (outc * k * k), k, k), "bias": bias,
                      "pad": int(p.get(4, 0)), "stride": int(p.get(3, 1)), "dilation": int(p.get(2, 1)),
                      "leaky": p.get(-23310, [0.0])[0] if act == 2 else (0.0 if act == 1 else None), "act": act})
    if off != len(data):
        raise ValueError("%s: %d bytes read, file has %d" % (binp, off, len(data)))
    return convs


def rrdbnet_names(convs):
    """BasicSR RRDBNet names for the convolutions in ncnn order; checks the layout matches RRDBNet x4."""
    n = len(convs)
    if n < 6 or (n - 6) % 15:
        raise ValueError("%d convolutions: not an RRDBNet (1 + 15·num_block + 5)" % n)
    names = ["conv_first"]
    for b in range((n - 6) // 15):
        names += ["body.%d.rdb%d.conv%d" % (b, r, c) for r in (1, 2, 3) for c in range(1, 6)]
    names += ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]
    for name, c in zip(names, convs):
        leaky = name.endswith(("conv1", "conv2", "conv3", "conv4")) or name in ("conv_up1", "conv_up2", "conv_hr")
        want = 0.2 if leaky else None
        ok = (c["weight"].shape[2:] == (3, 3) and c["pad"] == 1 and c["stride"] == 1 and c["dilation"] == 1
              and c["bias"] is not None and c["act"] in ((2,) if leaky else (0,))
              and (want is None or abs(c["leaky"] - want) < 1e-6))
        if not ok:
            raise ValueError("ncnn layer %s does not look like RRDBNet's %s" % (c["name"], name))
    return names


def rrdbnet_description(num_feat, num_block, num_grow_ch, res_scale):
    return "RRDBNet num_feat=%d num_block=%d num_grow_ch=%d scale=4 residual_scale=%g" % (
        num_feat, num_block, num_grow_ch, res_scale)


def ncnn_rrdbnet(param):
    """(Graph, description) of an ncnn RRDBNet x4 model (.param with its .bin)."""
    convs = read_ncnn_convolutions(param, os.path.splitext(param)[0] + ".bin")
    names = rrdbnet_names(convs)
    weights = {name: (c["weight"], c["bias"]) for name, c in zip(names, convs)}
    nb = (len(names) - 6) // 15
    desc = rrdbnet_description(weights["conv_first"][0].shape[0], nb, weights["body.0.rdb1.conv1"][0].shape[0], 0.2)
    return rrdbnet_graph(weights, nb), desc


# ---------------------------------------------------------------- safetensors checkpoints

SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4",
                      "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """({name: numpy array}, {metadata key: str}) of a safetensors file (SR-SPEC §2.6).

    8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}} plus an
    optional string-to-string `__metadata__`, then the data buffer, which the tensors must cover exactly.
    BF16 is widened to float32; other dtypes keep theirs (F16 stays float16)."""
    with open(path, "rb") as f:
        data = f.read()
    bad = lambda why: ValueError("%s: not a valid safetensors file: %s" % (path, why))  # noqa: E731
    if len(data) < 8:
        raise bad("shorter than 8 bytes")
    n = int.from_bytes(data[:8], "little")
    if n > 100 << 20 or 8 + n > len(data):
        raise bad("header length %d for a %d-byte file" % (n, len(data)))

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise bad("duplicate key in the header")
        return dict(pairs)
    try:
        text = data[8:8 + n].decode("utf-8")
        header = json.loads(text, object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad("header JSON: %s" % e)
    if not text.startswith("{") or not isinstance(header, dict):
        raise bad("header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise bad("__metadata__ is not a string-to-string map")
    base, size = 8 + n, len(data) - 8 - n
    tensors, spans = {}, []
    for name, info in header.items():
        try:
            dtype, shape, (begin, end) = info["dtype"], [int(d) for d in info["shape"]], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise bad("entry %r is not {dtype, shape, data_offsets}" % name)
        if dtype not in SAFETENSORS_DTYPES:
            raise bad("%s has dtype %s (handled: %s)" % (name, dtype, ", ".join(SAFETENSORS_DTYPES)))
        np_dtype = np.dtype(SAFETENSORS_DTYPES[dtype])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if min(shape, default=0) < 0 or not 0 <= begin <= end <= size or end - begin != count * np_dtype.itemsize:
            raise bad("%s: %s %s does not fit data_offsets [%d, %d) of a %d-byte buffer"
                      % (name, dtype, shape, begin, end, size))
        arr = np.frombuffer(data, np_dtype, count, base + begin).reshape(shape)
        if dtype == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = arr
        spans.append((begin, end))
    pos = 0
    for begin, end in sorted(spans):
        if begin != pos:
            raise bad("data buffer has a %s at byte %d" % ("hole" if begin > pos else "overlap", pos))
        pos = end
    if pos != size:
        raise bad("%d bytes of the data buffer belong to no tensor" % (size - pos))
    return tensors, meta


class Weights:
    """float32 weights taken by key from a state dict; `finish` fails on keys nothing took."""

    IGNORED = (".num_batches_tracked",)

    def __init__(self, tensors, path):
        self.tensors, self.path, self.used = tensors, path, set()

    def has(self, key):
        return key in self.tensors

    def shape(self, key):
        if key not in self.tensors:
            raise Unsupported("%s: no tensor %s" % (self.path, key))
        return self.tensors[key].shape

    def take(self, key):
        self.shape(key)
        self.used.add(key)
        return np.asarray(self.tensors[key], np.float32)

    def conv(self, prefix):
        return self.take(prefix + ".weight"), self.take(prefix + ".bias")

    def batchnorm(self, prefix):
        return tuple(self.take(prefix + "." + k) for k in ("weight", "bias", "running_mean", "running_var"))

    def finish(self):
        left = sorted(k for k in self.tensors if k not in self.used and not k.endswith(self.IGNORED))
        if left:
            raise Unsupported("%s: %d tensor(s) the detected architecture does not use, e.g. %s"
                              % (self.path, len(left), ", ".join(left[:3])))


def checkpoint_graph(path):
    """(Graph, description) of a SRScope/BasicSR safetensors checkpoint: RRDBNet x4 or 2018 SRResNet(-BN)."""
    tensors, meta = read_safetensors(path)
    if tensors and all(k.startswith("module.") for k in tensors):
        tensors = {k[len("module."):]: v for k, v in tensors.items()}
    t = Weights(tensors, path)
    if t.has("conv_first.weight") and t.has("body.0.rdb1.conv1.weight"):
        arch = "RRDBNet"
        nf, in_ch = t.shape("conv_first.weight")[:2]
        if in_ch != t.shape("conv_last.weight")[0]:
            raise Unsupported("%s: RRDBNet whose conv_first takes %d channels for %d outputs (pixel-unshuffled "
                              "x2/x1 input) is not handled; only x4" % (path, in_ch, t.shape("conv_last.weight")[0]))
        nb = 1 + max(int(m.group(1)) for m in map(re.compile(r"body\.(\d+)\.").match, tensors) if m)
        gc = t.shape("body.0.rdb1.conv1.weight")[0]
        try:
            res_scale = float(meta.get("residual_scale", "0.2"))
        except ValueError:
            raise Unsupported("%s: metadata residual_scale = %r is not a number" % (path, meta["residual_scale"]))
        names = ["conv_first", "conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]
        names += ["body.%d.rdb%d.conv%d" % (b, r, c) for b in range(nb) for r in (1, 2, 3) for c in range(1, 6)]
        graph = rrdbnet_graph({name: t.conv(name) for name in names}, nb, res_scale)
        desc = rrdbnet_description(nf, nb, gc, res_scale)
    elif t.has("model.0.weight") and t.has("model.1.sub.0.res.0.weight"):
        bn = t.has("model.1.sub.0.res.1.running_mean")
        arch = "SRResNet-BN" if bn else "SRResNet"
        nf = t.shape("model.0.weight")[0]
        nb = 0
        while t.has("model.1.sub.%d.res.0.weight" % nb):
            nb += 1
        graph = srresnet_graph(t, nf, nb, bn)
        desc = "%s nf=%d nb=%d scale=%d norm_type=%s" % (arch, nf, nb, graph.scale, "batch" if bn else "none")
    else:
        raise Unsupported("%s: neither BasicSR RRDBNet keys (conv_first, body.0.rdb1.conv1, ...) nor 2018 SRResNet "
                          "keys (model.0, model.1.sub.0.res.0, ...); first keys: %s" % (path, ", ".join(sorted(tensors)[:4])))
    t.finish()
    if meta.get("architecture", arch) != arch:
        raise Unsupported("%s: metadata architecture %s, but the keys are %s's" % (path, meta["architecture"], arch))
    if meta.get("scale", str(graph.scale)) != str(graph.scale):
        raise Unsupported("%s: metadata scale %s, but the network is x%d" % (path, meta["scale"], graph.scale))
    return graph, desc


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
