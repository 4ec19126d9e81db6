#!/usr/bin/env bash
# Compares SwiftSRS with nginx-rtmp (Debian's libnginx-mod-rtmp, one worker), and SRS 5 when
# its binary is given, under the same srs-bench load: one ~100 kbps H.264+AAC publisher, N RTMP
# players.
#   scripts/bench-compare.sh [PLAYERS] [SECONDS] [SRS5_BINARY]   (default 1000 players, 30 s)
# SRS 5 as a fair anchor: built from its repository with ./configure --rtc=off --srt=off
# --gb28181=off --ffmpeg-fit=off --use-sys-ssl --sanitizer=off and -O2 (its default build turns
# AddressSanitizer on); ../shared/tools/build-srs.sh does that.
# Prints server CPU ms per delivered MB, RSS and the srs-bench summary for both. Everything
# runs on loopback with free ports, and everything started is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-1000}
seconds=${2:-30}
srs5=${3:-}
if [ -n "$srs5" ] && [ ! -x "$srs5" ]; then echo "no SRS 5 binary at $srs5" >&2; exit 2; fi
ulimit -n 65536 2>/dev/null || true
source scripts/bench-common.sh
make_input "$work/in.flv"

# cpu_ticks PID: utime + stime of a process (clock ticks)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

run_one() {  # name pid port
    local name=$1 pid=$2 port=$3
    ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/in.flv" -c copy -f flv "rtmp://127.0.0.1:$port/live/bench" &
    local publisher=$!
    pids+=("$publisher")
    sleep 2
    local before; before=$(cpu_ticks "$pid")
    .build/release/srs-bench play -u "rtmp://127.0.0.1:$port/live/bench" -c "$players" -r 500 -d "$seconds" --json > "$work/$name.json" || true
    local after; after=$(cpu_ticks "$pid")
    local rss; rss=$(rss_kb "$pid")
    kill "$publisher" 2>/dev/null || true
    local mbytes; mbytes=$(python3 -c "import json; print(json.load(open('$work/$name.json'))['total_mbytes'])")
    local hz; hz=$(getconf CLK_TCK)
    python3 - "$name" "$before" "$after" "$hz" "$mbytes" "$rss" "$work/$name.json" <<'PY'
import json, sys
name, before, after, hz, mbytes, rss, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
cpu_ms = (after - before) * 1000 / hz
summary = json.load(open(path))
print(f"{name:12} cpu_ms={cpu_ms:8.0f} delivered_MB={mbytes:8.1f} cpu_ms_per_MB={cpu_ms / max(mbytes, 0.001):6.2f} rss_MB={rss / 1024:6.1f} "
      f"playing={summary['playing']} failed={summary['failed']} starved={summary['starved']} startup_p99_ms={summary['startup_ms_p99']} "
      f"bench_cpu%={summary['tool_cpu_percent']}")
PY
}

# SwiftSRS
srs_port=$(free_port)
write_srs_conf "$work/srs.conf" "$srs_port"
.build/release/srs -c "$work/srs.conf" &
pids+=("$!")
srs_pid=$!
sleep 1

# nginx-rtmp, one worker
ngx_port=$(free_port)
write_nginx_conf "$ngx_port"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=("$!")
ngx_pid=$!
sleep 1

# SRS 5, one process (its RTMP and HTTP cores; no WebRTC, SRT or GB28181).
if [ -n "$srs5" ]; then
    srs5_port=$(free_port)
    cat > "$work/srs5.conf" <<CONF
listen $srs5_port; max_connections $(( $(ulimit -n) - 200 )); daemon off; srs_log_tank file; srs_log_file $work/srs5.log; pid $work/srs5.pid;
vhost __defaultVhost__ { }
CONF
    (cd "$work" && exec "$srs5" -c "$work/srs5.conf") &
    pids+=("$!")
    srs5_pid=$!
    sleep 1
fi

echo "players=$players seconds=$seconds (one ~100 kbps publisher, srs-bench on the same machine)"
run_one swiftsrs "$srs_pid" "$srs_port"
run_one nginx-rtmp "$ngx_pid" "$ngx_port"
if [ -n "$srs5" ]; then run_one srs5 "$srs5_pid" "$srs5_port"; fi
