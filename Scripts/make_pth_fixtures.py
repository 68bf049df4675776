#!/usr/bin/env python3
"""Writes the SRFormats checkpoint fixtures with the Python standard library only (no torch, no numpy).

Usage:  python3 Scripts/make_pth_fixtures.py [out_dir]   (default Tests/SRFormatsTests/Fixtures)

PyTorch-compatible pickles are produced with stand-in objects: fake `torch` / `torch._utils` modules are
registered in sys.modules so that pickle emits GLOBAL 'torch._utils _rebuild_tensor_v2' and
'torch FloatStorage', and storages are written through the persistent_id hook, as torch.save does
(SR-SPEC 2.2-2.4). Check with: python3 -m pickletools <(unzip -p rrdb_basicsr_zip.pth rrdb_basicsr_zip/data.pkl)
"""
import collections, io, json, os, pickle, struct, sys, types, zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("Tests", "SRFormatsTests", "Fixtures")

# ---- stand-in torch ---------------------------------------------------------------------------
torch_mod = types.ModuleType("torch")
utils_mod = types.ModuleType("torch._utils")
torch_mod._utils = utils_mod
def _rebuild_tensor_v2(*args): raise RuntimeError("never called")
_rebuild_tensor_v2.__module__ = "torch._utils"
utils_mod._rebuild_tensor_v2 = _rebuild_tensor_v2
STORAGE_FORMATS = {"FloatStorage": "f", "HalfStorage": "e", "LongStorage": "q", "DoubleStorage": "d"}
for cls_name in STORAGE_FORMATS:
    cls = type(cls_name, (), {"__module__": "torch"})
    setattr(torch_mod, cls_name, cls)
sys.modules["torch"] = torch_mod
sys.modules["torch._utils"] = utils_mod

class FakeStorage:
    """A storage: a flat list of values, its class name, key and an optional legacy view."""
    def __init__(self, values, key, cls="FloatStorage", location="cpu"):
        self.values, self.key, self.cls, self.location = values, key, cls, location
    def raw(self):
        return struct.pack("<%d%s" % (len(self.values), STORAGE_FORMATS[self.cls]), *self.values)

class StorageView:
    """A legacy storage view (view_key, offset, numel) into a root storage."""
    def __init__(self, root, key, offset, numel):
        self.root, self.key, self.offset, self.numel = root, key, offset, numel

class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)
    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))

def contiguous_stride(shape):
    stride, acc = [], 1
    for n in reversed(shape):
        stride.insert(0, acc); acc *= n
    return stride

def tensor(values, shape, key, cls="FloatStorage"):
    return FakeTensor(FakeStorage(values, key, cls), 0, shape, contiguous_stride(shape))

def numel(shape):
    n = 1
    for s in shape: n *= s
    return n

# ---- deterministic weights --------------------------------------------------------------------
class LCG:
    def __init__(self, seed): self.state = seed
    def next_float(self):  # float32 in [-0.3, 0.3]
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        u = (self.state >> 40) / float(1 << 24)
        return struct.unpack("<f", struct.pack("<f", (u * 2 - 1) * 0.3))[0]

def rrdb_shapes(nin=3, nout=3, nf=4, gc=2, nb=1):
    """BasicSR RRDBNet keys and shapes in state_dict order (SR-SPEC 1.2)."""
    shapes = [("conv_first", [nf, nin, 3, 3], nf)]
    for b in range(nb):
        for r in (1, 2, 3):
            for c in range(1, 6):
                cin, cout = nf + (c - 1) * gc, (gc if c < 5 else nf)
                shapes.append(("body.%d.rdb%d.conv%d" % (b, r, c), [cout, cin, 3, 3], cout))
    for name in ("conv_body", "conv_up1", "conv_up2", "conv_hr"):
        shapes.append((name, [nf, nf, 3, 3], nf))
    shapes.append(("conv_last", [nout, nf, 3, 3], nout))
    out = []
    for name, w, b in shapes:
        out += [(name + ".weight", w), (name + ".bias", [b])]
    return out

