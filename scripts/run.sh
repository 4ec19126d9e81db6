#!/usr/bin/env bash
# Builds SwiftSRS in release and runs it on conf/srs.conf (or the config given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift build -c release --product srs
exec .build/release/srs -c "${1:-conf/srs.conf}"
