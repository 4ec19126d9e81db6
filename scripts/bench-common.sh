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
