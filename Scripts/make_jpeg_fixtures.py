#!/usr/bin/env python3
"""Writes the JPEG fixtures of Tests/SRImageTests/Fixtures and their golden pixels.

The fixtures are small crops of a real photo (Debian's mate-backgrounds, Garden.jpg) re-encoded
by Pillow; the goldens are the same files decoded by Pillow (its bundled libjpeg-turbo, libjpeg
defaults: JDCT_ISLOW, fancy upsampling), i.e. an independent decoder from the one under test.

Pillow is not a project dependency. Run this with a throwaway copy, e.g.

    pip download --no-deps -d /tmp/pil-wheel pillow==11.3.0
    pip install --no-deps --no-index --target /tmp/pil /tmp/pil-wheel/pillow-11.3.0-*.whl
    PYTHONPATH=/tmp/pil python3 Scripts/make_jpeg_fixtures.py

Rerunning with the same Pillow and the same photo reproduces the files byte for byte.
"""
import json
import os
import sys

import PIL
from PIL import Image, features

PILLOW = "11.3.0"
PHOTO = "/usr/share/backgrounds/mate/nature/Garden.jpg"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SRImageTests", "Fixtures")

# name -> (crop box left, top, width, height; mode; save options)
FIXTURES = {
    # 16x12: one MCU row and a half (4:2:0 MCUs are 16x16), so the bottom edge is a partial MCU.
    "jpeg_baseline420": ((1200, 700, 16, 12), "RGB", dict(quality=90, subsampling=2)),
    # Odd size: partial MCUs on both edges; 4:2:2 so a second upsampling path is covered.
    "jpeg_progressive422": ((1400, 900, 17, 13), "RGB", dict(quality=85, subsampling=1, progressive=True)),
    "jpeg_gray": ((1200, 700, 16, 12), "L", dict(quality=90)),
    # Adobe CMYK: read as a clear 'unsupported' error.
    "jpeg_cmyk": ((1200, 700, 8, 8), "CMYK", dict(quality=90)),
}


def main():
    if PIL.__version__ != PILLOW:
        sys.exit("make_jpeg_fixtures: expected Pillow %s, found %s" % (PILLOW, PIL.__version__))
    photo = Image.open(PHOTO)
    photo.load()
    goldens = {
        "pillow": PIL.__version__,
        "libjpeg_turbo": features.version("libjpeg_turbo"),
        "photo": os.path.basename(PHOTO),
        "images": {},
    }
    for name, ((left, top, width, height), mode, options) in FIXTURES.items():
        crop = photo.crop((left, top, left + width, top + height)).convert(mode)
        path = os.path.join(OUT, name + ".jpg")
        crop.save(path, "JPEG", optimize=False, **options)
        if mode == "CMYK":
            continue
        decoded = Image.open(path)
        decoded.load()
        assert decoded.mode == mode and decoded.size == (width, height), (decoded.mode, decoded.size)
        channels = 1 if mode == "L" else 3
        flat = list(decoded.tobytes())  # row-major, channels interleaved
        assert len(flat) == width * height * channels
        goldens["images"][name] = {"width": width, "height": height, "channels": channels, "pixels": flat}
        print("%s.jpg: %d bytes" % (name, os.path.getsize(path)))
    with open(os.path.join(OUT, "jpeg_goldens.json"), "w") as f:
        json.dump(goldens, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
