#!/usr/bin/env bash
# Records the seed corpora in Fuzz/Corpus from real traffic: a recording TCP proxy sits in
# front of a SwiftSRS server while ffmpeg, rtmpdump and curl talk to it. Each connection's
# bytes (client to server, and server to client) are cut to 32 KB. Also: config files, the
# start of FLV files made by ffmpeg, AMF0 values. Run from the repository root after a build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Fuzz/Corpus
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$out"/{rtmp-server,rtmp-client,amf0,flv,http-request,http-response,config}

rtmp=$(free_port); http=$(free_port); proxy_rtmp=$(free_port); proxy_http=$(free_port)
cat > "$work/srs.conf" <<CONF
daemon off; srs_log_tank file; srs_log_file $work/srs.log; listen $rtmp; pid $work/srs.pid;
http_api { enabled on; listen $http; }
http_server { enabled on; listen $http; dir $work; }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
CONF
.build/debug/srs -c "$work/srs.conf" & pids+=("$!")

cat > "$work/proxy.py" <<'PY'
import socket, sys, threading, itertools
listen_port, target_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
counter = itertools.count()
LIMIT = 32 * 1024
def pump(src, dst, path):
    kept = bytearray()
    try:
        while True:
            data = src.recv(65536)
            if not data: break
            if len(kept) < LIMIT: kept += data[:LIMIT - len(kept)]
            dst.sendall(data)
    except OSError:
        pass
    finally:
        if kept: open(path, 'wb').write(bytes(kept))
        try: dst.shutdown(socket.SHUT_WR)
        except OSError: pass
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', listen_port)); server.listen(64)
while True:
    client, _ = server.accept()
    upstream = socket.create_connection(('127.0.0.1', target_port))
    n = next(counter)
    threading.Thread(target=pump, args=(client, upstream, f"{prefix}-c2s-{n}"), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client, f"{prefix}-s2c-{n}"), daemon=True).start()
PY
python3 "$work/proxy.py" "$proxy_rtmp" "$rtmp" "$work/rtmp" & pids+=("$!")
python3 "$work/proxy.py" "$proxy_http" "$http" "$work/http" & pids+=("$!")
sleep 1

ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=15 -f lavfi -i sine=sample_rate=22050 -t 6 \
    -c:v libx264 -preset ultrafast -g 15 -b:v 50k -pix_fmt yuv420p -c:a aac -b:a 24k -f flv "$work/in.flv"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i sine=sample_rate=22050 -t 2 -c:a libmp3lame -b:a 32k -f flv "$work/mp3.flv"
ffmpeg -hide_banner -loglevel error -re -i "$work/in.flv" -c copy -f flv "rtmp://127.0.0.1:$proxy_rtmp/live/seed" & publisher=$!
sleep 1.5
timeout 5 ffmpeg -hide_banner -loglevel error -y -i "rtmp://127.0.0.1:$proxy_rtmp/live/seed" -t 1 -c copy -f flv /dev/null || true
timeout 3 rtmpdump -q -v -r "rtmp://127.0.0.1:$proxy_rtmp/live/seed" -o /dev/null || true
curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$proxy_http/live/seed.flv" || true
curl -s -o /dev/null "http://127.0.0.1:$proxy_http/api/v1/streams?count=5" -H 'Accept-Encoding: gzip'
curl -s -o /dev/null -X DELETE "http://127.0.0.1:$proxy_http/api/v1/clients/1"
curl -s -o /dev/null -r 0-99 "http://127.0.0.1:$proxy_http/srs.conf"
curl -s -o /dev/null --data '{"action":"on_publish"}' -H 'Content-Type: application/json' "http://127.0.0.1:$proxy_http/api/v1/x"
wait "$publisher" || true
sleep 1

for f in "$work"/rtmp-c2s-*; do cp "$f" "$out/rtmp-server/ffmpeg-rtmpdump-$(basename "$f")"; done
for f in "$work"/rtmp-s2c-*; do cp "$f" "$out/rtmp-client/srs-$(basename "$f")"; done
for f in "$work"/http-c2s-*; do cp "$f" "$out/http-request/curl-$(basename "$f")"; done
for f in "$work"/http-s2c-*; do cp "$f" "$out/http-response/srs-$(basename "$f")"; done
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{"code":0}\r\n0\r\n\r\n' > "$out/http-response/chunked"
printf 'HTTP/1.0 200 OK\r\n\r\n0' > "$out/http-response/close-delimited"
head -c 16384 "$work/in.flv" > "$out/flv/h264-aac.flv"
head -c 8192 "$work/mp3.flv" > "$out/flv/mp3.flv"
for conf in conf/*.conf; do cp "$conf" "$out/config/"; done
python3 - "$out/amf0" <<'PY'
import struct, sys
def s(v): b = v.encode(); return b'\x02' + struct.pack('>H', len(b)) + b
def n(v): return b'\x00' + struct.pack('>d', v)
def obj(props, marker=b'\x03'):
    out = marker
    for k, v in props:
        kb = k.encode(); out += struct.pack('>H', len(kb)) + kb + v
    return out + b'\x00\x00\x09'
connect = s('connect') + n(1) + obj([('app', s('live')), ('tcUrl', s('rtmp://127.0.0.1/live')), ('fpad', b'\x01\x00'), ('capabilities', n(15))])
meta = s('onMetaData') + b'\x08' + struct.pack('>I', 2) + obj([('width', n(320)), ('height', n(240))], marker=b'')
strict = b'\x0a' + struct.pack('>I', 3) + n(1) + s('x') + b'\x05'
other = b'\x0b' + struct.pack('>d', 0) + b'\x00\x00' + b'\x0c' + struct.pack('>I', 3) + b'abc' + b'\x06'
for name, data in [('connect', connect), ('metadata', meta), ('strict-array', strict), ('date-longstring', other)]:
    open(f"{sys.argv[1]}/{name}", 'wb').write(data)
PY
echo "seeds:"; for d in "$out"/*; do echo "  $(basename "$d"): $(ls "$d" | wc -l) files, $(du -sk "$d" | cut -f1) KB"; done
