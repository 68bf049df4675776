#!/usr/bin/env python3
"""Times realesrgan-x4plus in srscope against both peers, ncnn and onnxruntime: same input, same threads.

Setup (once):   Scripts/fetch-assets.sh     # models, photos, the venv with ncnn
                Scripts/fetch-peers.sh      # onnxruntime 1.32.0 + onnx 1.23.2 (pinned, hashed) into that venv
Usage (with the venv's Python, <assets>/venv/bin/python):
  python Scripts/bench_peers.py                                  # crops 64,128,256 of coffee.png, 2 threads, median of 3
  python Scripts/bench_peers.py --sizes 64 --runs 1 --coretype both

Engines, all on the CPU in float32 with --threads threads:
  ncnn         the PyPI `ncnn` package on <assets>/models/<model>.{param,bin}, Vulkan and fp16/bf16 off,
               Winograd on (its default); opt.num_threads = N.
  onnxruntime  the PyPI `onnxruntime` package, CPUExecutionProvider, ORT_ENABLE_ALL, intra-op threads N,
               inter-op 1, sequential, on <assets>/models/<model>.onnx. That model exists nowhere to
               download: it is built here once with onnx.helper from the same ncnn weights (RRDBNet with
               BasicSR names, dynamic H and W) and cached; delete it to rebuild.
  srscope      `srscope upscale --threads N` as a subprocess, under the OPENBLAS_CORETYPE(s) of --coretype.
Per size: one warm-up run of each engine, whose float outputs are compared first (PSNR against ncnn, peak
1.0; below 80 dB the script stops with exit status 1), then --runs timed runs, the engines interleaved,
the median reported. Peers are timed per run with a fresh net/session: inference alone (extract / run)
and load + inference. srscope is timed as the wall time of the whole process (start, model load, PNG
read/write, --save-float, inference) and by its own inference time, the last frame of its progress bar
(drawn because its stderr is a pseudo-terminal; 0.1 s resolution). CPU time (user+sys, all threads:
time.process_time around the peers' inference, RUSAGE_CHILDREN for the whole srscope process) is the
contention-robust figure when other processes share the machine. Ratios are srscope / the faster peer.
"""
import argparse
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_ncnn import (center_crop, check_tools, compare, default_assets, load_ncnn,  # noqa: E402
                          progress_seconds, read_png_rgb8, run_ncnn, run_srscope, to_chw, write_png_rgb8)

PSNR_MIN_DB = 80.0
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- arguments and environment

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=default_assets(), help="dir holding models/ and photos/ (default $SRSCOPE_ASSETS or ~/.cache/srscope)")
    ap.add_argument("--srscope", default=".build/release/srscope")
    ap.add_argument("--model", default="realesrgan-x4plus", help="an RRDBNet ncnn model in <assets>/models")
    ap.add_argument("--image", help="PNG photo (default <assets>/photos/coffee.png)")
    ap.add_argument("--sizes", default="64,128,256", help="comma-separated centre-crop sizes W (W×W input), default 64,128,256")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per engine and size after one warm-up; the median is reported")
    ap.add_argument("--coretype", default="env",
                    help="OPENBLAS_CORETYPE for srscope: 'env' (inherit, default), 'both' (Haswell and unset: one srscope "
                         "column each), 'unset', or a value such as Haswell")
    args = ap.parse_args(argv)
    args.ncnn_only = False  # what check_tools reads
    if not args.image:
        args.image = os.path.join(args.assets, "photos", "coffee.png")
    if not os.path.isfile(args.image):
        ap.error("no such image: %s" % args.image)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes must be comma-separated integers")
    if not args.sizes or min(args.sizes) < 1:
        ap.error("--sizes must list positive sizes")
    if args.runs < 1 or args.threads < 1:
        ap.error("--runs and --threads must be >= 1")
    return args


def coretype_variants(mode):
    """[(label, env for the srscope subprocess)] for --coretype."""
    def env_with(value):
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        if value is not None:
            env["OPENBLAS_CORETYPE"] = value
        return env
    if mode == "env":
        return [(os.environ.get("OPENBLAS_CORETYPE", "unset"), dict(os.environ))]
    if mode == "both":
        return [("Haswell", env_with("Haswell")), ("unset", env_with(None))]
    if mode == "unset":
        return [("unset", env_with(None))]
    return [(mode, env_with(mode))]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def import_ort(assets):
    """onnxruntime and onnx; installs them with Scripts/fetch-peers.sh when this is the asset venv's Python."""
    try:
        import onnx  # noqa: F401
        import onnxruntime
        return onnxruntime
    except ImportError:
        pass
    venv = os.path.join(assets, "venv")
    if os.path.realpath(sys.prefix) != os.path.realpath(venv):
        sys.exit("onnxruntime/onnx are not installed for %s: run Scripts/fetch-peers.sh, then this script "
                 "with %s/bin/python" % (sys.executable, venv))
    subprocess.run([os.path.join(HERE, "fetch-peers.sh")], check=True)
    import importlib
    importlib.invalidate_caches()
    import onnxruntime
    return onnxruntime


