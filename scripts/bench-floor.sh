#!/usr/bin/env bash
# The C epoll floor beside SwiftSRS in one run, steady state only. Benchmarks/EpollFloor/
# epoll_fanout.c serves the bytes of the same ~100 kbps stream to N TCP clients (one writev
# per client every 350 ms, SRS's mw_latency; no protocol), then SwiftSRS serves N RTMP players
# (`srs-bench play`) of an ffmpeg publisher of that stream. Both are measured over the same
# window after the ramp (connects at 500/s): CPU from /proc/PID/stat, bytes written from
# /proc/PID/io (wchar counts socket writes), so handshakes and connects are left out.
#   scripts/bench-floor.sh [PLAYERS] [SECONDS]   (default 10000 players, 60 s)
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-10000}
seconds=${2:-60}
ulimit -n 65536 2>/dev/null || true
source scripts/bench-common.sh
gcc -O2 -Wall -o "$work/epoll_fanout" Benchmarks/EpollFloor/epoll_fanout.c
make_input "$work/in100k.flv"
kbps=$(( $(stat -c %s "$work/in100k.flv") * 8 / 20 / 1000 ))
ramp=$(( players / 500 + 5 ))
window=$(( seconds - ramp - 2 ))
if [ "$window" -lt 10 ]; then echo "SECONDS must leave at least 10 s after the ramp ($ramp s)" >&2; exit 2; fi

measure() {  # name pid: CPU ms per written MB over the window
    local name=$1 pid=$2
    sleep "$ramp"
    local cpu0 bytes0 cpu1 bytes1
    cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); bytes0=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
    sleep "$window"
    cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); bytes1=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
    local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    python3 -c "
cpu_ms = ($cpu1 - $cpu0) * 1000 / $(getconf CLK_TCK); mb = ($bytes1 - $bytes0) / 1e6
print(f'$name: {cpu_ms / 10 / $window:.1f}% of one core, {mb / $window:.2f} MB/s written, cpu_ms_per_MB={cpu_ms / max(mb, 0.001):.2f}, rss_MB={$rss / 1024:.1f}')"
}

port=$(free_port)
"$work/epoll_fanout" serve "$port" "$kbps" 350 &
floor=$!
pids+=("$floor")
sleep 1
"$work/epoll_fanout" play "$port" "$players" "$seconds" 500 > "$work/floor.json" &
client=$!
measure "C epoll floor ($kbps kbps)" "$floor"
wait "$client"
echo "  clients: $(cat "$work/floor.json")"
kill "$floor"

port=$(free_port)
write_srs_conf "$work/k.conf" "$port"
.build/release/srs -c "$work/k.conf" &
srs=$!
pids+=("$srs")
sleep 1
ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/in100k.flv" -c copy -f flv "rtmp://127.0.0.1:$port/live/bench" &
pids+=("$!")
sleep 2
.build/release/srs-bench play -u "rtmp://127.0.0.1:$port/live/bench" -c "$players" -r 500 -d "$seconds" --json > "$work/bench.json" &
bench=$!
measure "SwiftSRS, RTMP players" "$srs"
wait "$bench" || true
echo "  players: $(python3 -c "import json; s = json.load(open('$work/bench.json')); print({k: s[k] for k in ('playing', 'failed', 'starved', 'total_mbytes')})")"
