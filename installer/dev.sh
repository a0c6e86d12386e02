#!/usr/bin/env bash
# Set up this checkout on a fresh Debian/UOS/Kylin machine, then run the demo or the tests.
#   bash installer/dev.sh demo          sample case typed into the sample approval client
#   bash installer/dev.sh test [ARGS]   the whole test suite (pytest ARGS)
#   bash installer/dev.sh setup         only install (what `demo` needs: no torch, no EasyOCR)
# System packages come from the distribution; Python packages go into .venv. Only `test`
# installs the test tools, the browser and keyring the tests drive, and EasyOCR with a
# CPU-only torch (README: "What each command installs").
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  xvfb xauth x11-utils xdotool openbox trayer dbus-daemon fonts-noto-cjk
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 libglib2.0-0
)
APT_TEST_PACKAGES=(
  chromium xclip      # the web-form target and a clipboard owner the fill tests compare with
  x11-xkb-utils       # setxkbmap and xkbcomp: typing by keys leaves each layout as it was
  fcitx5 fcitx5-frontend-gtk3 fcitx5-chinese-addons  # the input method of every office desktop
  gnome-keyring       # the vault's tests run a real Secret Service on a private bus (tests/secret_service.py)
  # the approval form in real toolkits, with accessibility on (docs/toolkit-targets.md):
  firefox-esr python3-tk
  python3-gi gir1.2-gtk-3.0                     # the GTK 3 form runs on Debian's python3
  openjdk-17-jdk-headless openjdk-17-jre        # javac, and the JRE's X11 toolkit for Swing
  libatk-wrapper-java libatk-wrapper-java-jni   # Swing's bridge to the AT-SPI tree
  at-spi2-core gir1.2-atspi-2.0 python3-pyatspi # the AT-SPI bus, and reading its tree
  libreoffice-writer-nogui poppler-utils        # `deskhand docs`: Word → PDF, and pdffonts to check it
  nsis                # makensis compiles the Windows installer's script (tests/test_windows_installer.py)
)
TORCH='torch==2.13.0+cpu'
# PyPI's torch for Linux is the CUDA build, with several GB of nvidia-* packages; the CPU
# build lives on PyTorch's own index. A local wheel (pip's find-links) is used when present.
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

install_system_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "Need root to install: ${missing[*]} (run: apt-get install ${missing[*]})" >&2; exit 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

pip_install() { .venv/bin/python -m pip install -q --disable-pip-version-check "$@"; }

install_cpu_torch() {
  if pip_install --dry-run --no-index --no-deps "$TORCH" >/dev/null 2>&1; then
    pip_install "$TORCH"                                  # the local wheel; its deps from PyPI
  else
    pip_install "$TORCH" --extra-index-url "$TORCH_CPU_INDEX"
  fi
}

# setup_venv EXTRAS: install Deskhand with these extras ("" or "test,easyocr").
# The stamp holds pyproject.toml's hash and the extras installed with it, so that a venv set
# up for the demo gains the test extras when `test` runs, and nothing is redone otherwise.
setup_venv() {
  local extras="$1" py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Deskhand needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  local stamp=.venv/.deskhand-deps want have_hash="" have_extras="" all
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ]; then
    have_hash=$(sed -n 1p "$stamp"); have_extras=$(sed -n 2p "$stamp")
  fi
  # Extras once installed stay installed: keep them in the set.
  all=$(printf '%s\n' ${extras//,/ } ${have_extras//,/ } | sort -u | paste -sd, -)
  if [ "$have_hash" != "$want" ] || [ "$all" != "$have_extras" ]; then
    pip_install --upgrade pip
    # CPU torch first and pinned, or the EasyOCR extra drags in the CUDA stack.
    case ",$all," in *,easyocr,*) install_cpu_torch ;; esac
    pip_install -e ".${all:+[$all]}"
    printf '%s\n%s\n' "$want" "$all" > "$stamp"
  fi
  # The Chinese UI: compile resources/i18n/*.ts into .qm (build output, not in git).
  .venv/bin/python installer/build_translations.py >/dev/null
}

cmd="${1:-test}"; shift || true
case "$cmd" in
  setup) install_system_packages "${APT_PACKAGES[@]}"; setup_venv "" ;;
  demo)  install_system_packages "${APT_PACKAGES[@]}"; setup_venv ""
         exec .venv/bin/deskhand demo "$@" ;;
  test)  install_system_packages "${APT_PACKAGES[@]}" "${APT_TEST_PACKAGES[@]}"
         # Two workers (DESKHAND_TEST_WORKERS; 0 runs in this process), each test file in
         # one of them (its module fixtures start once); each worker starts its own Xvfb.
         setup_venv "test,easyocr"
         exec .venv/bin/python -m pytest -n "${DESKHAND_TEST_WORKERS:-2}" --dist loadfile "$@" ;;
  *) echo "usage: bash installer/dev.sh demo|test|setup" >&2; exit 2 ;;
esac
