#!/usr/bin/env python3
"""Times a model in srscope against both peers, ncnn and onnxruntime: same input, same threads.

Setup (once):   Scripts/fetch-assets.sh     # models, photos, the venv with ncnn
                Scripts/fetch-peers.sh      # onnxruntime 1.32.0 + onnx 1.23.2 (pinned, hashed) into that venv
Usage (with the venv's Python, <assets>/venv/bin/python):
  python Scripts/bench_peers.py                                  # crops 64,128,256 of coffee.png, 2 threads, median of 3
  python Scripts/bench_peers.py --sizes 64 --runs 1 --coretype both
  python Scripts/bench_peers.py --model Ablations/rrdb/iter_9000.safetensors --sizes 128,256
  python Scripts/bench_peers.py --precision bf16 --sizes 64,128     # srscope and ncnn in bf16, onnxruntime fp32
  python Scripts/bench_peers.py --precision both --sizes 64,128 --runs 3 --coretype both

Models (--model; Scripts/peer_models.py builds the peers' files from one description of the network):
  default      realesrgan-x4plus, an ncnn RRDBNet x4 in <assets>/models (--model NAME or a .param for
               another): ncnn runs its .param/.bin; the ONNX model exists nowhere to download, so it is
               built once with onnx.helper from the same ncnn weights (RRDBNet with BasicSR names, dynamic
               H and W) and cached as <assets>/models/<model>.onnx; delete it to rebuild.
  checkpoint   a SRScope/BasicSR .safetensors (the ablation nets: RRDBNet x4 with BasicSR keys and its
               `residual_scale` metadata, default 0.2; the 2018 SRResNet with or without BatchNorm, kept
               as a BatchNormalization / BatchNorm op, not folded). ONNX and ncnn (.param/.bin, fp32
               weights) are written from it and cached as <assets>/models/onnx/<sha256>.onnx and
               <assets>/models/ncnn/<sha256>.{param,bin}, keyed by the checkpoint's sha256; delete them to
               rebuild. srscope loads the checkpoint itself. Should ncnn be unable to express an op, it is
               left out with a printed note and onnxruntime becomes the accuracy reference.
Engines, all on the CPU with --threads threads, in float32 (--precision fp32, the default):
  ncnn         the PyPI `ncnn` package, Vulkan and fp16/bf16 off, Winograd on (its default); opt.num_threads = N.
  onnxruntime  the PyPI `onnxruntime` package, CPUExecutionProvider, ORT_ENABLE_ALL, intra-op threads N,
               inter-op 1, sequential.
  srscope      `srscope upscale --threads N` as a subprocess, under the OPENBLAS_CORETYPE(s) of --coretype.
--precision bf16 swaps two of them for their bf16 modes (both: all five engines, interleaved, one set of
tables per precision, onnxruntime in both):
  ncnn bf16    opt.use_bf16_storage = True, fp16 still off, Winograd on: what turns bf16 on for ncnn's x86
               layers (use_bf16_packed changes nothing on the CPU). Weights and activations are stored as bf16
               (its output differs from fp32: ~55 dB); measured with perf on this 1.0.20261020 wheel, its
               Winograd convolutions multiply in fp32 (vfmadd231ps on widened bf16), its AVX512-BF16
               vdpbf16ps kernels run only with Winograd off; the wheel has no AMX code.
  srscope bf16 `srscope upscale --precision bf16`: oneDNN's bf16 convolutions (AMX-BF16 or AVX512-BF16,
               fp32 accumulation; RRDBNet, SRResNet and MSRResNet). Its --timing line must name oneDNN bf16
               (srscope falls back to fp32 with a note on CPUs without bf16), else the script stops.
  onnxruntime  stays fp32: its CPU execution provider has no bf16 convolutions (the tables say so).
Per size: one warm-up run of each engine, whose float outputs are compared first (PSNR against the fp32
reference: ncnn fp32, or onnxruntime without ncnn, peak 1.0; with --precision bf16 ncnn fp32 runs once,
untimed, as that reference; below 80 dB for an fp32 engine or 45 dB for a bf16 one the script stops with
exit status 1; the bf16 PSNRs are tabled at the end), then --runs timed runs, the engines interleaved, the
median reported. Peers are timed per run with a fresh net/session:
inference alone (extract / run) and load + inference. srscope is timed as the wall time of the whole
process (start, model load, PNG read/write, --save-float, inference) and by its own inference time, the
line `upscale --timing` prints (forward pass and clamping, no file I/O). CPU
time (user+sys, all threads: time.process_time around the peers' inference, RUSAGE_CHILDREN for the whole
srscope process) is the contention-robust figure when other processes share the machine. Ratios are
srscope / the faster peer (bf16 tables: srscope bf16 / the faster of ncnn bf16 and onnxruntime fp32).
The load average (os.getloadavg) is printed at the start, after each size and at the end.
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
                          progress_seconds, read_png_rgb8, srscope_kernels, run_ncnn, run_srscope, to_chw, write_png_rgb8)
from peer_venv import import_peer  # noqa: E402
from peer_models import (Unsupported, checkpoint_graph, ncnn_rrdbnet, sha256_file, write_ncnn,  # noqa: E402
                         write_onnx)

PSNR_MIN_DB = 80.0       # fp32 engines against the fp32 reference
BF16_PSNR_MIN_DB = 45.0  # bf16 engines (srscope --precision bf16, ncnn bf16 storage) against the fp32 reference
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- arguments and environment

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=default_assets(), help="dir holding models/ and photos/ (default $SRSCOPE_ASSETS or ~/.cache/srscope)")
    ap.add_argument("--srscope", default=".build/release/srscope")
    ap.add_argument("--model", default="realesrgan-x4plus",
                    help="an RRDBNet x4 ncnn model: a name in <assets>/models (default realesrgan-x4plus) or a .param; "
                         "or a SRScope/BasicSR .safetensors checkpoint (RRDBNet x4, 2018 SRResNet with or without BN)")
    ap.add_argument("--image", help="PNG photo (default <assets>/photos/coffee.png)")
    ap.add_argument("--sizes", default="64,128,256", help="comma-separated centre-crop sizes W (W×W input), default 64,128,256")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per engine and size after one warm-up; the median is reported")
    ap.add_argument("--coretype", default="env",
                    help="OPENBLAS_CORETYPE for srscope: 'env' (inherit, default), 'both' (Haswell and unset: one srscope "
                         "column each), 'unset', or a value such as Haswell")
    ap.add_argument("--precision", choices=("fp32", "bf16", "both"), default="fp32",
                    help="fp32 (default); bf16: srscope --precision bf16 and ncnn's bf16 storage, onnxruntime "
                         "stays fp32; both: all of them interleaved, one set of tables per precision")
    args = ap.parse_args(argv)
    args.precisions = ["fp32", "bf16"] if args.precision == "both" else [args.precision]
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
    """onnxruntime (and onnx), installed by Scripts/fetch-peers.sh when missing."""
    return import_peer(assets, ["onnxruntime", "onnx"], "fetch-peers.sh")


# ---------------------------------------------------------------- the model and its peer files

class Model:
    """What the engines run: `srscope` (the path srscope loads), `onnx`, `ncnn` (a .param, or None when ncnn
    cannot express the graph; `ncnn_note` then says why) and `title` (file and architecture)."""

    def __init__(self, title, srscope, onnx_path, ncnn_param, ncnn_note=None):
        self.title, self.srscope, self.onnx, self.ncnn, self.ncnn_note = title, srscope, onnx_path, ncnn_param, ncnn_note


def resolve_model(model, assets):
    """--model: a .safetensors checkpoint, an ncnn .param path, or the name of an ncnn model in <assets>/models."""
    if model.endswith(".safetensors"):
        return checkpoint_model(model, assets)
    param = model if model.endswith(".param") else os.path.join(assets, "models", model + ".param")
    if not os.path.isfile(param):
        sys.exit("--model: no such ncnn model %s (pass an ncnn name in %s/models, a .param or a .safetensors)"
                 % (param, assets))
    try:
        graph, desc = ncnn_rrdbnet(param)
    except ValueError as e:
        sys.exit("--model: %s (the ncnn models handled are RRDBNet x4)" % e)
    onnx_path = os.path.splitext(param)[0] + ".onnx"  # beside the ncnn files, built on first use
    if not os.path.isfile(onnx_path):
        print("building %s from the ncnn weights ..." % onnx_path, file=sys.stderr)
        write_onnx(graph, onnx_path, {"source": os.path.basename(param), "architecture": desc})
    return Model("%s (ncnn; %s)" % (model, desc), param, onnx_path, param)


def checkpoint_model(path, assets):
    """ONNX and ncnn files of a safetensors checkpoint, cached as <assets>/models/{onnx,ncnn}/<sha256>.*"""
    if not os.path.isfile(path):
        sys.exit("--model: no such checkpoint: %s" % path)
    try:
        graph, desc = checkpoint_graph(path)
    except ValueError as e:  # an unreadable file or an architecture that is not handled (Unsupported)
        sys.exit("--model: %s" % e)
    sha = sha256_file(path)
    onnx_path = os.path.join(assets, "models", "onnx", sha + ".onnx")
    ncnn_param = os.path.join(assets, "models", "ncnn", sha + ".param")
    if not os.path.isfile(onnx_path):
        os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
        print("building %s from %s ..." % (onnx_path, path), file=sys.stderr)
        write_onnx(graph, onnx_path, {"source": os.path.basename(path), "sha256": sha, "architecture": desc})
    note = None
    if not (os.path.isfile(ncnn_param) and os.path.isfile(os.path.splitext(ncnn_param)[0] + ".bin")):
        os.makedirs(os.path.dirname(ncnn_param), exist_ok=True)
        print("building %s from %s ..." % (ncnn_param, path), file=sys.stderr)
        try:
            write_ncnn(graph, ncnn_param)
        except Unsupported as e:
            note, ncnn_param = "%s; ncnn left out for this model, onnxruntime is the reference" % e, None
    return Model("%s (%s; sha256 %s)" % (path, desc, sha[:12]), path, onnx_path, ncnn_param, note)


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


def time_srscope(args, model_path, png, work, env, precision="fp32"):
    """One srscope process: (output, wall, own inference time or None, process CPU time, the kernels
    it reported, e.g. "Winograd avx512, OpenBLAS Cooperlake", or None). precision fp32 passes no
    --precision (srscope's default), so that the fp32 runs are the same command as before the option."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, wall, err = run_srscope(args.srscope, model_path, png, work, args.threads, env=env, tty=True,
                                 precision=None if precision == "fp32" else precision)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, wall, progress_seconds(err), cpu, srscope_kernels(err)


