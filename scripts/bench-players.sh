#!/usr/bin/env bash
# SwiftSRS alone under N RTMP players (the 10,000-player run of docs/performance.md):
# one ~100 kbps H.264+AAC publisher (ffmpeg), `srs-bench play` with N players at 500/s.
#   scripts/bench-players.sh [PLAYERS] [SECONDS]      (default 10000 players, 40 s)
# Prints srs-bench's JSON summary, then the server's CPU (ms, % of one core, ms per delivered
# MB), RSS and threads. Free ports; everything started is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-10000}
seconds=${2:-40}
swift build -c release --product srs >/dev/null
swift build -c release --product srs-bench >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=sample_rate=44100 -t 20 \
    -c:v libx264 -preset veryfast -g 50 -b:v 70k -maxrate 70k -bufsize 70k -pix_fmt yuv420p -c:a aac -b:a 32k -f flv "$work/in100k.flv"
cat > "$work/k.conf" <<CONF
daemon off; srs_log_tank file; srs_log_file $work/srs.log; listen $port; pid $work/srs.pid; max_connections 20000;
vhost __defaultVhost__ { }
CONF
.build/release/srs -c "$work/k.conf" &
srs=$!
pids+=("$srs")
sleep 1
ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/in100k.flv" -c copy -f flv "rtmp://127.0.0.1:$port/live/bench" &
pids+=("$!")
sleep 2
before=$(awk '{print $14 + $15}' "/proc/$srs/stat")
.build/release/srs-bench play -u "rtmp://127.0.0.1:$port/live/bench" -c "$players" -r 500 -d "$seconds" --json > "$work/bench.json" || true
after=$(awk '{print $14 + $15}' "/proc/$srs/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$srs/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$srs/status")
cat "$work/bench.json"; echo
python3 - "$before" "$after" "$(getconf CLK_TCK)" "$seconds" "$rss" "$threads" "$work/bench.json" <<'PY'
import json, sys
before, after, hz, seconds, rss, threads, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
summary = json.load(open(path))
cpu_ms = (after - before) * 1000 / hz
mbytes = summary['total_mbytes']
print(f"server cpu_ms={cpu_ms:.0f} ({cpu_ms / 10 / seconds:.1f}% of one core over the run) cpu_ms_per_MB={cpu_ms / max(mbytes, 0.001):.2f} "
      f"delivered_MB={mbytes:.1f} rss_MB={rss / 1024:.1f} threads={threads} playing={summary['playing']} failed={summary['failed']} "
      f"starved={summary['starved']}")
PY
