#!/usr/bin/env python3
"""Times a training iteration of `srscope train` against PyTorch on the CPU: same generator, batch, HR patch, x4, L1, Adam, threads.

Setup (once):   Scripts/fetch-assets.sh            # the venv (numpy, ncnn) and the photos
                Scripts/fetch-training-photos.sh   # <assets>/train, the photos the ablation recipes train on
                Scripts/fetch-torch.sh             # torch 2.13.0+cpu (pinned, hashed) into that venv; this script
                                                   # runs it when torch is missing
Usage (with the venv's Python, <assets>/venv/bin/python):
  python Scripts/bench_train.py                                    # the four configs below, 3 rounds, both coretypes
  python Scripts/bench_train.py --configs srresnet,rrdb --iterations 40 --rounds 5
  python Scripts/bench_train.py --configs rrdb64 --iterations 4 --warmup 1 --coretype unset

Configurations (--configs, comma-separated: a name below, another folder of Ablations/, or a recipe file of an
srresnet or rrdbnet generator). Each is a recipe: the architecture, HR patch, batch, optimizer and init that both
sides use, with the scale of its architecture (x4 in all of these):
  srresnet    Ablations/srresnet/recipe.yml: 2018 SRResNet nf 32, 6 blocks, no BN; HR 32, batch 16
  rrdb        Ablations/rrdb/recipe.yml: RRDBNet nf 32, 1 RRDB, gc 16, residual scale 0.2; HR 32, batch 16
  srresnet64  that srresnet recipe with nf 64, 16 blocks, HR 96 (the ESRGAN paper's SRResNet), batch 16
  rrdb64      that rrdb recipe with nf 64, 3 RRDBs, gc 32, HR 96, batch 16
Engines, both on the CPU with --threads threads (default 2). Each round runs, per configuration: srscope fp32
(once per OPENBLAS_CORETYPE of --coretype), PyTorch fp32, PyTorch bf16, srscope bf16 (per coretype); --rounds
rounds (default 3); one table gives the median of the rounds, a second the best (least disturbed) round.
  srscope  `srscope train RECIPE --output DIR --threads N --iterations W+N` (W = --warmup, N = --iterations) on a
           copy of the recipe in a temporary folder, written as JSON: validation images removed (no validation
           runs), snapshot_interval = W+N (the only checkpoint is the last one, written after the last log row),
           relative data paths made absolute, SRSCOPE_ASSETS = --assets. Time per iteration from the cumulative
           `seconds` column of DIR/log.csv (10 ms resolution): (seconds[W+N] - seconds[W]) / N. Process start,
           reading the training photos and making their LR (all before the trainer's clock starts) and the first
           W iterations are not counted; the per-iteration patch sampling (crops and flips of images in memory)
           is. Run under each OPENBLAS_CORETYPE of --coretype (the project rule: Haswell and unset, the default;
           unset, srscope re-executes itself with the kernels its BLASKernelChoice picks for the CPU, e.g.
           Cooperlake on an AVX-512 bf16 Xeon).
  bf16     srscope: the same recipe with `precision: bf16`. A trainer without that key exits with status 1 and
           "unknown key 'precision'": the column then says so (n/a) and no further bf16 runs are made.
  PyTorch  the same graph written here with torch.nn (SRScope's TrainableSRResNet: the 2018 BasicSR `model.N`
           SRResNet, ReLU, PixelShuffle upsampling, optional training-mode BatchNorm; TrainableRRDBNet: BasicSR
           RRDBNet, LeakyReLU 0.2, nearest upsampling, the recipe's residual scale), the recipe's init
           (msra0.1: kaiming normal x 0.1, bias 0), torch.optim.Adam with the recipe's lr, betas and weight decay
           (constant lr), mean L1 loss in fp32, torch.set_num_threads(N), NCHW. Batches: uniform random LR and
           HR tensors of the recipe's shapes from a fixed seed, made before timing. fp32, and bf16 as
           `torch.autocast("cpu", dtype=torch.bfloat16)` around the forward pass (the loss on the fp32 cast of
           its output). Time per iteration: perf_counter after iteration W to after iteration W+N (each ending
           in optimizer.step()), divided by N. The network is built anew for every run. PyTorch's OpenMP threads
           meet at a barrier after every op and spin there (libgomp's default): when other processes hold a core,
           an iteration can take 10-60x longer (seen: 17 ms, then 1074 ms at a load average of 6.4 on 2 cores).
           --torch-omp-wait-policy PASSIVE makes them sleep instead; the header says which policy ran.
GFLOP/s: forward MACs of the convolutions per iteration (srscope's `macsPerInputPixel` x batch x LR pixels; the
script checks that the torch graph does the same MACs), x2 FLOPs per MAC, x3 for forward + backward.
Ratios are srscope / PyTorch at the same precision (above 1: srscope slower). The machine's load average is
printed before and after: other processes share the cores, so compare rows of one run.
"""
import argparse
import copy
import csv
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_peers import coretype_variants, cpu_model  # noqa: E402
from compare_ncnn import default_assets  # noqa: E402
from peer_venv import import_peer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NO_PRECISION = "n/a (srscope has no precision key)"