# ---------------------------------------------------------------- benchmark

def peers(args, ort, model):
    """[(key, table header, load, infer, precision)] of the timed peers for --precision. onnxruntime is
    fp32 in every mode (it has no bf16 execution of convolutions on the CPU) and sits in the tables of both."""
    out = []
    if model.ncnn and "fp32" in args.precisions:
        out.append(("ncnn", "ncnn fp32 (Winograd)", lambda: load_ncnn(model.ncnn, args.threads), run_ncnn, "fp32"))
    if model.ncnn and "bf16" in args.precisions:
        out.append(("ncnn bf16", "ncnn bf16 storage (Winograd)",
                    lambda: load_ncnn(model.ncnn, args.threads, bf16=True), run_ncnn, "bf16"))
    fp32 = "" if args.precisions == ["fp32"] else " fp32"
    out.append(("onnxruntime", "onnxruntime %s%s (all optimisations)" % (ort.__version__, fp32),
                lambda: ort_session(ort, model.onnx, args.threads), run_ort, "fp32"))
    return out


def srscope_runs(args, variants):
    """[(key, column name, env, precision, coretype label)]: one srscope column per precision and
    OPENBLAS_CORETYPE."""
    out = []
    for precision in args.precisions:
        for label, env in variants:
            if precision == "fp32":  # the keys and names of the fp32-only benchmark
                out.append((label, "srscope (OPENBLAS_CORETYPE=%s)" % label, env, precision, label))
            else:
                out.append(("%s %s" % (precision, label), "srscope %s (OPENBLAS_CORETYPE=%s)" % (precision, label),
                            env, precision, label))
    return out


