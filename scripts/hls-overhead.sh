#!/usr/bin/env bash
# Measures HLS overhead (bytes of all TS segments / bytes of the published FLV - 1) for a
# ~500 kbps and a ~100 kbps H.264+AAC stream, 30 s each, hls_fragment 2 (a 2 s GOP).
# Usage: scripts/hls-overhead.sh   (needs ffmpeg and a built .build/debug/srs or SRS_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
SRS_BIN=${SRS_BIN:-.build/debug/srs}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/srs.conf" <<CONF
daemon off; srs_log_tank console; listen $port; pid $work/srs.pid;
vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 120; hls_path $work/hls; } }
CONF
"$SRS_BIN" -c "$work/srs.conf" > "$work/srs.log" 2>&1 &
sleep 1
printf '%-10s %12s %12s %9s\n' stream flv_bytes ts_bytes overhead
for rate in 500 100; do
    video=$((rate - 32))
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 \
        -t 30 -c:v libx264 -preset veryfast -g 50 -keyint_min 50 -pix_fmt yuv420p -b:v ${video}k -maxrate ${video}k -bufsize ${video}k \
        -c:a aac -b:a 32k -f flv "$work/in$rate.flv"
    ffmpeg -hide_banner -loglevel error -re -i "$work/in$rate.flv" -c copy -f flv "rtmp://127.0.0.1:$port/live/s$rate"
    sleep 1
    flv=$(stat -c %s "$work/in$rate.flv")
    ts=$(cat "$work"/hls/live/s$rate-*.ts | wc -c)
    printf '%-10s %12d %12d %8.1f%%\n' "${rate}kbps" "$flv" "$ts" "$(python3 -c "print(($ts/$flv-1)*100)")"
done