# name: (recipe file relative to the repository, overrides, default --iterations)
CONFIGS = {
    "srresnet": ("Ablations/srresnet/recipe.yml", {}, 40),
    "rrdb": ("Ablations/rrdb/recipe.yml", {}, 40),
    "srresnet64": ("Ablations/srresnet/recipe.yml",
                   {"architecture": {"num_feat": 64, "num_block": 16}, "data": {"hr_patch": 96, "batch": 16}}, 4),
    "rrdb64": ("Ablations/rrdb/recipe.yml",
               {"architecture": {"num_feat": 64, "num_block": 3, "num_grow_ch": 32}, "data": {"hr_patch": 96, "batch": 16}}, 4),
}
DEFAULT_CONFIGS = "srresnet,rrdb,srresnet64,rrdb64"


# ---------------------------------------------------------------- arguments and environment

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=default_assets(), help="dir holding train/ and venv/ (default $SRSCOPE_ASSETS or ~/.cache/srscope)")
    ap.add_argument("--srscope", default=os.path.join(REPO, ".build", "release", "srscope"),
                    help="the srscope binary (default .build/release/srscope of this checkout)")
    ap.add_argument("--configs", default=DEFAULT_CONFIGS,
                    help="comma-separated: %s, another Ablations/ folder name, or a recipe file (default %s)"
                    % (", ".join(CONFIGS), DEFAULT_CONFIGS))
    ap.add_argument("--iterations", type=int,
                    help="timed iterations per run (default: %s; 10 for other recipes)"
                    % ", ".join("%s %d" % (k, v[2]) for k, v in CONFIGS.items()))
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations at the start of every run (default 2)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median and the best are reported (default 3)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--coretype", default="both",
                    help="OPENBLAS_CORETYPE for srscope: 'both' (Haswell and unset: one row each, default), 'env' "
                         "(inherit), 'unset', or a value such as Haswell")
    ap.add_argument("--seed", type=int, default=2018, help="seed of PyTorch's init and random batches (default 2018)")
    ap.add_argument("--torch-omp-wait-policy", metavar="POLICY",
                    help="OMP_WAIT_POLICY for PyTorch's OpenMP threads, e.g. PASSIVE (default: as in the environment, "
                         "unset: libgomp spins, which collapses when other processes hold the cores); srscope's "
                         "environment keeps its own value")
    args = ap.parse_args(argv)
    if args.iterations is not None and args.iterations < 1:
        ap.error("--iterations must be >= 1")
    if args.warmup < 0 or args.rounds < 1 or args.threads < 1:
        ap.error("--warmup must be >= 0, --rounds and --threads >= 1")
    if not (os.path.isfile(args.srscope) and os.access(args.srscope, os.X_OK)):
        ap.error("no srscope binary at %s: swift build -c release --product srscope, or pass --srscope PATH" % args.srscope)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    if not args.configs:
        ap.error("--configs is empty")
    return args


