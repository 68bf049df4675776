#!/usr/bin/env bash
# Prepares the HR training photos from Debian wallpaper packages (issue 16). Two sets:
#
# 1. The original 12 mate-backgrounds nature photos at 50% (used by the recipes in Ablations/ today):
#      ${SRSCOPE_ASSETS:-$HOME/.cache/srscope}/train/<Name>.png
# 2. The photo set of issue 16: 48 photographs of real scenes picked BY EYE from five packages (the
#    allowlist below), written as 8-bit RGB PNGs to two flat folders, so a recipe's hr_folders can name
#    the training folder alone:
#      $ASSETS/photos-train/<package>__<name>.png   (39 photos, for training)
#      $ASSETS/photos-val/<package>__<name>.png     (9 photos, the fixed validation split; never trained on)
#    Downscale rule: the longer side becomes min(1024, round(0.4 x original longer side)), aspect kept,
#    ImageMagick `-filter Lanczos -resize`, in the file's sRGB values (no linear-light step), metadata
#    stripped. Every photo is thus shrunk at least 2.5x, which hides the JPEG blocking of the sources.
#    Ablations/DATA.md is the data card (sources, package versions, licences, sizes, what was left out).
#
# Installs the packages (and imagemagick) with apt-get if missing, without recommends. Idempotent: an
# existing non-empty output is kept, not rewritten. `--list` prints the allowlist as TSV
# (split, package, path, output relative to $ASSETS) and does nothing else (Scripts/photo-data-card.py
# reads it).
set -euo pipefail
ASSETS="${SRSCOPE_ASSETS:-$HOME/.cache/srscope}"
PACKAGES=(imagemagick mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
          lxqt-themes)

# The allowlist: split, package, file as installed by the package, output name. Hand-made from looking
# at every image the surveyed packages ship (see Ablations/DATA.md). Plasma wallpapers are taken at the
# largest size the package ships (the smaller sizes are symlinks to it).
ALLOWLIST=$(cat <<'EOF'
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Aqua.jpg          Aqua
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Blinds.jpg        Blinds
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Dune.jpg          Dune
train mate-backgrounds            /usr/share/backgrounds/mate/nature/FreshFlower.jpg   FreshFlower
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Garden.jpg        Garden
train mate-backgrounds            /usr/share/backgrounds/mate/nature/GreenMeadow.jpg   GreenMeadow
train mate-backgrounds            /usr/share/backgrounds/mate/nature/LadyBird.jpg      LadyBird
train mate-backgrounds            /usr/share/backgrounds/mate/nature/RainDrops.jpg     RainDrops
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Storm.jpg         Storm
train mate-backgrounds            /usr/share/backgrounds/mate/nature/TwoWings.jpg      TwoWings
train mate-backgrounds            /usr/share/backgrounds/mate/nature/Wood.jpg          Wood
train mate-backgrounds            /usr/share/backgrounds/mate/nature/YellowFlower.jpg  YellowFlower
train plasma-workspace-wallpapers /usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg    BytheWater
train plasma-workspace-wallpapers /usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg    ColdRipple
val   plasma-workspace-wallpapers /usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg  ColorfulCups
train plasma-workspace-wallpapers /usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg   DarkestHour
val   plasma-workspace-wallpapers /usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg   EveningGlow
train plasma-workspace-wallpapers /usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg    FallenLeaf
val   plasma-workspace-wallpapers /usr/share/wallpapers/Grey/contents/images/2560x1600.jpg          Grey
train plasma-workspace-wallpapers /usr/share/wallpapers/Kite/contents/images/2560x1600.jpg          Kite
val   plasma-workspace-wallpapers /usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg  OneStandsOut
train plasma-workspace-wallpapers /usr/share/wallpapers/Path/contents/images/2560x1600.jpg          Path
train plasma-workspace-wallpapers /usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg    summer_1am
train lomiri-wallpapers-16.04     /usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg           Bridge_by_Sander_Klootwijk
train lomiri-wallpapers-16.04     /usr/share/backgrounds/Dragonfly_by_Bolly.jpg                   Dragonfly_by_Bolly
val   lomiri-wallpapers-16.04     /usr/share/backgrounds/Picture_0B_by_freespace.jpg              Picture_0B_by_freespace
train lomiri-wallpapers-16.04     /usr/share/backgrounds/Picture_1A_by_freespace.jpg              Picture_1A_by_freespace
train lomiri-wallpapers-16.04     /usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg                  Wine_by_Jakkub_Mede
train lomiri-wallpapers-16.04     /usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg       aitzgorri_by_Aitzol_Berasategi
train lomiri-wallpapers-16.04     /usr/share/backgrounds/free_by_Peter_Nerlich.jpg                free_by_Peter_Nerlich
val   lomiri-wallpapers-16.04     /usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg         friends_by_Aitzol_Berasategi
train lomiri-wallpapers-16.04     /usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg           greentock_by_Peter_Nerlich
train lomiri-wallpapers-16.04     /usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg            life_by_Aitzol_Berasategi
val   lomiri-wallpapers-16.04     /usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg   picosdeeuropa_by_Aitzol_Berasategi
train lomiri-wallpapers-16.04     /usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg       seeding_by_Clements_Engelhardt
train lomiri-wallpapers-16.04     /usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg          sunset_by_Aitzol_Berasategi
train lomiri-wallpapers-20.04     /usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg             Kleiber_by_Lukas_Baubkus
train lxqt-themes                 /usr/share/lxqt/wallpapers/Butterfly-Kenneth-Wimer.jpg  Butterfly-Kenneth-Wimer
train lxqt-themes                 /usr/share/lxqt/wallpapers/Valendas.png                 Valendas
train lxqt-themes                 /usr/share/lxqt/wallpapers/after-the-rain.jpg           after-the-rain
train lxqt-themes                 /usr/share/lxqt/wallpapers/appleflower.png              appleflower
train lxqt-themes                 /usr/share/lxqt/wallpapers/beam.png                     beam
train lxqt-themes                 /usr/share/lxqt/wallpapers/butterfly.png                butterfly
train lxqt-themes                 /usr/share/lxqt/wallpapers/cloud.png                    cloud
train lxqt-themes                 /usr/share/lxqt/wallpapers/drop.png                     drop
val   lxqt-themes                 /usr/share/lxqt/wallpapers/flowers.png                  flowers
train lxqt-themes                 /usr/share/lxqt/wallpapers/fog.jpg                      fog
val   lxqt-themes                 /usr/share/lxqt/wallpapers/this-is-not-windows.jpg      this-is-not-windows
EOF
)
folder() { if [ "$1" = val ]; then echo photos-val; else echo photos-train; fi; }

