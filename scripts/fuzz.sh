#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of one parser, or a smoke run of all.
#   scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags]   fuzz TARGET for SECONDS (default 60)
#   scripts/fuzz.sh TARGET 1800 -runs=10000000                 30 minutes or 10 million inputs, whichever first
#   scripts/fuzz.sh --smoke [RUNS]                             every target, RUNS inputs each (CI)
#   scripts/fuzz.sh --list                                     the targets
# Seeds are committed in Fuzz/Corpus/TARGET (recorded from ffmpeg, rtmpdump, curl and real
# files); new inputs go to a working corpus under .build-fuzz/corpus/TARGET, crashes to
# .build-fuzz/crashes/. Each crash, hang or leak found is fixed and its input committed to
# Fuzz/Regressions/TARGET/; the smoke run replays every one of them first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scratch="$PWD/.build-fuzz"
(cd Fuzz && swift build -c debug --scratch-path "$scratch" --product srs-fuzz \
    -Xswiftc -sanitize=fuzzer,address >/dev/null) || {
    echo "fuzz build failed; rerun: (cd Fuzz && swift build --scratch-path $scratch -Xswiftc -sanitize=fuzzer,address)" >&2; exit 1; }
fuzz="$scratch/debug/srs-fuzz"
targets=(rtmp-server rtmp-client amf0 flv http-request http-response config tls-client ts rtsp rtp m3u8 raw)
mkdir -p "$scratch/crashes"

run_target() {  # target, then libFuzzer flags
    local target=$1; shift
    local corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" "$fuzz" "$target" -rss_limit_mb=512 -timeout=10 \
        -artifact_prefix="$scratch/crashes/$target-" -print_final_stats=1 "$@" "$corpus" "Fuzz/Corpus/$target"
}

case "${1:-}" in
    --list) printf '%s\n' "${targets[@]}" ;;
    --smoke)
        runs=${2:-5000}
        for target in "${targets[@]}"; do
            if compgen -G "Fuzz/Regressions/$target/*" >/dev/null; then
                echo "== fuzz regressions: $target"
                ASAN_OPTIONS="detect_leaks=1" "$fuzz" "$target" -rss_limit_mb=512 -timeout=10 Fuzz/Regressions/"$target"/* > "$scratch/$target-regressions.log" 2>&1 ||
                    { tail -40 "$scratch/$target-regressions.log"; echo "a fixed fuzz finding of $target is back"; exit 1; }
            fi
            echo "== fuzz smoke: $target ($runs runs)"
            if ! run_target "$target" -runs="$runs" > "$scratch/$target.log" 2>&1; then
                tail -40 "$scratch/$target.log"
                echo "fuzz target $target failed (log: $scratch/$target.log)"
                exit 1
            fi
            grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" "$scratch/$target.log" || true
        done ;;
    "") echo "usage: scripts/fuzz.sh TARGET [SECONDS] | --smoke [RUNS] | --list" >&2; exit 2 ;;
    *)
        target=$1; seconds=${2:-60}; shift $(( $# >= 2 ? 2 : 1 ))
        run_target "$target" -max_total_time="$seconds" "$@" ;;
esac