def bench_size(args, engines, runs, model, img, work):
    """Warm-up + accuracy check, then interleaved timed runs. Returns ({engine key: {metric: median}},
    {bf16 engine name: PSNR against the fp32 reference})."""
    chw = to_chw(img)
    png = os.path.join(work, "crop.png")
    write_png_rgb8(png, img)
    infer = lambda run: lambda engine: run(engine, chw)  # noqa: E731

    # outputs in check order: (name, output, precision); the reference is ncnn fp32, else onnxruntime
    outs = [(key, time_peer(load, infer(run))[0], precision) for key, _, load, run, precision in engines]
    if model.ncnn and "ncnn" not in [key for key, _, _, _, _ in engines]:  # --precision bf16: ncnn fp32 untimed
        outs.insert(0, ("ncnn", run_ncnn(load_ncnn(model.ncnn, args.threads), chw), "fp32"))
    ref_i = next(i for i, (name, _, _) in enumerate(outs) if name == ("ncnn" if model.ncnn else "onnxruntime"))
    outs.insert(0, outs.pop(ref_i))
    size, bad = "%dx%d" % (img.shape[1], img.shape[0]), []
    for _, name, env, precision, _ in runs:
        out, _, _, _, kernels = time_srscope(args, model.srscope, png, work, env, precision)
        print("%s ran %s kernels" % (name, kernels or "(not reported)"))
        if precision == "bf16" and "bf16" not in (kernels or ""):
            bad.append("%s ran %s, not oneDNN bf16 (no AMX-BF16 / AVX512-BF16 here?)" % (name, kernels or "unreported kernels"))
        outs.append((name, out, precision))
    (ref_name, ref, _), psnrs = outs[0], {}
    for name, out, precision in outs[1:]:
        if out.shape != ref.shape:
            bad.append("%s output shape %s, %s %s" % (name, out.shape, ref_name, ref.shape))
            continue
        maxdiff, psnr, _ = compare(ref, out)
        floor = BF16_PSNR_MIN_DB if precision == "bf16" else PSNR_MIN_DB
        print("accuracy %s: %s vs %s  PSNR %.2f dB  max|diff| %.3e  (gate %.0f dB)" % (
            size, name, ref_name, psnr, maxdiff, floor))
        if precision == "bf16":
            psnrs[name] = psnr
            if name == "ncnn bf16" and ref_name == "ncnn" and np.array_equal(out, ref):
                print("note: ncnn's bf16 output equals its fp32 output: use_bf16_storage had no effect")
        if not (psnr >= floor and np.isfinite(out).all()):
            bad.append("%s vs %s PSNR %.2f dB < %.0f dB" % (name, ref_name, psnr, floor))
    if bad:
        raise SystemExit("FAIL at %s: %s; not timing a wrong result (cached peer models: %s)" % (
            size, "; ".join(bad), ", ".join(p for p in (model.ncnn, model.onnx) if p)))

    samples = {}

    def add(engine, **metrics):
        for k, v in metrics.items():
            samples.setdefault(engine, {}).setdefault(k, []).append(v)
    for _ in range(args.runs):
        for key, _, load, run, _ in engines:
            _, t_infer, total, cpu = time_peer(load, infer(run))
            add(key, infer=t_infer, total=total, cpu=cpu)
        for key, _, env, precision, _ in runs:
            _, wall, own, cpu, _ = time_srscope(args, model.srscope, png, work, env, precision)
            add(key, infer=own if own is not None else math.nan, total=wall, cpu=cpu)
    print("load average after %s: %s" % (size, load_average()))
    return {e: {k: statistics.median(v) for k, v in m.items()} for e, m in samples.items()}, psnrs


