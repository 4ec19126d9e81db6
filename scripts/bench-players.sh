#!/usr/bin/env bash
# SwiftSRS alone under N RTMP or HTTP-FLV players (the 10,000-player runs of
# docs/performance.md): one ~100 kbps H.264+AAC publisher (ffmpeg), `srs-bench play` (or
# `flv`) with N players at 500/s.
#   scripts/bench-players.sh [PLAYERS] [SECONDS] [rtmp|flv]   (default 10000 players, 40 s, rtmp)
# Prints srs-bench's JSON summary, then the server's CPU (ms, % of one core, ms per delivered
# MB), RSS and threads. Free ports; everything started is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-10000}
seconds=${2:-40}
kind=${3:-rtmp}
source scripts/bench-common.sh
port=$(free_port)
http=$(free_port)
make_input "$work/in100k.flv"
write_srs_conf "$work/k.conf" "$port" "http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }" \
    "http_server { enabled on; listen $http; dir $work; }"
.build/release/srs -c "$work/k.conf" &
srs=$!
pids+=("$srs")
sleep 1
ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/in100k.flv" -c copy -f flv "rtmp://127.0.0.1:$port/live/bench" &
pids+=("$!")
sleep 2
before=$(awk '{print $14 + $15}' "/proc/$srs/stat")
if [ "$kind" = flv ]; then
    .build/release/srs-bench flv -u "http://127.0.0.1:$http/live/bench.flv" -c "$players" -r 500 -d "$seconds" --json > "$work/bench.json" || true
else
    .build/release/srs-bench play -u "rtmp://127.0.0.1:$port/live/bench" -c "$players" -r 500 -d "$seconds" --json > "$work/bench.json" || true
fi
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
