#!/usr/bin/env bash
# Connection churn against a release build of the server (issue 5 and issue 7):
#   scripts/churn.sh [ROUNDS] [SECONDS] [RATE]      (default 3 rounds of 60 s at 1000 connects/s)
# Each round runs `srs-bench churn`: RATE new connections per second, each living 0.2-2 s
# (60% RTMP players, 20% HTTP-FLV players leaving after a random 1-64 KB, 20% RTMP publishers
# vanishing mid-stream) beside one steady publisher. Before the first round and after every
# round (5 s after srs-bench exits) it prints the server's open fds, RSS, and the CPU it used
# in the next 5 s of quiet. Exits non-zero if the fds do not return to the starting count, or
# RSS after round N > 1 is more than 10% above RSS after round 1.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-60}
rate=${3:-1000}
swift build -c release --product srs >/dev/null
swift build -c release --product srs-bench >/dev/null
work=$(mktemp -d)
srs_pid=
cleanup() { [ -n "$srs_pid" ] && kill "$srs_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=sample_rate=44100 -t 20 \
    -c:v libx264 -preset veryfast -g 50 -b:v 70k -maxrate 70k -bufsize 70k -pix_fmt yuv420p -c:a aac -b:a 32k -f flv "$work/in.flv"
rtmp_port=$(free_port)
http_port=$(free_port)
cat > "$work/srs.conf" <<CONF
daemon off; srs_log_tank file; srs_log_file $work/srs.log; srs_log_level warn; listen $rtmp_port; pid $work/srs.pid;
max_connections 20000;
http_server { enabled on; listen $http_port; dir $work; }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
CONF
.build/release/srs -c "$work/srs.conf" &
srs_pid=$!
sleep 1

fds() { ls "/proc/$srs_pid/fd" | wc -l; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$srs_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$srs_pid/stat"; }
quiet_cpu_ms() { local a; a=$(cpu_ticks); sleep 5; echo $(( ($(cpu_ticks) - a) * 1000 / $(getconf CLK_TCK) )); }

base_fds=$(fds)
echo "rate=$rate/s seconds=$seconds rounds=$rounds"
printf '%-8s %6s %8s %14s %s\n' round fds rss_MB quiet_cpu_ms srs-bench
printf '%-8s %6s %8.1f %14s\n' start "$base_fds" "$(echo "$(rss_kb)/1024" | bc -l)" "$(quiet_cpu_ms)"
status=0
first_rss=
for round in $(seq 1 "$rounds"); do
    summary=$(.build/release/srs-bench churn -u "rtmp://127.0.0.1:$rtmp_port/live/churn" -f "http://127.0.0.1:$http_port/live/churn.flv" \
        -i "$work/in.flv" -r "$rate" -d "$seconds" --json | tail -1) || true
    sleep 5
    now_fds=$(fds); now_rss=$(rss_kb)
    brief=$(python3 -c "import json,sys; s=json.loads(sys.argv[1]); print(f\"clients={s['clients']} connected={s['connected']} failed={s['failed']} failures={s['failures']} publisher_failures={s['publisher_failures']} cpu={s['tool_cpu_percent']}%\")" "$summary")
    printf '%-8s %6s %8.1f %14s %s\n' "$round" "$now_fds" "$(echo "$now_rss/1024" | bc -l)" "$(quiet_cpu_ms)" "$brief"
    [ "$now_fds" -eq "$base_fds" ] || { echo "round $round: $now_fds fds open, $base_fds at the start"; status=1; }
    if [ -z "$first_rss" ]; then first_rss=$now_rss
    elif [ "$now_rss" -gt $(( first_rss * 110 / 100 )) ]; then echo "round $round: RSS $now_rss kB > 110% of round 1's $first_rss kB"; status=1; fi
done
kill -0 "$srs_pid" || { echo "the server died"; status=1; }
exit $status
