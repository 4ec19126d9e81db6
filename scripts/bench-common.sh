# Shared by the bench scripts: release builds, a work folder, cleanup of what they start.
swift build -c release --product srs >/dev/null
swift build -c release --product srs-bench >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# in100k.flv: one ~100 kbps H.264 + AAC publisher's input (320x240 25 fps, 70 kbps + 32 kbps, 20 s).
make_input() {
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=sample_rate=44100 -t 20 \
        -c:v libx264 -preset veryfast -g 50 -b:v 70k -maxrate 70k -bufsize 70k -pix_fmt yuv420p -c:a aac -b:a 32k -f flv "$1"
}
# write_srs_conf FILE PORT [VHOST_BODY] [TOP_LEVEL]: a SwiftSRS config that logs into $work.
write_srs_conf() {
    cat > "$1" <<CONF
daemon off; srs_log_tank file; srs_log_file $work/srs.log; listen $2; pid $work/srs.pid; max_connections 20000;
${4:-}
vhost __defaultVhost__ { ${3:-} }
CONF
}
# write_nginx_conf PORT [APPLICATION_BODY]: nginx-rtmp with one worker, in $work/nginx.
write_nginx_conf() {
    mkdir -p "$work/nginx/logs"
    cat > "$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 65536;
error_log $work/nginx/logs/error.log; pid $work/nginx/nginx.pid;
events { worker_connections 20000; }
rtmp { server { listen $1; application live { live on; ${2:-} } } }
CONF
}