def key_2019(k, nb=1):
    k = k.replace("body.", "RRDB_trunk.", 1) if k.startswith("body.") else k
    for a, b in (("rdb", "RDB"), ("conv_body", "trunk_conv"), ("conv_up", "upconv"), ("conv_hr", "HRconv")):
        k = k.replace(a, b)
    return "module." + k

def key_2018(k, nb=1):
    top = {"conv_first": "model.0", "conv_body": "model.1.sub.%d" % nb, "conv_up1": "model.3",
           "conv_up2": "model.6", "conv_hr": "model.8", "conv_last": "model.10"}
    stem, leaf = k.rsplit(".", 1)
    if stem in top: return top[stem] + "." + leaf
    _, b, r, c = stem.split(".")
    return "model.1.sub.%s.RDB%s.%s.0.%s" % (b, r[3:], c, leaf)

# ---- containers --------------------------------------------------------------------------------
def pickle_with_storages(obj, legacy):
    """Pickles obj (protocol 2) with torch-style persistent ids; returns (bytes, storages in order)."""
    buf, seen = io.BytesIO(), collections.OrderedDict()
    pickler = pickle.Pickler(buf, protocol=2)
    def persistent_id(o):
        if isinstance(o, StorageView):
            seen.setdefault(o.root.key, o.root)
            return ("storage", getattr(torch_mod, o.root.cls), o.root.key, o.root.location,
                    len(o.root.values), (o.key, o.offset, o.numel))
        if isinstance(o, FakeStorage):
            seen.setdefault(o.key, o)
            pid = ("storage", getattr(torch_mod, o.cls), o.key, o.location, len(o.values))
            return pid + (None,) if legacy else pid
        return None
    pickler.persistent_id = persistent_id
    pickler.dump(obj)
    return buf.getvalue(), list(seen.values())

