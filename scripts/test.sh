#!/usr/bin/env bash
# Runs the whole test suite: unit tests, then end-to-end tests against real clients
# (ffmpeg, rtmpdump, GStreamer, nginx-rtmp), then the concurrent end-to-end tests under
# ThreadSanitizer and under AddressSanitizer, then a short libFuzzer run of every parser.
# Installs the missing Debian packages first when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
swift build --build-tests
swift test --skip-build --disable-swift-testing
# The end-to-end tests that drive the concurrent core, run again under each sanitizer.
concurrent_tests='testHundredPlayersReceiveTheWholeStream|BadInputTests|testReloadKeepsRunning|testMaxConnections|testStreamsShowCodecsAndClients|testMetricsParse|testHangingHookTimesOutWhileOtherStreamsFlow|testForwardReconnectsAndResendsHeaders|ReloadTests|testFailoverKeepsTwentyPlayersAttached|testEdgeOfSwiftSRSOrigin|testPublisherStallingMidChunk|testOneByteEveryTwoSeconds|testHalfOpenClients|testRTMPClientFlooding|TCPConnectionTests|SRSAppTests|HTTPAdmissionTests|testEdgeVhostWritesHLSForAPulledStream|testAnUnwritablePathAndABlockedDiskNeverHurtPlayers|SupervisedProcessTests|testIngestSupervision|CasterTests'
if [ "${SKIP_TSAN:-0}" != "1" ]; then
    echo "== ThreadSanitizer: concurrent end-to-end tests =="
    # No backtracer under TSan: after a sanitizer abort its fork hung the run (seen once).
    SWIFT_BACKTRACE=enable=no TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        swift test --disable-swift-testing --sanitize=thread --scratch-path .build-tsan \
        --filter "$concurrent_tests"
fi
if [ "${SKIP_ASAN:-0}" != "1" ]; then
    echo "== AddressSanitizer: the same concurrent end-to-end tests =="
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" \
        swift test --disable-swift-testing --sanitize=address --scratch-path .build-asan --filter "$concurrent_tests"
fi
if [ "${SKIP_FUZZ:-0}" != "1" ]; then
    echo "== libFuzzer + AddressSanitizer: every parser, a short smoke =="
    scripts/fuzz.sh --smoke 20000
fi
