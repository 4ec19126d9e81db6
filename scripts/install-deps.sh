#!/usr/bin/env bash
# Installs the Debian packages SwiftSRS needs, only those missing, when running as root.
#   scripts/install-deps.sh build   -> what building and running the server needs
#   scripts/install-deps.sh test    -> that plus the real peers the tests use, and Selenium
#                                      (from PyPI) in a virtual environment at /opt/swiftsrs-selenium
set -euo pipefail
build_packages=(libssl-dev zlib1g-dev pkg-config)
test_packages=(ffmpeg rtmpdump curl gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
               gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav nginx libnginx-mod-rtmp python3 openssl mpv vlc-bin vlc-plugin-base
               chromium chromium-driver python3-venv systemd gcc libc6-dev)
packages=("${build_packages[@]}")
if [ "${1:-build}" = "test" ]; then packages+=("${test_packages[@]}"); fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The browser tests drive Chromium with Selenium from PyPI (Debian's python3 refuses pip
# installs outside a virtual environment).
venv=/opt/swiftsrs-selenium
if [ "${1:-build}" = "test" ] && ! "$venv/bin/python3" -c "import selenium" 2>/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Selenium in $venv (run as root: python3 -m venv $venv && $venv/bin/pip install selenium)" >&2
        exit 1
    fi
    echo "installing Selenium into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check selenium
fi
