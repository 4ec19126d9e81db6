#!/usr/bin/env bash
# Runs the whole test suite: unit tests, then end-to-end tests against real clients
# (ffmpeg, rtmpdump, GStreamer, nginx-rtmp), then the concurrent end-to-end tests under
# ThreadSanitizer and under AddressSanitizer, then a short libFuzzer run of every parser.
# Installs the missing Debian packages first when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
swift build --build-tests
# Most end-to-end tests wait on real time (GOPs, timeouts, reconnects), so the suite runs as two
# test processes at once: the suites named below in one, everything else in the other. SwiftPM
# locks the build directory per command, so the processes run the test bundle directly.
second_group='DVRTests|HTTPServerTests|RTMPPublishPlayTests|BadInputTests|FFmpegProcessTests|ServerCommandLineTests|HookTests|WaitingPlayerTests|LiveMP4Tests|VODTests|BandcheckTests|ClientToolsTests'
bundle="$(swift build --show-bin-path)/SwiftSRSPackageTests.xctest"
all_suites=$("$bundle" --list-tests | grep '/' | cut -d/ -f1 | sort -u)
first_suites=$(grep -Ev "^SRSEndToEndTests\.($second_group)\$" <<<"$all_suites" | paste -sd, -)
second_suites=$(grep -E "^SRSEndToEndTests\.($second_group)\$" <<<"$all_suites" | paste -sd, -)
logs=$(mktemp -d)
"$bundle" "$first_suites" >"$logs/first.log" 2>&1 & first=$!
"$bundle" "$second_suites" >"$logs/second.log" 2>&1 & second=$!
status=0
wait "$first" || status=1
wait "$second" || status=1
cat "$logs/first.log" "$logs/second.log"
grep -h -A1 "^Test Suite 'Selected tests' \(passed\|failed\)" "$logs/first.log" "$logs/second.log" || true
rm -rf "$logs"
if [ "$status" != 0 ]; then echo "tests failed"; exit 1; fi
# The end-to-end tests that drive the concurrent core, run again under each sanitizer.
concurrent_tests='testHundredPlayersReceiveTheWholeStream|BadInputTests|testReloadKeepsRunning|testMaxConnections|testStreamsShowCodecsAndClients|testMetricsParse|testHangingHookTimesOutWhileOtherStreamsFlow|testForwardReconnectsAndResendsHeaders|ReloadTests|testFailoverKeepsTwentyPlayersAttached|testEdgeOfSwiftSRSOrigin|testPublisherStallingMidChunk|testOneByteEveryTwoSeconds|testHalfOpenClients|testRTMPClientFlooding|TCPConnectionTests|SRSAppTests|HTTPAdmissionTests|testEdgeVhostWritesHLSForAPulledStream|testAnUnwritablePathAndABlockedDiskNeverHurtPlayers|SupervisedProcessTests|testIngestSupervision|CasterTests|PushCasterTests|testFFprobeReadsLiveMP4OfEveryCodecMix|testAPIAuthenticationAndTheRawAPIReload|testHeartbeatReportsAndSummariesMove|BandcheckTests|testFragmentsBootstrapAndManifestOverHTTPPlayInFFprobe|testMP4RangesLargeFilesAndAnHLSVODPlaylist'
# Each sanitizer's build runs its tests as two processes at once, as the main suite does: the
# selected tests, dealt alternately to the two.
run_sanitized() {  # sanitizer, scratch path, then VAR=value settings for the test processes
    local sanitizer=$1 scratch=$2; shift 2
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    local bundle tests first second logs status=0
    bundle="$(swift build --sanitize="$sanitizer" --scratch-path "$scratch" --show-bin-path)/SwiftSRSPackageTests.xctest"
    tests=$("$bundle" --list-tests | grep '/' | sed 's/^ *//' | grep -E "$concurrent_tests")
    [ -n "$tests" ] || { echo "no test matches the sanitizer set"; exit 1; }
    first=$(awk 'NR % 2 == 1' <<<"$tests" | paste -sd, -)
    second=$(awk 'NR % 2 == 0' <<<"$tests" | paste -sd, -)
    logs=$(mktemp -d)
    env "$@" "$bundle" "$first" >"$logs/first.log" 2>&1 & local a=$!
    env "$@" "$bundle" "$second" >"$logs/second.log" 2>&1 & local b=$!
    wait "$a" || status=1
    wait "$b" || status=1
    cat "$logs/first.log" "$logs/second.log"
    grep -h -A1 "^Test Suite 'Selected tests' \(passed\|failed\)" "$logs/first.log" "$logs/second.log" || true
    rm -rf "$logs"
    if [ "$status" != 0 ]; then echo "tests under the $sanitizer sanitizer failed"; exit 1; fi
}
if [ "${SKIP_TSAN:-0}" != "1" ]; then
    echo "== ThreadSanitizer: concurrent end-to-end tests =="
    # No backtracer under TSan: after a sanitizer abort its fork hung the run (seen once).
    run_sanitized thread .build-tsan SWIFT_BACKTRACE=enable=no TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
fi
if [ "${SKIP_ASAN:-0}" != "1" ]; then
    echo "== AddressSanitizer: the same concurrent end-to-end tests =="
    run_sanitized address .build-asan SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:halt_on_error=1"
fi
if [ "${SKIP_FUZZ:-0}" != "1" ]; then
    echo "== libFuzzer + AddressSanitizer: every parser, a short smoke =="
    scripts/fuzz.sh --smoke 20000
fi
