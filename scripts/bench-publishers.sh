#!/usr/bin/env bash
# Publishers side by side: SwiftSRS, nginx-rtmp (one worker) and SRS 5 when its binary is
# given, each alone under N `srs-bench publish` clients looping the same ~100 kbps H.264+AAC
# FLV (started at 500/s). With `mr`, SwiftSRS and SRS 5 read publishers merged
# (`publish { mr on; mr_latency 350; }`, SRS's merged read; nginx-rtmp has no such setting).
# With `hls`, each server also writes HLS of every stream (2 s fragments, a 60 s window) into
# a temporary folder in /dev/shm.
#   scripts/bench-publishers.sh [PUBLISHERS] [SECONDS] [plain|mr|hls] [SRS5_BINARY]
#   (default 4000 publishers, 40 s, plain)
# Prints, per server: CPU as % of one core over the steady part (from 4 s after the ramp to
# the end), RSS at the end, publishers connected and failed.
set -euo pipefail
cd "$(dirname "$0")/.."
publishers=${1:-4000}
seconds=${2:-40}
mode=${3:-plain}
srs5=${4:-}
if [ -n "$srs5" ] && [ ! -x "$srs5" ]; then echo "no SRS 5 binary at $srs5" >&2; exit 2; fi
ulimit -n 65536 2>/dev/null || true
source scripts/bench-common.sh
make_input "$work/in.flv"
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ramp=$(( publishers / 500 + 4 ))
if [ "$ramp" -ge "$seconds" ]; then echo "SECONDS must exceed the ramp ($ramp s)" >&2; exit 2; fi

run_one() {  # name pid port
    local name=$1 pid=$2 port=$3
    .build/release/srs-bench publish -u "rtmp://127.0.0.1:$port/live/p" -i "$work/in.flv" -c "$publishers" -r 500 -d "$seconds" --json > "$work/$name.json" &
    local bench=$!
    sleep "$ramp"
    local before; before=$(cpu_ticks "$pid")
    local start; start=$(date +%s.%N)
    local threads; threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
    wait "$bench" || true
    local after; after=$(cpu_ticks "$pid")
    local end; end=$(date +%s.%N)
    local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    python3 - "$name" "$before" "$after" "$hz" "$start" "$end" "$rss" "$threads" "$work/$name.json" <<'PY'
import json, sys
name, before, after, hz, start, end, rss, threads, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), sys.argv[8], sys.argv[9]
summary = json.load(open(path))
cpu = (after - before) / hz / (end - start) * 100
print(f"{name:12} cpu={cpu:5.1f}% of one core  rss_MB={rss / 1024:7.1f}  threads={threads}  publishing={summary['playing']} "
      f"failed={summary['failed']} bench_cpu%={summary['tool_cpu_percent']}")
PY
    sleep 2
}

# HLS goes to memory (tmpfs): on this machine's ext4 (no journal), creating files right after
# thousands were deleted scans the recently deleted inodes, and that cost swung SRS 5 from 10%
# to 29% of a core between two runs: a measure of the filesystem's history, not of the server.
hls_dir=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'cleanup; rm -rf "$hls_dir"' EXIT
srs_extra=""; ngx_extra=""; srs5_extra=""
if [ "$mode" = mr ]; then
    srs_extra="publish { mr on; mr_latency 350; }"
    srs5_extra=$srs_extra
elif [ "$mode" = hls ]; then
    srs_extra="hls { enabled on; hls_fragment 2; hls_window 60; hls_path $hls_dir/swiftsrs; }"
    srs5_extra="hls { enabled on; hls_fragment 2; hls_window 60; hls_path $hls_dir/srs5; }"
    ngx_extra="hls on; hls_path $hls_dir/nginx; hls_fragment 2s; hls_playlist_length 60s;"
fi
echo "publishers=$publishers seconds=$seconds mode=$mode (~100 kbps each, srs-bench on the same machine)"

srs_port=$(free_port)
write_srs_conf "$work/srs.conf" "$srs_port" "$srs_extra"
.build/release/srs -c "$work/srs.conf" &
srs_pid=$!
pids+=("$srs_pid")
sleep 1
run_one swiftsrs "$srs_pid" "$srs_port"
kill "$srs_pid"; sleep 1

ngx_port=$(free_port)
write_nginx_conf "$ngx_port" "$ngx_extra"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
ngx_pid=$!
pids+=("$ngx_pid")
sleep 1
run_one nginx-rtmp "$ngx_pid" "$ngx_port"
kill "$ngx_pid"; sleep 1

if [ -n "$srs5" ]; then
    srs5_port=$(free_port)
    cat > "$work/srs5.conf" <<CONF
listen $srs5_port; max_connections $(( $(ulimit -n) - 200 )); daemon off; srs_log_tank file; srs_log_file $work/srs5.log; pid $work/srs5.pid;
vhost __defaultVhost__ { $srs5_extra }
CONF
    (cd "$work" && exec "$srs5" -c "$work/srs5.conf") &
    srs5_pid=$!
    pids+=("$srs5_pid")
    sleep 1
    run_one srs5 "$srs5_pid" "$srs5_port"
fi
