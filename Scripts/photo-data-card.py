#!/usr/bin/env python3
"""Regenerates the per-photo table and the totals of Ablations/DATA.md (the data card of the issue-16 photo set).

Reads the allowlist from `Scripts/fetch-training-photos.sh --list`, the installed package versions from dpkg, the
licence and copyright holder of each source file from the package's DEP-5 file /usr/share/doc/<pkg>/copyright (the
last `Files:` paragraph that matches wins, as DEP-5 says), the author and licence a Plasma wallpaper states in its
metadata.json, and the sizes of the sources and of the prepared PNGs in ${SRSCOPE_ASSETS:-~/.cache/srscope}.
Only the text between the two `generated` markers in DATA.md is replaced; run the fetch script first.
    python3 Scripts/photo-data-card.py [--check]   (--check: exit 1 if DATA.md would change)
"""
import fnmatch
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CARD = ROOT / "Ablations" / "DATA.md"
ASSETS = pathlib.Path(os.environ.get("SRSCOPE_ASSETS") or pathlib.Path.home() / ".cache" / "srscope")
BEGIN, END = "<!-- generated: begin (Scripts/photo-data-card.py) -->", "<!-- generated: end -->"

# What the package ships beside the files, where DEP-5 alone does not say it (read by hand).
UPSTREAM_NOTE = {
    "lxqt-themes": "upstream wallpapers/License: CC-BY-SA-3.0, © 2022 LXQt Project Team",
}
LXQT_CREDIT = {  # credits in /usr/share/lxqt/wallpapers/License
    "beam", "flowers", "butterfly", "fog", "this-is-not-windows", "appleflower", "after-the-rain", "drop"}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def size(path):
    w, h = run("identify", "-quiet", "-format", "%w %h\n", f"{path}[0]").split()
    return int(w), int(h)


def dep5(pkg):
    """Paragraphs of a DEP-5 copyright file as dicts (continuation lines joined)."""
    text = pathlib.Path(f"/usr/share/doc/{pkg}/copyright").read_text(encoding="utf-8", errors="replace")
    paras = []
    for block in re.split(r"\n\s*\n", text):
        fields, key = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        if "Files" in fields:
            paras.append(fields)
    return paras


def matches(pattern, path):
    if pattern == "*":
        return True
    if pattern.startswith("debian/"):
        return False
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatch(path, "*/" + pattern)
    # Source-tree paths (e.g. 16.04/x.jpg, nature/x.jpg) are installed elsewhere: match on the file name.
    return os.path.basename(path) == os.path.basename(pattern)


def licence(pkg, path, paras):
    hit = None
    for p in paras:
        if any(matches(pat, path) for pat in p["Files"].split()):
            hit = p
    if hit is None:
        return "?"
    holders = "; ".join(re.sub(r"\s*<[^>]*>", "", h).strip(" ´") for h in hit.get("Copyright", "").split("\n") if h)
    text = f"{hit['License'].splitlines()[0]} (© {holders})"
    notes = []
    meta = re.match(r"(/usr/share/wallpapers/[^/]+)/", path)
    if pkg == "plasma-workspace-wallpapers" and meta:
        kp = json.loads(pathlib.Path(meta.group(1), "metadata.json").read_text())["KPlugin"]
        authors = ", ".join(a.get("Name", "") for a in kp.get("Authors", []))
        notes.append(f"metadata.json: {kp.get('License')}, by {authors}")
    if pkg in UPSTREAM_NOTE:
        notes.append(UPSTREAM_NOTE[pkg])
        stem = pathlib.Path(path).stem
        if stem in LXQT_CREDIT:
            notes.append("credited to stefonarch")
    return text + ("; " + "; ".join(notes) if notes else "")


def main():
    rows = [line.split("\t") for line in run("bash", str(ROOT / "Scripts" / "fetch-training-photos.sh"), "--list").splitlines()]
    versions, paras = {}, {}
    for _, pkg, _, _ in rows:
        if pkg not in versions:
            versions[pkg] = run("dpkg-query", "-W", "-f=${Version}", pkg)
            paras[pkg] = dep5(pkg)
    table = ["| # | output (in `${SRSCOPE_ASSETS}`) | split | package (version) | original path | licence (© holder) | original size | prepared size |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    mp = {"train": 0.0, "val": 0.0}
    count = {"train": 0, "val": 0}
    per_pkg = {}
    for i, (split, pkg, path, out) in enumerate(sorted(rows, key=lambda r: (r[0] != "train", r[1], r[3].lower())), 1):
        ow, oh = size(path)
        pw, ph = size(ASSETS / out)
        mp[split] += pw * ph / 1e6
        count[split] += 1
        per_pkg.setdefault(pkg, {"train": 0, "val": 0})[split] += 1
        name = "validation" if split == "val" else "train"
        table.append(f"| {i} | `{out}` | {name} | {pkg} ({versions[pkg]}) | `{path}` | {licence(pkg, path, paras[pkg])} "
                     f"| {ow}×{oh} | {pw}×{ph} |")
    totals = ["", "| package | version | train | validation |", "| --- | --- | --- | --- |"]
    for pkg in per_pkg:
        totals.append(f"| {pkg} | {versions[pkg]} | {per_pkg[pkg]['train']} | {per_pkg[pkg]['val']} |")
    totals.append(f"| **all** | | **{count['train']}** | **{count['val']}** |")
    totals += ["", f"Totals: {count['train'] + count['val']} photos; training {count['train']} photos, "
               f"{mp['train']:.1f} megapixels; validation {count['val']} photos, {mp['val']:.1f} megapixels "
               "(prepared sizes)."]
    block = "\n".join([BEGIN] + table + totals + [END])
    old = CARD.read_text()
    new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, old, flags=re.S)
    if new == old:
        print("DATA.md is up to date")
        return 0
    if "--check" in sys.argv:
        print("DATA.md is out of date: run python3 Scripts/photo-data-card.py", file=sys.stderr)
        return 1
    CARD.write_text(new)
    print(f"rewrote {CARD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