if [ "${1:-}" = --list ]; then
  while read -r split pkg path name; do
    printf '%s\t%s\t%s\t%s\n' "$split" "$pkg" "$path" "$(folder "$split")/${pkg}__${name}.png"
  done <<<"$ALLOWLIST"
  exit 0
fi

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "fetch-training-photos: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 1. The original 12 (unchanged: 50%, default filter).
SRC=/usr/share/backgrounds/mate/nature
PHOTOS=(Aqua Blinds Dune FreshFlower Garden GreenMeadow LadyBird RainDrops Storm TwoWings Wood YellowFlower)
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

# 2. The photo set of issue 16.
mkdir -p "$ASSETS/photos-train" "$ASSETS/photos-val"
wrote=0; kept=0; declare -A listed=()
while read -r split pkg path name; do
  rel="$(folder "$split")/${pkg}__${name}.png"
  out="$ASSETS/$rel"; listed[$rel]=1
  # A photo moved between splits must not stay behind in the other folder.
  other="$ASSETS/$(folder "$([ "$split" = val ] && echo train || echo val)")/${pkg}__${name}.png"
  [ -e "$other" ] && { rm -f "$other"; echo "removed $other (now in $split)"; }
  if [ -s "$out" ]; then kept=$((kept + 1)); continue; fi
  dpkg-query -L "$pkg" | grep -xF "$path" >/dev/null || { echo "$path is not shipped by $pkg" >&2; exit 1; }
  [ -f "$path" ] || { echo "missing $path (reinstall $pkg)" >&2; exit 1; }
  read -r w h < <(identify -quiet -format '%w %h\n' "$path[0]")
  long=$((w > h ? w : h))
  side=$(((4 * long + 5) / 10)); ((side > 1024)) && side=1024
  # A temporary name without an image extension, so a training run never loads a half-written file.
  convert -quiet "$path[0]" -auto-orient -filter Lanczos -resize "${side}x${side}" -strip "PNG24:$out.tmp"
  mv "$out.tmp" "$out"
  wrote=$((wrote + 1))
  echo "wrote $out ($w x $h -> $(identify -format '%w x %h' "$out"))"
done <<<"$ALLOWLIST"
for d in photos-train photos-val; do
  for f in "$ASSETS/$d"/*; do
    [ -e "$f" ] || continue
    [ -n "${listed[$d/$(basename "$f")]:-}" ] || echo "note: $f is not in the allowlist (left alone)" >&2
  done
done
echo "issue-16 photos: $wrote written, $kept already there; training in $ASSETS/photos-train, validation in $ASSETS/photos-val"