def write_zip_pth(path, obj=None, records=None):
    """torch.save (>=1.6) layout: <stem>/data.pkl, byteorder, data/<key> 64-byte aligned, version."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if records is None:
        pkl, storages = pickle_with_storages(obj, legacy=False)
        records = [("data.pkl", pkl), ("byteorder", b"little")]
        records += [("data/" + s.key, s.raw()) for s in storages]
        records += [("version", b"3\n")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in records:
            info = zipfile.ZipInfo(stem + "/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            base = buf.tell() + 30 + len(info.filename.encode()) + 4
            pad = (64 - base % 64) % 64
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            zf.writestr(info, data)
    with open(path, "wb") as f: f.write(buf.getvalue())

SYS_INFO = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 8}}
MAGIC = 0x1950a86a20f9469cfc6c

def write_legacy_pth(path, obj, raw_pickle=None):
    """Pre-1.6 layout (SR-SPEC 2.4): magic, 1001, sys_info, object, sorted keys, then count+data per key."""
    out = pickle.dumps(MAGIC, 2) + pickle.dumps(1001, 2) + pickle.dumps(SYS_INFO, 2)
    if raw_pickle is not None:
        with open(path, "wb") as f: f.write(out + raw_pickle)
        return
    pkl, storages = pickle_with_storages(obj, legacy=True)
    by_key = {s.key: s for s in storages}
    keys = sorted(by_key)
    out += pkl + pickle.dumps(keys, 2)
    for k in keys:
        out += struct.pack("<q", len(by_key[k].values)) + by_key[k].raw()
    with open(path, "wb") as f: f.write(out)

def write_safetensors(path, items, metadata):
    header, blobs, offset = collections.OrderedDict(), [], 0
    header["__metadata__"] = metadata
    for k, shape, vals in items:
        raw = struct.pack("<%df" % len(vals), *vals)
        header[k] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw); offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f: f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def make_state_dict(shapes, values, rename, key_base):
    sd = collections.OrderedDict()
    for i, ((k, shape), v) in enumerate(zip(shapes, values)):
        sd[rename(k)] = tensor(v, shape, str(key_base + i))
    sd._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict() does
    return sd

def shared_storage_fixture():
    """(e) legacy file: one root storage shared by four tensors at non-zero offsets and strides,
    a legacy storage view, a half tensor and a 0-dim long; returns (object, expected logical values)."""
    rng = LCG(7)
    root = FakeStorage([rng.next_float() for _ in range(60)], "3000")
    half = FakeStorage([0.5, -1.25, 3.0, 65504.0, 6.103515625e-05, 0.0], "3001", "HalfStorage")
    count = FakeStorage([42], "3002", "LongStorage")
    vroot = FakeStorage([rng.next_float() for _ in range(20)], "3003", "FloatStorage", "cuda:0")
    view = StorageView(vroot, "3004", 5, 12)
    obj = collections.OrderedDict()
    obj["a.contiguous"] = FakeTensor(root, 0, (2, 3), (3, 1))
    obj["b.offset"] = FakeTensor(root, 7, (4,), (1,))
    obj["c.permuted"] = FakeTensor(root, 11, (3, 2, 2, 2), (1, 12, 6, 3))  # OIHW view of HWIO-like data
    obj["d.transposed"] = FakeTensor(root, 40, (3, 4), (1, 3))
    obj["e.view"] = FakeTensor(view, 2, (2, 3), (3, 1))
    obj["f.half"] = FakeTensor(half, 0, (2, 3), (3, 1))
    obj["g.count"] = FakeTensor(count, 0, (), ())
    expected = collections.OrderedDict()
    def gather(values, t):
        out, idx = [], [0] * len(t.size)
        for _ in range(numel(t.size)):
            out.append(values[t.offset + sum(i * s for i, s in zip(idx, t.stride))])
            for d in reversed(range(len(idx))):
                idx[d] += 1
                if idx[d] < t.size[d]: break
                idx[d] = 0
        return out
    for k, t in obj.items():
        base = t.storage.root.values[t.storage.offset:t.storage.offset + t.storage.numel] \
            if isinstance(t.storage, StorageView) else t.storage.values
        expected[k] = {"shape": list(t.size), "values": [float(v) for v in gather(base, t)]}
    return obj, expected

def summary(values, shape):
    picks = sorted({0, len(values) // 2, len(values) - 1})
    return {"shape": shape, "count": len(values), "sum": sum(values), "abs_sum": sum(abs(v) for v in values),
            "samples": [[i, values[i]] for i in picks]}

def write_zip64_pth(path, obj):
    """A zip .pth written by hand with every size/offset field saturated: ZIP64 extras (0x0001) in the
    local and central headers, a ZIP64 end-of-central-directory record and locator (SR-SPEC 2.2)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    pkl, storages = pickle_with_storages(obj, legacy=False)
    records = [("data.pkl", pkl)] + [("data/" + s.key, s.raw()) for s in storages] + [("version", b"3\n")]
    out, central = bytearray(), bytearray()
    for name, data in records:
        name = (stem + "/" + name).encode()
        crc, offset = zipfile.crc32(data), len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name), len(local_extra)) + name + local_extra + data
        extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF,
                               0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra
    cd_offset, n = len(out), len(records)
    out += central
    eocd64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path, "wb") as f: f.write(bytes(out))
    with zipfile.ZipFile(path) as z:  # the standard library must agree it is a valid ZIP64 archive
        assert [z.read(i) for i in z.namelist()] == [d for _, d in records]

