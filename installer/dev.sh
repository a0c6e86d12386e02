#!/usr/bin/env bash
# Set up this checkout on a fresh Debian/UOS/Kylin machine, then run the demo or the tests.
#   bash installer/dev.sh demo          sample case typed into the sample approval client
#   bash installer/dev.sh test [ARGS]   the whole test suite (pytest ARGS)
#   bash installer/dev.sh setup         only install
# System packages come from the distribution; Python packages go into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  xvfb xauth x11-utils xdotool openbox trayer dbus-daemon fonts-noto-cjk chromium xclip
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 libglib2.0-0
  # The vault's tests run a real Secret Service on a private bus (tests/secret_service.py).
  gnome-keyring
)

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
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

setup_venv() {
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Deskhand needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  # Reinstall only when the dependencies changed.
  local stamp=.venv/.deskhand-deps
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    # CPU torch first and pinned, or the EasyOCR extra drags in the CUDA stack.
    .venv/bin/python -m pip install -q --disable-pip-version-check 'torch==2.13.0'
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,easyocr]'
    echo "$want" > "$stamp"
  fi
  # The Chinese UI: compile resources/i18n/*.ts into .qm (build output, not in git).
  .venv/bin/python installer/build_translations.py >/dev/null
}

cmd="${1:-test}"; shift || true
case "$cmd" in
  setup) install_system_packages; setup_venv ;;
  demo)  install_system_packages; setup_venv; exec .venv/bin/deskhand demo "$@" ;;
  test)  install_system_packages; setup_venv; exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: bash installer/dev.sh demo|test|setup" >&2; exit 2 ;;
esac