# ---------------------------------------------------------------- ncnn model -> ONNX RRDBNet

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


def build_rrdbnet_onnx(param, out_path):
    """Writes the RRDBNet x4 of the ncnn model as ONNX (opset 17, input `data` 1×3×H×W, output `output`)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    convs = read_ncnn_convolutions(param, os.path.splitext(param)[0] + ".bin")
    names = rrdbnet_names(convs)
    weights = dict(zip(names, convs))
    nodes, inits = [], []
    counter = [0]

    def fresh(prefix):
        counter[0] += 1
        return "%s_%d" % (prefix, counter[0])

    def conv(name, x, leaky=False):
        c = weights[name]
        inits.append(numpy_helper.from_array(c["weight"], name + ".weight"))
        inits.append(numpy_helper.from_array(c["bias"], name + ".bias"))
        y = name
        nodes.append(helper.make_node("Conv", [x, name + ".weight", name + ".bias"], [y], name=name,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]))
        if leaky:
            z = name + ".lrelu"
            nodes.append(helper.make_node("LeakyRelu", [y], [z], name=z, alpha=0.2))
            y = z
        return y

    def scaled_residual(y, x):  # y·0.2 + x
        m, s = fresh("mul"), fresh("add")
        nodes.append(helper.make_node("Mul", [y, "res_scale"], [m], name=m))
        nodes.append(helper.make_node("Add", [m, x], [s], name=s))
        return s

    def rdb(prefix, x):
        feats = [x]
        for i in range(1, 5):
            inp = feats[0] if len(feats) == 1 else _concat(feats)
            feats.append(conv("%s.conv%d" % (prefix, i), inp, leaky=True))
        return scaled_residual(conv(prefix + ".conv5", _concat(feats)), x)

    def _concat(xs):
        y = fresh("concat")
        nodes.append(helper.make_node("Concat", xs, [y], name=y, axis=1))
        return y

    def up2(x):
        y = fresh("resize")
        nodes.append(helper.make_node("Resize", [x, "", "scale2"], [y], name=y, mode="nearest",
                                      coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
        return y

    inits.append(numpy_helper.from_array(np.array(0.2, np.float32), "res_scale"))
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scale2"))
    feat = conv("conv_first", "data")
    body = feat
    for b in range((len(names) - 6) // 15):
        x = body
        for r in (1, 2, 3):
            x = rdb("body.%d.rdb%d" % (b, r), x)
        body = scaled_residual(x, body)
    feat2 = fresh("add")
    nodes.append(helper.make_node("Add", [feat, conv("conv_body", body)], [feat2], name=feat2))
    x = conv("conv_up1", up2(feat2), leaky=True)
    x = conv("conv_up2", up2(x), leaky=True)
    x = conv("conv_hr", x, leaky=True)
    last = conv("conv_last", x)
    nodes.append(helper.make_node("Identity", [last], ["output"], name="output"))
    graph = helper.make_graph(
        nodes, "RRDBNet", [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "H4", "W4"])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="srscope bench_peers.py")
    helper.set_model_props(model, {"source": os.path.basename(param),
                                   "architecture": "RRDBNet num_feat=64 num_block=%d num_grow_ch=32 scale=4"
                                   % ((len(names) - 6) // 15)})
    onnx.checker.check_model(model)
    tmp = out_path + ".part"
    onnx.save(model, tmp)
    os.replace(tmp, out_path)


def onnx_model(param):
    """<model>.onnx beside the ncnn files, built on first use."""
    path = os.path.splitext(param)[0] + ".onnx"
    if not os.path.isfile(path):
        print("building %s from the ncnn weights ..." % path, file=sys.stderr)
        build_rrdbnet_onnx(param, path)
    return path


# ---------------------------------------------------------------- engines

def ort_session(ort, path, threads):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])


def run_ort(sess, chw):
    return sess.run(["output"], {"data": chw[None]})[0][0]


def time_peer(load, infer):
    """One fresh load + inference: (output, inference wall, load+inference wall, inference CPU time)."""
    t0 = time.perf_counter()
    engine = load()
    t1, c1 = time.perf_counter(), time.process_time()
    out = infer(engine)
    t2, c2 = time.perf_counter(), time.process_time()
    return out, t2 - t1, t2 - t0, c2 - c1


def time_srscope(args, param, png, work, env):
    """One srscope process: (output, wall, own inference time or None, process CPU time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, wall, err = run_srscope(args.srscope, param, png, work, args.threads, env=env, tty=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, wall, progress_seconds(err), cpu


# ---------------------------------------------------------------- benchmark

def bench_size(args, ort, param, onnx_path, img, variants, work):
    """Warm-up + accuracy check, then interleaved timed runs. Returns {engine: {metric: median}}."""
    chw = to_chw(img)
    png = os.path.join(work, "crop.png")
    write_png_rgb8(png, img)
    ncnn_load = lambda: load_ncnn(param, args.threads)  # noqa: E731
    ort_load = lambda: ort_session(ort, onnx_path, args.threads)  # noqa: E731
    ncnn_infer = lambda net: run_ncnn(net, chw)  # noqa: E731
    ort_infer = lambda s: run_ort(s, chw)  # noqa: E731

    ref = time_peer(ncnn_load, ncnn_infer)[0]
    out_ort = time_peer(ort_load, ort_infer)[0]
    checks = [("onnxruntime", out_ort)] + [("srscope (OPENBLAS_CORETYPE=%s)" % label, time_srscope(args, param, png, work, env)[0])
                                           for label, env in variants]
    size = "%dx%d" % (img.shape[1], img.shape[0])
    bad = []
    for name, out in checks:
        if out.shape != ref.shape:
            bad.append("%s output shape %s, ncnn %s" % (name, out.shape, ref.shape))
            continue
        maxdiff, psnr, _ = compare(ref, out)
        print("accuracy %s: %s vs ncnn  PSNR %.2f dB  max|diff| %.3e" % (size, name, psnr, maxdiff))
        if not (psnr >= PSNR_MIN_DB and np.isfinite(out).all()):
            bad.append("%s vs ncnn PSNR %.2f dB < %.0f dB" % (name, psnr, PSNR_MIN_DB))
    if bad:
        raise SystemExit("FAIL at %s: %s; not timing a wrong result" % (size, "; ".join(bad)))

    samples = {}

    def add(engine, **metrics):
        for k, v in metrics.items():
            samples.setdefault(engine, {}).setdefault(k, []).append(v)
    for _ in range(args.runs):
        _, infer, total, cpu = time_peer(ncnn_load, ncnn_infer)
        add("ncnn", infer=infer, total=total, cpu=cpu)
        _, infer, total, cpu = time_peer(ort_load, ort_infer)
        add("ort", infer=infer, total=total, cpu=cpu)
        for label, env in variants:
            _, wall, own, cpu = time_srscope(args, param, png, work, env)
            add(label, infer=own if own is not None else math.nan, total=wall, cpu=cpu)
    return {e: {k: statistics.median(v) for k, v in m.items()} for e, m in samples.items()}


def fmt_s(x):
    return "n/a" if x is None or math.isnan(x) else "%.2f s" % x


def print_table(title, rows, variants, metric, ort_version):
    labels = [label for label, _ in variants]
    head = ["input LR", "ncnn fp32 (Winograd)", "onnxruntime %s (all optimisations)" % ort_version]
    head += ["srscope (OPENBLAS_CORETYPE=%s)" % l for l in labels]
    head += ["ratio srscope / faster peer" + ("" if len(labels) == 1 else " (%s)" % l) for l in labels]
    print("\n" + title + "\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for size, res in rows:
        peer = min(res["ncnn"][metric], res["ort"][metric])
        cells = [size, fmt_s(res["ncnn"][metric]), fmt_s(res["ort"][metric])]
        cells += [fmt_s(res[l][metric]) for l in labels]
        cells += ["n/a" if math.isnan(res[l][metric]) else "%.2f" % (res[l][metric] / peer) for l in labels]
        print("| " + " | ".join(cells) + " |")


def main(argv=None):
    args = parse_args(argv)
    check_tools(args)
    ort = import_ort(args.assets)
    import ncnn
    param = os.path.join(args.assets, "models", args.model + ".param")
    onnx_path = onnx_model(param)
    variants = coretype_variants(args.coretype)
    photo = read_png_rgb8(args.image)
    if max(args.sizes) > min(photo.shape[:2]):
        sys.exit("--sizes: %d is larger than %s (%dx%d)" % (
            max(args.sizes), args.image, photo.shape[1], photo.shape[0]))
    print("%s on centre crops of %s; %d threads; median of %d run(s) after 1 warm-up per engine" % (
        args.model, os.path.basename(args.image), args.threads, args.runs))
    print("CPU: %s (%d logical CPUs); OPENBLAS_CORETYPE: %s; srscope under: %s" % (
        cpu_model(), os.cpu_count() or 0, os.environ.get("OPENBLAS_CORETYPE", "unset"),
        ", ".join(label for label, _ in variants)))
    print("ncnn %s, onnxruntime %s, numpy %s, Python %s; srscope %s" % (
        getattr(ncnn, "__version__", "?"), ort.__version__, np.__version__, platform.python_version(), args.srscope))
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for s in args.sizes:
            img = center_crop(photo, s)
            rows.append(("%dx%d" % (img.shape[1], img.shape[0]),
                         bench_size(args, ort, param, onnx_path, img, variants, work)))
    print_table("Inference wall time (peers: extract/run on a loaded net; srscope: its progress bar's time, 0.1 s steps)",
                rows, variants, "infer", ort.__version__)
    print_table("End to end wall time (peers: load + inference; srscope: the whole `srscope upscale` process, "
                "incl. PNG read/write and --save-float)", rows, variants, "total", ort.__version__)
    print_table("CPU time, user+sys of all threads (peers: inference; srscope: the whole process)",
                rows, variants, "cpu", ort.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
