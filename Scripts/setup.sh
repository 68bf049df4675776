#!/usr/bin/env bash
# Installs what SRScope needs on a fresh Debian machine (only what is missing), then fetches
# the assets. Safe to run repeatedly.
set -euo pipefail
PACKAGES=(pkg-config libopenblas-dev libdnnl-dev libpng-dev libjpeg62-turbo-dev libfreetype-dev libncursesw5-dev
          python3-venv parallel xterm mlterm xvfb xdotool x11-utils fonts-dejavu-core tmux imagemagick)
# The wallpaper packages the training photos come from (the same list as in fetch-training-photos.sh),
# installed without recommends (lxqt-themes would otherwise bring a 200 MB icon theme).
PHOTO_PACKAGES=(mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 lxqt-themes)
missing=(); missing_photo=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
for p in "${PHOTO_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing_photo+=("$p"); done
if ((${#missing[@]} + ${#missing_photo[@]})); then
  echo "setup: installing ${missing[*]} ${missing_photo[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  if ((${#missing[@]})); then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ((${#missing_photo[@]})); then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_photo[@]}" >/dev/null
  fi
fi
"$(dirname "$0")/fetch-assets.sh"
"$(dirname "$0")/fetch-training-photos.sh"