def load_average():
    try:
        return "%.2f %.2f %.2f (1/5/15 min)" % os.getloadavg()
    except OSError:
        return "unknown"


def fmt_s(x):
    if x is None or math.isnan(x):
        return "n/a"
    return "%.3f s" % x if x < 0.1 else "%.2f s" % x


def print_table(title, rows, peer_cols, sr_cols, metric):
    """peer_cols [(key, header)], sr_cols [(key, header, coretype label)]; one ratio column per srscope column."""
    labels = [label for _, _, label in sr_cols]
    ratio = "ratio %s / %s" % (sr_cols[0][1].split(" (")[0],
                               "faster peer" if len(peer_cols) > 1 else peer_cols[0][1].split(" (")[0])
    head = ["input LR"] + [header for _, header in peer_cols] + [header for _, header, _ in sr_cols]
    head += [ratio + ("" if len(labels) == 1 else " (%s)" % l) for l in labels]
    print("\n" + title + "\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for size, res in rows:
        peer = min(res[key][metric] for key, _ in peer_cols)
        cells = [size] + [fmt_s(res[key][metric]) for key, _ in peer_cols]
        cells += [fmt_s(res[key][metric]) for key, _, _ in sr_cols]
        cells += ["n/a" if math.isnan(res[key][metric]) or res[key][metric] == 0 else "%.2f" % (res[key][metric] / peer)
                  for key, _, _ in sr_cols]
        print("| " + " | ".join(cells) + " |")


def print_tables(args, rows, engines, runs):
    """The three tables (inference, end to end, CPU time) per precision of --precision."""
    for precision in args.precisions:
        peer_cols = [(key, header) for key, header, _, _, p in engines if p == precision or key == "onnxruntime"]
        sr_cols = [(key, name, label) for key, name, _, p, label in runs if p == precision]
        prefix = ""
        if precision == "bf16":
            prefix = "bf16: "
            print("\nbf16: srscope --precision bf16 (oneDNN bf16 convolutions, fp32 accumulation), ncnn with "
                  "use_bf16_storage (bf16 weights and activations); onnxruntime stays fp32, its CPU execution "
                  "provider has no bf16 convolutions")
        elif len(args.precisions) > 1:
            prefix = "fp32: "
        print_table(prefix + "Inference wall time (peers: extract/run on a loaded net; srscope: its own "
                    "`upscale --timing` figure)", rows, peer_cols, sr_cols, "infer")
        print_table(prefix + "End to end wall time (peers: load + inference; srscope: the whole `srscope upscale` "
                    "process, incl. PNG read/write and --save-float)", rows, peer_cols, sr_cols, "total")
        print_table(prefix + "CPU time, user+sys of all threads (peers: inference; srscope: the whole process)",
                    rows, peer_cols, sr_cols, "cpu")


def print_bf16_psnrs(rows, ref_name):
    names = []
    for _, psnrs in rows:
        names += [n for n in psnrs if n not in names]
    if not names:
        return
    print("\nbf16 accuracy: PSNR against the fp32 reference (%s), peak 1.0, float outputs; gate >= %.0f dB\n"
          % (ref_name, BF16_PSNR_MIN_DB))
    print("| input LR | " + " | ".join(names) + " |")
    print("|" + "|".join(["---"] + ["---:"] * len(names)) + "|")
    for size, psnrs in rows:
        print("| %s | %s |" % (size, " | ".join("%.2f dB" % psnrs[n] if n in psnrs else "n/a" for n in names)))


def main(argv=None):
    args = parse_args(argv)
    check_tools(args)
    ort = import_ort(args.assets)
    import ncnn
    model = resolve_model(args.model, args.assets)
    variants = coretype_variants(args.coretype)
    photo = read_png_rgb8(args.image)
    if max(args.sizes) > min(photo.shape[:2]):
        sys.exit("--sizes: %d is larger than %s (%dx%d)" % (
            max(args.sizes), args.image, photo.shape[1], photo.shape[0]))
    engines = peers(args, ort, model)
    runs = srscope_runs(args, variants)
    print("%s on centre crops of %s; %d threads; median of %d run(s) after 1 warm-up per engine" % (
        model.title, os.path.basename(args.image), args.threads, args.runs))
    if args.precisions != ["fp32"]:
        print("precision: %s (onnxruntime fp32 throughout; the accuracy reference is %s fp32)" % (
            " and ".join(args.precisions), "ncnn" if model.ncnn else "onnxruntime"))
    print("CPU: %s (%d logical CPUs); OPENBLAS_CORETYPE: %s; srscope under: %s" % (
        cpu_model(), os.cpu_count() or 0, os.environ.get("OPENBLAS_CORETYPE", "unset"),
        ", ".join(label for label, _ in variants)))
    print("ncnn %s, onnxruntime %s, numpy %s, Python %s; srscope %s" % (
        getattr(ncnn, "__version__", "?"), ort.__version__, np.__version__, platform.python_version(), args.srscope))
    print("peer models: %s" % ", ".join(p for p in (model.ncnn, model.onnx) if p))
    if model.ncnn_note:
        print("note: %s" % model.ncnn_note)
    print("load average at the start: %s" % load_average())
    rows, psnr_rows = [], []
    with tempfile.TemporaryDirectory() as work:
        for s in args.sizes:
            img = center_crop(photo, s)
            size = "%dx%d" % (img.shape[1], img.shape[0])
            medians, psnrs = bench_size(args, engines, runs, model, img, work)
            rows.append((size, medians))
            psnr_rows.append((size, psnrs))
    print("\nload average at the end: %s" % load_average())
    print_tables(args, rows, engines, runs)
    print_bf16_psnrs(psnr_rows, "ncnn" if model.ncnn else "onnxruntime")
    return 0


if __name__ == "__main__":
    sys.exit(main())