def import_torch(assets, omp_wait_policy=None):
    """torch (installed by Scripts/fetch-torch.sh when missing). libgomp reads OMP_WAIT_POLICY when torch
    loads it, so it is set in this process before the import."""
    if omp_wait_policy:
        os.environ["OMP_WAIT_POLICY"] = omp_wait_policy
    return import_peer(assets, ["torch"], "fetch-torch.sh")


def load_avg():
    return "%.2f %.2f %.2f" % os.getloadavg()


# ---------------------------------------------------------------- configurations

class Config:
    """A recipe to time: `name`, `recipe` (dict, data paths absolute or ${VAR}), `iterations` (default timed ones)."""

    def __init__(self, name, recipe, iterations, source):
        self.name, self.recipe, self.iterations, self.source = name, recipe, iterations, source
        a, d = recipe["architecture"], recipe["data"]
        self.arch, self.batch, self.hr, self.scale = a, d["batch"], d["hr_patch"], a["scale"]
        self.lr_size = self.hr // self.scale
        self.macs = macs_per_lr_pixel(a) * self.batch * self.lr_size * self.lr_size  # forward, per iteration
        self.flops = 3 * 2 * self.macs

    def title(self):
        a = self.arch
        if a["type"] == "srresnet":
            net = "SRResNet%s nf%d nb%d" % ("-BN" if a.get("batch_norm") else "", a["num_feat"], a["num_block"])
        else:
            net = "RRDBNet nf%d nb%d gc%d rs%g" % (a["num_feat"], a["num_block"], a.get("num_grow_ch", 32),
                                                   a.get("residual_scale", 0.2))
        return "%s: %s x%d, HR %d, batch %d (%.2f GFLOP/it)" % (self.name, net, self.scale, self.hr, self.batch,
                                                               self.flops / 1e9)


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        sys.exit("reading %s needs PyYAML (pip install pyyaml)" % path)
    with open(path) as f:
        return yaml.safe_load(f)


def merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def resolve_config(name):
    if name in CONFIGS:
        rel, over, iterations = CONFIGS[name]
        path = os.path.join(REPO, rel)
    elif os.path.isfile(os.path.join(REPO, "Ablations", name, "recipe.yml")):
        path, over, iterations = os.path.join(REPO, "Ablations", name, "recipe.yml"), {}, 40
    elif os.path.isfile(name):
        path, over, iterations = name, {}, 10
    else:
        sys.exit("--configs: %s is neither %s, a folder of Ablations/ nor a recipe file" % (name, ", ".join(CONFIGS)))
    recipe = merge(load_yaml(path), over)
    a = recipe.get("architecture", {})
    if a.get("type") not in ("srresnet", "rrdbnet"):
        sys.exit("--configs: %s: architecture %s is not one this script writes in PyTorch (srresnet, rrdbnet)"
                 % (name, a.get("type")))
    if (recipe.get("loss") or "l1") != "l1":
        sys.exit("--configs: %s: only the l1 loss is compared" % name)
    # Data paths relative to the recipe's folder (as srscope resolves them) become absolute: the copy is elsewhere.
    base = os.path.dirname(os.path.abspath(path))
    recipe["data"]["hr_folders"] = [p if p.startswith(("/", "$")) else os.path.join(base, p)
                                    for p in recipe["data"]["hr_folders"]]
    recipe["data"].pop("validation", None)
    recipe.pop("validation_interval", None)
    return Config(name, recipe, iterations, os.path.relpath(path, REPO) + (" (modified)" if over else ""))


