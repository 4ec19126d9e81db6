#!/usr/bin/env bash
# Installs the Debian packages SwiftSRS needs, only those missing, when running as root.
#   scripts/install-deps.sh build   -> what building and running the server needs
#   scripts/install-deps.sh test    -> that plus the real peers the tests use
set -euo pipefail
build_packages=(libssl-dev zlib1g-dev pkg-config)
test_packages=(ffmpeg rtmpdump curl gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
               gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav nginx libnginx-mod-rtmp python3 openssl mpv vlc-bin vlc-plugin-base)
packages=("${build_packages[@]}")
if [ "${1:-build}" = "test" ]; then packages+=("${test_packages[@]}"); fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
