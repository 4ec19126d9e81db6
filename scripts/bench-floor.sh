#!/usr/bin/env bash
# The C epoll floor beside SwiftSRS in one run: Benchmarks/EpollFloor/epoll_fanout.c serves the
# bytes of the same ~100 kbps stream to N clients (one writev per client every 350 ms, SRS's
# mw_latency), then scripts/bench-players.sh runs SwiftSRS under N RTMP players.
#   scripts/bench-floor.sh [PLAYERS] [SECONDS]   (default 10000 players, 40 s)
# Prints the floor's CPU per delivered MB, then bench-players.sh's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-10000}
seconds=${2:-40}
source scripts/bench-common.sh
gcc -O2 -Wall -o "$work/epoll_fanout" Benchmarks/EpollFloor/epoll_fanout.c
make_input "$work/in100k.flv"
kbps=$(( $(stat -c %s "$work/in100k.flv") * 8 / 20 / 1000 ))
port=$(free_port)
"$work/epoll_fanout" serve "$port" "$kbps" 350 &
floor=$!
pids+=("$floor")
sleep 1
before=$(awk '{print $14 + $15}' "/proc/$floor/stat")
"$work/epoll_fanout" play "$port" "$players" "$seconds" 500 > "$work/floor.json"
after=$(awk '{print $14 + $15}' "/proc/$floor/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$floor/status")
python3 - "$before" "$after" "$(getconf CLK_TCK)" "$seconds" "$rss" "$work/floor.json" "$kbps" <<'PY'
import json, sys
before, after, hz, seconds, rss, path, kbps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
summary = json.load(open(path))
cpu_ms = (after - before) * 1000 / hz
mbytes = summary['total_mbytes']
print(f"C epoll floor ({kbps} kbps): cpu_ms={cpu_ms:.0f} ({cpu_ms / 10 / seconds:.1f}% of one core) cpu_ms_per_MB={cpu_ms / max(mbytes, 0.001):.2f} "
      f"delivered_MB={mbytes:.1f} rss_MB={rss / 1024:.1f} playing={summary['playing']} failed={summary['failed']}")
PY
kill "$floor"
scripts/bench-players.sh "$players" "$seconds" rtmp
