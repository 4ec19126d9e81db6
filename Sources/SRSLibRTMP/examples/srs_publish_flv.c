/*
 * srs_publish_flv: publishes an FLV file to an RTMP server at the file's pace, with the C API
 * of srs_librtmp (the shape of SRS's research/librtmp/srs_ingest_flv.c).
 *
 *   cc -I Sources/SRSLibRTMP/include srs_publish_flv.c -L .build/debug -lsrs_librtmp -o srs_publish_flv
 *   LD_LIBRARY_PATH=.build/debug:/opt/swift/usr/lib/swift/linux ./srs_publish_flv in.flv rtmp://127.0.0.1/live/livestream
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "srs_librtmp.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s in.flv rtmp://host/app/stream\n", argv[0]);
        return 2;
    }
    printf("srs_librtmp %d.%d.%d\n", srs_version_major(), srs_version_minor(), srs_version_revision());
    srs_flv_t flv = srs_flv_open_read(argv[1]);
    if (!flv) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    char header[9];
    if (srs_flv_read_header(flv, header) != 0) { fprintf(stderr, "%s is not an FLV file\n", argv[1]); return 1; }

    srs_rtmp_t rtmp = srs_rtmp_create(argv[2]);
    if (!rtmp) { fprintf(stderr, "bad URL %s\n", argv[2]); return 1; }
    if (srs_rtmp_handshake(rtmp) != 0 || srs_rtmp_connect_app(rtmp) != 0 || srs_rtmp_publish_stream(rtmp) != 0) {
        fprintf(stderr, "publish failed: %s\n", srs_rtmp_last_error(rtmp));
        return 1;
    }
    srs_human_trace("publishing %s to %s", argv[1], argv[2]);
    int64_t start = srs_utils_time_ms();
    int packets = 0;
    for (;;) {
        char type;
        int32_t size;
        uint32_t timestamp;
        int ret = srs_flv_read_tag_header(flv, &type, &size, &timestamp);
        if (srs_flv_is_eof(ret)) break;
        if (ret != 0) { fprintf(stderr, "read tag failed\n"); return 1; }
        if (!srs_utils_flv_tag_is_ok(type)) { srs_flv_lseek(flv, srs_flv_tellg(flv) + size + 4); continue; }
        char* data = (char*)malloc(size > 0 ? size : 1);
        if (srs_flv_read_tag_data(flv, data, size) != 0) { fprintf(stderr, "read tag data failed\n"); return 1; }
        if (packets < 3) {
            char line[256];
            srs_human_format_rtmp_packet(line, sizeof(line), type, timestamp, data, size);
            printf("%s\n", line);
        }
        int64_t due = start + timestamp;  /* the file's pace */
        int64_t wait = due - srs_utils_time_ms();
        if (wait > 0) usleep((useconds_t)(wait * 1000));
        /* the library owns data from here on, as in SRS */
        if (srs_rtmp_write_packet(rtmp, type, timestamp, data, size) != 0) {
            fprintf(stderr, "write failed: %s\n", srs_rtmp_last_error(rtmp));
            return 1;
        }
        packets++;
    }
    printf("published %d packets\n", packets);
    srs_rtmp_destroy(rtmp);
    srs_flv_close(flv);
    return 0;
}