def macs_per_lr_pixel(a):
    """Forward MACs per LR input pixel, as SRScope's TrainableSRResNet / TrainableRRDBNet `macsPerInputPixel`."""
    nf, nb, scale, k = a["num_feat"], a["num_block"], a["scale"], 9
    if a["type"] == "srresnet":
        f, stages = (3 if scale == 3 else 2), (2 if scale == 4 else 1)
        lr, area = 3 * nf * k + (2 * nb + 1) * nf * nf * k, 1
        for _ in range(stages):
            lr += area * nf * nf * f * f * k
            area *= f * f
        return lr + area * (nf * nf * k + nf * 3 * k)
    gc = a.get("num_grow_ch", 32)
    u = {4: 1, 2: 2, 1: 4}[scale]
    rdb = sum((nf + i * gc) * (gc if i < 4 else nf) * k for i in range(5))
    lr = 3 * u * u * nf * k + nb * 3 * rdb + nf * nf * k
    return (lr + 4 * nf * nf * k + 16 * (2 * nf * nf * k + nf * 3 * k)) // (u * u)


# ---------------------------------------------------------------- srscope

class SrscopeFailed(Exception):
    pass


def run_srscope(args, cfg, iterations, env, work, precision=None):
    """One `srscope train` process: ms per iteration. Raises SrscopeFailed(stderr) on a non-zero exit."""
    folder = tempfile.mkdtemp(dir=work)
    try:
        recipe = copy.deepcopy(cfg.recipe)
        total = args.warmup + iterations
        recipe["iterations"] = total
        recipe["snapshot_interval"] = total
        if precision:
            recipe["precision"] = precision
        path = os.path.join(folder, "recipe.yml")
        with open(path, "w") as f:
            json.dump(recipe, f, indent=1)  # JSON is YAML
        run = os.path.join(folder, "run")
        env = dict(env, SRSCOPE_ASSETS=args.assets)
        p = subprocess.run([args.srscope, "train", path, "--output", run, "--threads", str(args.threads),
                            "--iterations", str(total)], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise SrscopeFailed((p.stderr.strip() or p.stdout.strip() or "exit status %d" % p.returncode))
        with open(os.path.join(run, "log.csv")) as f:
            seconds = {int(r["iteration"]): float(r["seconds"]) for r in csv.DictReader(f)}
        start = seconds[args.warmup] if args.warmup else 0.0
        return (seconds[total] - start) / iterations * 1000
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- PyTorch

def torch_net(torch, a):
    """The generator SRScope trains for architecture `a`, in torch.nn."""
    nn, F = torch.nn, torch.nn.functional

    def conv(i, o):
        return nn.Conv2d(i, o, 3, 1, 1)

    class Block(nn.Module):  # 2018 ResNetBlock, CNA: conv [BN] ReLU conv [BN], x + res(x)
        def __init__(self, nf, bn):
            super().__init__()
            layers = [conv(nf, nf)] + ([nn.BatchNorm2d(nf)] if bn else []) + [nn.ReLU()] + [conv(nf, nf)]
            self.res = nn.Sequential(*(layers + ([nn.BatchNorm2d(nf)] if bn else [])))

        def forward(self, x):
            return x + self.res(x)

    class SRResNet(nn.Module):  # old BasicSR SRResNet (model.N), SR-SPEC 1.5
        def __init__(self, nf, nb, scale, bn):
            super().__init__()
            self.f = 3 if scale == 3 else 2
            self.first = conv(3, nf)
            self.body = nn.Sequential(*[Block(nf, bn) for _ in range(nb)], conv(nf, nf),
                                      *([nn.BatchNorm2d(nf)] if bn else []))
            self.ups = nn.ModuleList(conv(nf, nf * self.f * self.f) for _ in range(2 if scale == 4 else 1))
            self.hr, self.last = conv(nf, nf), conv(nf, 3)

        def forward(self, x):
            feat = self.first(x)
            h = feat + self.body(feat)
            for u in self.ups:
                h = F.relu(F.pixel_shuffle(u(h), self.f))
            return self.last(F.relu(self.hr(h)))

    class RDB(nn.Module):
        def __init__(self, nf, gc, rs):
            super().__init__()
            self.rs = rs
            self.convs = nn.ModuleList(conv(nf + i * gc, gc if i < 4 else nf) for i in range(5))

        def forward(self, x):
            feats = [x]
            for c in self.convs[:4]:
                feats.append(F.leaky_relu(c(torch.cat(feats, 1)), 0.2))
            return self.convs[4](torch.cat(feats, 1)) * self.rs + x

    class RRDB(nn.Module):
        def __init__(self, nf, gc, rs):
            super().__init__()
            self.rs = rs
            self.rdbs = nn.Sequential(RDB(nf, gc, rs), RDB(nf, gc, rs), RDB(nf, gc, rs))

        def forward(self, x):
            return self.rdbs(x) * self.rs + x

    class RRDBNet(nn.Module):  # BasicSR RRDBNet, SR-SPEC 1.2, residual scale rs
        def __init__(self, nf, nb, gc, scale, rs):
            super().__init__()
            self.u = {4: 1, 2: 2, 1: 4}[scale]
            self.conv_first = conv(3 * self.u * self.u, nf)
            self.body = nn.Sequential(*[RRDB(nf, gc, rs) for _ in range(nb)])
            self.conv_body, self.conv_up1, self.conv_up2, self.conv_hr = (conv(nf, nf) for _ in range(4))
            self.conv_last = conv(nf, 3)

        def forward(self, x):
            if self.u > 1:
                x = F.pixel_unshuffle(x, self.u)
            feat = self.conv_first(x)
            feat = feat + self.conv_body(self.body(feat))
            feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
            feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
            return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))

    if a["type"] == "srresnet":
        return SRResNet(a["num_feat"], a["num_block"], a["scale"], bool(a.get("batch_norm")))
    return RRDBNet(a["num_feat"], a["num_block"], a.get("num_grow_ch", 32), a["scale"], a.get("residual_scale", 0.2))


