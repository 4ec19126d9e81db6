#!/usr/bin/env bash
# Installs SwiftSRS under a prefix, as SRS's `make install` does:
#   scripts/install.sh [--prefix DIR] [--binaries DIR]    install (default DIR /usr/local/srs)
#   scripts/install.sh --uninstall [--prefix DIR]         remove it again
# Layout: DIR/objs/srs, DIR/objs/srs-bench, DIR/objs/SwiftSRS_SRSApp.resources (the web
# console), DIR/objs/nginx/html (http_server's dir, HLS), DIR/conf/ (every config; srs.conf
# set up for a service: daemon on, the log in DIR/objs/srs.log, the pid in DIR/objs/srs.pid;
# a reinstall keeps an existing srs.conf and writes srs.conf.new),
# DIR/etc/init.d/srs, DIR/etc/systemd/srs.service, DIR/etc/logrotate.d/srs.
# The binaries are built in release unless --binaries names a folder holding srs, srs-bench
# and the resource bundle (tests install a debug build).
set -euo pipefail
caller="$PWD"
cd "$(dirname "$0")/.."
prefix=/usr/local/srs
binaries=""
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --binaries) binaries="$2"; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        *) echo "usage: $0 [--prefix DIR] [--binaries DIR] [--uninstall]" >&2; exit 2 ;;
    esac
done
# Relative paths are the caller's.
case "$prefix" in /*) ;; *) prefix="$caller/$prefix" ;; esac
case "$binaries" in /* | "") ;; *) binaries="$caller/$binaries" ;; esac
marker="$prefix/.swiftsrs-installed"

if [ "$uninstall" = 1 ]; then
    if [ ! -e "$marker" ]; then
        echo "nothing to uninstall: $prefix holds no SwiftSRS installed by this script" >&2
        exit 1
    fi
    if pid=$(cat "$prefix/objs/srs.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
        echo "SwiftSRS still runs (pid $pid): stop it first ($prefix/etc/init.d/srs stop)" >&2
        exit 1
    fi
    rm -rf "$prefix"
    echo "removed $prefix"
    exit 0
fi

# The prefix is SwiftSRS's alone (uninstall removes it): a folder holding anything else is refused.
if [ -d "$prefix" ] && [ ! -e "$marker" ] && [ -n "$(ls -A "$prefix")" ]; then
    echo "$prefix is not empty and holds no SwiftSRS installed by this script: choose another --prefix" >&2
    exit 1
fi

if [ -z "$binaries" ]; then
    scripts/install-deps.sh build
    swift build -c release --product srs
    swift build -c release --product srs-bench
    binaries=$(swift build -c release --show-bin-path)
fi
for file in srs srs-bench SwiftSRS_SRSApp.resources; do
    [ -e "$binaries/$file" ] || { echo "missing $binaries/$file" >&2; exit 1; }
done

mkdir -p "$prefix/objs/nginx/html" "$prefix/conf" "$prefix/etc/init.d" "$prefix/etc/systemd" "$prefix/etc/logrotate.d"
install -m 755 "$binaries/srs" "$binaries/srs-bench" "$prefix/objs/"
rm -rf "$prefix/objs/SwiftSRS_SRSApp.resources"
cp -R "$binaries/SwiftSRS_SRSApp.resources" "$prefix/objs/"
# The configs; an existing srs.conf (edited by its owner) is kept, the new one written beside.
service_conf="$prefix/conf/srs.conf"
[ -e "$service_conf" ] && service_conf="$prefix/conf/srs.conf.new"
for file in conf/*.conf; do
    [ "$(basename "$file")" = srs.conf ] || cp "$file" "$prefix/conf/"
done
# The service's config: in the background, logging to a file.
sed -e 's/^daemon[[:space:]].*/daemon              on;/' \
    -e 's|^srs_log_tank[[:space:]].*|srs_log_tank        file;\nsrs_log_file        ./objs/srs.log;\npid                 ./objs/srs.pid;|' \
    conf/srs.conf > "$service_conf"
sed "s|@PREFIX@|$prefix|g" scripts/service/init.d-srs > "$prefix/etc/init.d/srs"
chmod 755 "$prefix/etc/init.d/srs"
sed "s|@PREFIX@|$prefix|g" scripts/service/srs.service > "$prefix/etc/systemd/srs.service"
sed "s|/usr/local/srs|$prefix|g" conf/logrotate.d/srs > "$prefix/etc/logrotate.d/srs"
touch "$marker"
"$prefix/objs/srs" -t -c "$service_conf" >/dev/null
echo "installed SwiftSRS in $prefix"
echo "  start: $prefix/etc/init.d/srs start     (or systemd: $prefix/etc/systemd/srs.service)"