def main():
    os.makedirs(OUT, exist_ok=True)
    shapes = rrdb_shapes()
    rng = LCG(20240601)
    ema = [[rng.next_float() for _ in range(numel(s))] for _, s in shapes]
    plain = [[-v for v in vals] for vals in ema]
    keys = [k for k, _ in shapes]

    # (a) BasicSR zip: {'params_ema': real, 'params': different}
    # 'params' keeps all its tensors in one shared storage at increasing offsets (keeps the file small
    # and exercises storage_offset in the zip path).
    flat = FakeStorage([v for vals in plain for v in vals], "1000")
    params, pos = collections.OrderedDict(), 0
    for (k, shape), vals in zip(shapes, plain):
        params[k] = FakeTensor(flat, pos, shape, contiguous_stride(shape)); pos += len(vals)
    wrapped = {"params_ema": make_state_dict(shapes, ema, lambda k: k, 0), "params": params}
    write_zip_pth(os.path.join(OUT, "rrdb_basicsr_zip.pth"), wrapped)
    # (b) legacy, 2019 names with DataParallel 'module.' prefix, bare OrderedDict
    write_legacy_pth(os.path.join(OUT, "rrdb_esrgan2019_legacy.pth"),
                     make_state_dict(shapes, ema, key_2019, 140230000))
    # (c) zip, 2018 old-arch names, bare OrderedDict
    write_zip_pth(os.path.join(OUT, "rrdb_oldarch_zip.pth"), make_state_dict(shapes, ema, key_2018, 0))
    # (d) safetensors, BasicSR names
    write_safetensors(os.path.join(OUT, "rrdb_basicsr.safetensors"),
                      [(k, s, v) for (k, s), v in zip(shapes, ema)], {"format": "pt", "source": "fixture"})
    # (e) shared storages, offsets, strides, views, half, 0-dim long
    shared, shared_expected = shared_storage_fixture()
    write_legacy_pth(os.path.join(OUT, "shared_storage_legacy.pth"), shared)
    # (f) ZIP64 everywhere: the first 4 tensors of the BasicSR state dict
    small = collections.OrderedDict((k, tensor(v, s, str(i))) for i, ((k, s), v) in enumerate(zip(shapes[:4], ema[:4])))
    write_zip64_pth(os.path.join(OUT, "tiny_zip64.pth"), small)
    # (g) strides straight from a hostile file: 2^63-1 on a size-1 dim (never stepped: loads) and on
    #     a size-2 dim (reaches past the storage: an error, not an overflow trap)
    big = 2**63 - 1
    huge = collections.OrderedDict([
        ("ok", FakeTensor(FakeStorage([1.0, 2.0, 3.0, 4.0], "0"), 0, (1, 4), (big, 1))),
    ])
    write_zip_pth(os.path.join(OUT, "huge_stride_ok_zip.pth"), huge)
    bad = collections.OrderedDict([("bad", FakeTensor(FakeStorage([1.0, 2.0, 3.0, 4.0], "0"), 0, (2, 2), (big, 1)))])
    write_zip_pth(os.path.join(OUT, "huge_stride_bad_zip.pth"), bad)
    # malicious pickles, written by hand (GLOBAL opcodes), never imported
    evil_os = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03."
    write_zip_pth(os.path.join(OUT, "evil_os_system.pth"), records=[("data.pkl", evil_os), ("version", b"3\n")])
    evil_eval = b"\x80\x02}q\x00X\x01\x00\x00\x00xcbuiltins\neval\nX\x03\x00\x00\x001+1\x85R\x73."
    write_legacy_pth(os.path.join(OUT, "evil_builtins_eval.pth"), None, raw_pickle=evil_eval)
    # TorchScript-like zip
    write_zip_pth(os.path.join(OUT, "torchscript_like.pt"), records=[
        ("data.pkl", pickle.dumps({}, 2)), ("code/__torch__.py", b"class Model: pass\n"),
        ("constants.pkl", pickle.dumps((), 2)), ("version", b"3\n")])

    expected = {
        "basicsr_keys": keys,
        "esrgan2019_keys_in_file": [key_2019(k) for k in keys],
        "oldarch_keys": [key_2018(k) for k in keys],
        "tensors": [summary(v, s) for (_, s), v in zip(shapes, ema)],
        "params_sum": sum(sum(v) for v in plain),
        "shared": shared_expected,
    }
    with open(os.path.join(OUT, "expected_pth.json"), "w") as f:
        json.dump(expected, f, indent=1)

if __name__ == "__main__":
    main()