def init_weights(torch, net, scheme):
    """The recipe's init on every conv: msra / msra0.1 (kaiming normal, fan_in, x1 / x0.1, bias 0); pytorch: as built."""
    if scheme not in ("msra", "msra0.1"):
        return
    gain = 0.1 if scheme == "msra0.1" else 1.0
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight)
                m.weight.mul_(gain)
                m.bias.zero_()


def torch_macs(torch, net, x):
    """Forward MACs of the convolutions, counted on a real forward pass."""
    total = [0]

    def hook(m, inp, out):
        total[0] += out.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
    hooks = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    return total[0]


def torch_batches(torch, cfg, seed, count=4):
    g = torch.Generator().manual_seed(seed)
    return [(torch.rand(cfg.batch, 3, cfg.lr_size, cfg.lr_size, generator=g),
             torch.rand(cfg.batch, 3, cfg.hr, cfg.hr, generator=g)) for _ in range(count)]


def run_torch(torch, args, cfg, iterations, batches, bf16):
    """One PyTorch run on a new network: ms per iteration after --warmup iterations."""
    torch.manual_seed(args.seed)
    net = torch_net(torch, cfg.arch)
    init_weights(torch, net, cfg.recipe.get("init") or "pytorch")
    net.train()
    o = cfg.recipe["optimizer"]
    opt = torch.optim.Adam(net.parameters(), lr=o["lr"], betas=tuple(o.get("betas") or (0.9, 0.999)),
                           weight_decay=o.get("weight_decay") or 0)
    l1 = torch.nn.functional.l1_loss
    start = time.perf_counter()
    for i in range(args.warmup + iterations):
        if i == args.warmup:
            start = time.perf_counter()
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        if bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = net(x)
        else:
            out = net(x)
        loss = l1(out.float(), y)
        loss.backward()
        opt.step()
    ms = (time.perf_counter() - start) / iterations * 1000
    if not math.isfinite(loss.item()):
        sys.exit("PyTorch %s on %s: loss is %s" % ("bf16" if bf16 else "fp32", cfg.name, loss.item()))
    return ms


