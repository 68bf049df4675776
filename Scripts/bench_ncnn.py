#!/usr/bin/env python3
"""Times realesrgan-x4plus: ncnn CPU fp32 vs `srscope upscale`, same input and thread count.

Setup (once):   pip install ncnn==1.0.20261020 numpy
Usage:
  python3 Scripts/bench_ncnn.py --image astronaut.png --crop 128 --threads 2 --runs 3
  python3 Scripts/bench_ncnn.py --ncnn-only ...      # time ncnn alone

ncnn is timed twice per run: inference only (extract on a loaded net) and load + inference
(a fresh net each run, which is what one `srscope upscale` process must also do).
srscope is timed as the wall time of the whole subprocess (process start, model load, PNG
read/write, inference, --save-float). The printed ratio is srscope / ncnn(load+infer) on
medians; srscope / ncnn(infer) is printed too. Other processes on the machine inflate wall
times, so CPU times (user+sys of all threads: `time.process_time` around ncnn's extract,
`RUSAGE_CHILDREN` for srscope, which also covers its load and I/O) and their ratio are printed
as the contention-robust comparison.
"""
import argparse
import os
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_ncnn import (center_crop, check_tools, default_assets, load_ncnn, read_png_rgb8,  # noqa: E402
                          run_ncnn, run_srscope, to_chw, write_png_rgb8)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=default_assets(), help="dir holding models/ (default $SRSCOPE_ASSETS or ~/.cache/srscope)")
    ap.add_argument("--srscope", default=".build/release/srscope")
    ap.add_argument("--model", default="realesrgan-x4plus")
    ap.add_argument("--image", help="PNG photo (default: first PNG in <assets>/photos)")
    ap.add_argument("--crop", type=int, default=128, help="centre crop W×W (default 128)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="runs per tool; the median is reported")
    ap.add_argument("--ncnn-only", action="store_true")
    args = ap.parse_args(argv)
    if not args.image:
        d = os.path.join(args.assets, "photos")
        pngs = sorted(f for f in os.listdir(d) if f.endswith(".png")) if os.path.isdir(d) else []
        if not pngs:
            ap.error("no --image and no PNG in %s" % d)
        args.image = os.path.join(d, pngs[0])
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    return args


def time_ncnn(param, chw, threads, runs):
    """Median wall times (inference, load+inference), all inference walls, median inference CPU."""
    infer, total, cpu = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        net = load_ncnn(param, threads)
        t1, c1 = time.perf_counter(), time.process_time()
        run_ncnn(net, chw)
        t2, c2 = time.perf_counter(), time.process_time()
        infer.append(t2 - t1)
        total.append(t2 - t0)
        cpu.append(c2 - c1)
    return statistics.median(infer), statistics.median(total), infer, statistics.median(cpu)


def time_srscope(srscope, param, png, work, threads):
    """Wall time and user+sys CPU time of one srscope subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_srscope(srscope, param, png, work, threads)[1]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None):
    args = parse_args(argv)
    check_tools(args)
    param = os.path.join(args.assets, "models", args.model + ".param")
    img = center_crop(read_png_rgb8(args.image), args.crop)
    chw = to_chw(img)
    print("%s on %s %dx%d, %d threads, %d runs (median)" % (
        args.model, os.path.basename(args.image), img.shape[1], img.shape[0], args.threads, args.runs))
    infer, total, all_infer, cpu = time_ncnn(param, chw, args.threads, args.runs)
    print("ncnn fp32 CPU   inference %8.2f s   load+inference %8.2f s   inference CPU time %8.2f s   runs %s" % (
        infer, total, cpu, " ".join("%.2f" % t for t in all_infer)))
    if args.ncnn_only:
        return 0
    with tempfile.TemporaryDirectory() as work:
        png = os.path.join(work, "crop.png")
        write_png_rgb8(png, img)
        timings = [time_srscope(args.srscope, param, png, work, args.threads) for _ in range(args.runs)]
    walls = [w for w, _ in timings]
    wall, sr_cpu = statistics.median(walls), statistics.median(c for _, c in timings)
    print("srscope upscale wall      %8.2f s   process CPU time %8.2f s   runs %s" % (
        wall, sr_cpu, " ".join("%.2f" % t for t in walls)))
    print("ratio srscope / ncnn(load+infer) = %.2f   srscope / ncnn(infer) = %.2f   CPU-time ratio = %.2f" % (
        wall / total, wall / infer, sr_cpu / cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
