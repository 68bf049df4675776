#!/usr/bin/env bash
# Installs what SRScope needs on a fresh Debian machine (only what is missing), then fetches
# the assets. Safe to run repeatedly.
set -euo pipefail
PACKAGES=(pkg-config libopenblas-dev libdnnl-dev libpng-dev libjpeg62-turbo-dev libfreetype-dev libncursesw5-dev
          python3-venv parallel xterm mlterm xvfb xdotool x11-utils fonts-dejavu-core tmux imagemagick mate-backgrounds)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
"$(dirname "$0")/fetch-assets.sh"
"$(dirname "$0")/fetch-training-photos.sh"