# ---------------------------------------------------------------- benchmark

def bench(args, torch, cfgs, variants, work):
    """Interleaved rounds: ({config name: {column key: [ms of each round]}}, {config name: why srscope bf16 is n/a})."""
    samples = {c.name: {} for c in cfgs}
    bf16_note = {}  # config name -> why srscope bf16 has no numbers
    batches = {c.name: torch_batches(torch, c, args.seed) for c in cfgs}

    def add(cfg, key, ms, label):
        samples[cfg.name].setdefault(key, []).append(ms)
        print("  %-11s %-30s %9.1f ms/it   (load %s)" % (cfg.name, label, ms, load_avg()), flush=True)

    for r in range(args.rounds):
        print("round %d/%d" % (r + 1, args.rounds), flush=True)
        for cfg in cfgs:
            n = args.iterations or cfg.iterations
            for label, env in variants:
                try:
                    add(cfg, ("srscope", label), run_srscope(args, cfg, n, env, work), "srscope fp32 (%s)" % label)
                except SrscopeFailed as e:
                    sys.exit("srscope train failed on %s (OPENBLAS_CORETYPE=%s):\n%s" % (cfg.name, label, e))
            add(cfg, "torch", run_torch(torch, args, cfg, n, batches[cfg.name], False), "PyTorch fp32")
            add(cfg, "torch_bf16", run_torch(torch, args, cfg, n, batches[cfg.name], True), "PyTorch bf16 autocast")
            for label, env in variants:
                if cfg.name in bf16_note:
                    break
                try:
                    ms = run_srscope(args, cfg, n, env, work, precision="bf16")
                    add(cfg, ("srscope_bf16", label), ms, "srscope bf16 (%s)" % label)
                except SrscopeFailed as e:
                    text = str(e)
                    if "unknown key 'precision'" in text:
                        bf16_note[cfg.name] = NO_PRECISION
                    else:
                        bf16_note[cfg.name] = "failed: " + text.splitlines()[0]
                    print("  %-11s srscope bf16: %s" % (cfg.name, bf16_note[cfg.name]), flush=True)
    return samples, bf16_note


def fmt_ms(x):
    return "n/a" if x is None else ("%.0f" % x if x >= 100 else "%.1f" % x)


def fmt_ratio(a, b):
    return "n/a" if a is None or b is None else "%.2f" % (a / b)


def fmt_gflops(flops, ms):
    return "n/a" if ms is None else "%.1f" % (flops / (ms / 1000) / 1e9)


def print_table(cfgs, samples, bf16_note, variants, reduce):
    """One row per configuration and srscope coretype; `reduce` makes one figure of the rounds' samples."""
    figures = {name: {k: reduce(v) for k, v in cols.items()} for name, cols in samples.items()}
    head = ["configuration", "srscope OPENBLAS_CORETYPE", "srscope fp32 ms/it", "PyTorch fp32 ms/it",
            "PyTorch bf16 autocast ms/it", "srscope bf16 ms/it", "srscope/PyTorch fp32", "srscope/PyTorch bf16",
            "GFLOP/s srscope fp32", "GFLOP/s PyTorch fp32", "GFLOP/s PyTorch bf16", "GFLOP/s srscope bf16"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 2)) + "|")
    for cfg in cfgs:
        m = figures[cfg.name]
        tf, tb = m.get("torch"), m.get("torch_bf16")
        for label, _ in variants:
            sf, sb = m.get(("srscope", label)), m.get(("srscope_bf16", label))
            note = bf16_note.get(cfg.name)
            cells = [cfg.title(), label, fmt_ms(sf), fmt_ms(tf), fmt_ms(tb), note or fmt_ms(sb), fmt_ratio(sf, tf),
                     "n/a" if note else fmt_ratio(sb, tb), fmt_gflops(cfg.flops, sf), fmt_gflops(cfg.flops, tf),
                     fmt_gflops(cfg.flops, tb), "n/a" if note else fmt_gflops(cfg.flops, sb)]
            print("| " + " | ".join(cells) + " |")


