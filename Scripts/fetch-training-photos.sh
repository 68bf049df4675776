#!/usr/bin/env bash
# Converts the 12 mate-backgrounds nature photos into HR training PNGs at 50% size:
#   ${SRSCOPE_ASSETS:-$HOME/.cache/srscope}/train/<Name>.png
# Installs mate-backgrounds and imagemagick with apt-get if missing. Idempotent: existing PNGs are kept.
set -euo pipefail
ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
SRC=/usr/share/backgrounds/mate/nature
PHOTOS=(Aqua Blinds Dune FreshFlower Garden GreenMeadow LadyBird RainDrops Storm TwoWings Wood YellowFlower)

if [ ! -d "$SRC" ] || ! command -v convert >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y mate-backgrounds imagemagick
fi
mkdir -p "$ASSETS/train"
for name in "${PHOTOS[@]}"; do
  out="$ASSETS/train/$name.png"
  [ -s "$out" ] && continue
  [ -f "$SRC/$name.jpg" ] || { echo "missing $SRC/$name.jpg" >&2; exit 1; }
  convert "$SRC/$name.jpg" -resize 50% -strip "$out.tmp.png"
  mv "$out.tmp.png" "$out"
  echo "wrote $out"
done
echo "training photos in $ASSETS/train"