def main(argv=None):
    args = parse_args(argv)
    user_env = dict(os.environ)
    torch = import_torch(args.assets, args.torch_omp_wait_policy)
    os.environ.clear()
    os.environ.update(user_env)  # srscope runs in the environment this script was started in
    torch.set_num_threads(args.threads)
    cfgs = [resolve_config(c) for c in args.configs]
    train = os.path.join(args.assets, "train")
    if any("${SRSCOPE_ASSETS}/train" in c.recipe["data"]["hr_folders"] for c in cfgs) and not os.path.isdir(train):
        sys.exit("no training photos in %s: run Scripts/fetch-training-photos.sh" % train)
    for cfg in cfgs:  # the torch graph must do the work srscope's graph does, or GFLOP/s and ratios mean nothing
        x = torch.rand(1, 3, cfg.lr_size, cfg.lr_size)
        got, want = torch_macs(torch, torch_net(torch, cfg.arch), x) * cfg.batch, cfg.macs
        if got != want:
            sys.exit("%s: the PyTorch graph does %d MACs per iteration, srscope's formula %d" % (cfg.name, got, want))
    variants = coretype_variants(args.coretype)
    print("srscope train vs PyTorch: ms per training iteration (forward, L1, backward, Adam), %d threads, "
          "median of %d round(s) of %s timed iteration(s) after %d warm-up iteration(s)" % (
              args.threads, args.rounds, args.iterations or "per-config", args.warmup))
    print("CPU: %s (%d logical CPUs); torch CPU capability %s; srscope under OPENBLAS_CORETYPE: %s (PyTorch uses "
          "its own oneDNN/MKL kernels, whatever OPENBLAS_CORETYPE says)" % (
              cpu_model(), os.cpu_count() or 0, torch.backends.cpu.get_cpu_capability(),
              ", ".join(label for label, _ in variants)))
    print("PyTorch OMP_WAIT_POLICY: %s" % (args.torch_omp_wait_policy or os.environ.get("OMP_WAIT_POLICY", "unset")))
    onednn = re.findall(r"(?:oneDNN|MKL-DNN) (v[\d.]+)", torch.__config__.show())
    print("torch %s (oneDNN %s), Python %s; srscope %s" % (
        torch.__version__, onednn[0] if onednn else "?", platform.python_version(), args.srscope))
    for cfg in cfgs:
        print("config %s from %s; %.3f G forward MACs per iteration (srscope's count = the PyTorch graph's); "
              "timed iterations %d" % (cfg.title(), cfg.source, cfg.macs / 1e9, args.iterations or cfg.iterations))
    print("load average at start: %s" % load_avg(), flush=True)
    with tempfile.TemporaryDirectory() as work:
        samples, bf16_note = bench(args, torch, cfgs, variants, work)
    print("\nload average at end: %s" % load_avg())
    print("GFLOP/s = 3 x forward MACs x 2 FLOP per iteration (forward + backward counted as 3x forward) / time; "
          "ratios srscope / PyTorch at the same precision; PyTorch columns repeat on each coretype row (it is not "
          "affected by OPENBLAS_CORETYPE).\n")
    print("Median of %d round(s):\n" % args.rounds)
    print_table(cfgs, samples, bf16_note, variants, statistics.median)
    if args.rounds > 1:
        print("\nBest of %d round(s) (the least disturbed run of each engine; other processes only ever add time):\n"
              % args.rounds)
        print_table(cfgs, samples, bf16_note, variants, min)
    return 0


if __name__ == "__main__":
    sys.exit(main())
