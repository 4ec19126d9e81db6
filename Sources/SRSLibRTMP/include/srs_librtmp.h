/*
 * srs_librtmp.h: the C API of SwiftSRS's client library, in the shape of SRS's srs-librtmp
 * (SRS 2.0): programs written for it that use the functions below build against this one
 * (not here: the srs_amf0_* object API, the bandwidth-check client, the step-by-step
 * handshake and connect variants, the srs_utils_flv_* field readers and most srs_human_*
 * names).
 *
 * Link with -lsrs_librtmp (the SwiftPM product srs_librtmp, a shared library) and make the
 * Swift runtime findable (LD_LIBRARY_PATH or rpath: the library's folder and the toolchain's
 * usr/lib/swift/linux).
 *
 * Every int function returns 0 on success and an error code otherwise (ERROR_SYSTEM_FILE_EOF
 * at the end of an FLV file); srs_rtmp_last_error tells what failed in words. A handle is
 * used by one thread at a time.
 */
#ifndef SRS_LIBRTMP_H
#define SRS_LIBRTMP_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int srs_bool;
typedef void* srs_rtmp_t;
typedef void* srs_flv_t;

#define ERROR_SUCCESS 0
/* A call failed: see srs_rtmp_last_error. */
#define ERROR_SRS_LIBRTMP 1
/* The end of an FLV file (SRS's code). */
#define ERROR_SYSTEM_FILE_EOF 1046

#define SRS_RTMP_TYPE_AUDIO 8
#define SRS_RTMP_TYPE_VIDEO 9
#define SRS_RTMP_TYPE_SCRIPT 18

/* The library's version: SwiftSRS's. */
extern int srs_version_major(void);
extern int srs_version_minor(void);
extern int srs_version_revision(void);

/* An RTMP client of "rtmp://host[:port]/app[/more]/stream[?query]"; NULL for a bad URL.
 * Nothing is sent until srs_rtmp_handshake. */
extern srs_rtmp_t srs_rtmp_create(const char* url);
/* The same (SRS's variant for a URL without a stream, used by bandwidth checks). */
extern srs_rtmp_t srs_rtmp_create2(const char* url);
/* recv_timeout_ms: how long srs_rtmp_read_packet waits for a packet (<= 0: as long as it
 * takes); the larger of the two bounds each connect, answer and write. Default 10 s, no read
 * timeout. */
extern int srs_rtmp_set_timeout(srs_rtmp_t rtmp, int recv_timeout_ms, int send_timeout_ms);
/* Closes the connection and frees the handle. */
extern void srs_rtmp_destroy(srs_rtmp_t rtmp);
/* Connects over TCP and does the RTMP handshake. */
extern int srs_rtmp_handshake(srs_rtmp_t rtmp);
/* NetConnection.connect with the URL's app and tcUrl. */
extern int srs_rtmp_connect_app(srs_rtmp_t rtmp);
/* createStream and play the URL's stream; waits for NetStream.Play.Start. */
extern int srs_rtmp_play_stream(srs_rtmp_t rtmp);
/* createStream and publish the URL's stream; waits for NetStream.Publish.Start. */
extern int srs_rtmp_publish_stream(srs_rtmp_t rtmp);
/* The next packet of the stream played: its type (SRS_RTMP_TYPE_*; AMF3 data is reported as
 * SCRIPT), time (ms), and data of size bytes, allocated with malloc: free() it. On an error
 * *data is NULL and *size 0. */
extern int srs_rtmp_read_packet(srs_rtmp_t rtmp, char* type, uint32_t* timestamp, char** data, int* size);
/* Sends a packet of the stream published. As in SRS, the library owns data (allocated with
 * malloc) from this call on and frees it: the caller must not. */
extern int srs_rtmp_write_packet(srs_rtmp_t rtmp, char type, uint32_t timestamp, char* data, int size);
/* H.264 Annex B NAL units (with start codes) of one frame at dts and pts (ms): SPS and PPS
 * become the sequence header (sent again only when they change), access unit delimiters are
 * dropped, nothing is sent before both parameter sets. frames stays the caller's. */
extern int srs_h264_write_raw_frames(srs_rtmp_t rtmp, char* frames, int frames_size, uint32_t dts, uint32_t pts);
/* One audio frame at timestamp (ms). AAC (sound_format 10) comes as ADTS; other formats (MP3:
 * 2) are sent behind the FLV audio header made of the four fields. frame stays the caller's. */
extern int srs_audio_write_raw_frame(srs_rtmp_t rtmp, char sound_format, char sound_rate, char sound_size, char sound_type,
                                     char* frame, int frame_size, uint32_t timestamp);
/* What the last failed call on rtmp said (empty when none failed); valid until the next call. */
extern const char* srs_rtmp_last_error(srs_rtmp_t rtmp);
/* Whether a script packet is onMetaData (with or without @setDataFrame). */
extern srs_bool srs_rtmp_is_onMetaData(char type, char* data, int size);
/* ADTS helpers: whether data starts an ADTS frame, and that frame's length (-1: none). */
extern srs_bool srs_aac_is_adts(char* aac_raw_data, int ac_raw_size);
extern int srs_aac_adts_frame_size(char* aac_raw_data, int ac_raw_size);
/* SRS's errors for duplicated SPS/PPS and DVB subtitles: never returned here (they are
 * dropped silently), so these are always false. */
extern srs_bool srs_h264_is_dvbsp_error(int error_code);
extern srs_bool srs_h264_is_duplicated_sps_error(int error_code);
extern srs_bool srs_h264_is_duplicated_pps_error(int error_code);
/* Whether data starts with 00 00 01 or 00 00 00 01 (its length in *pnb_start_code). */
extern srs_bool srs_h264_startswith_annexb(char* h264_raw_data, int h264_raw_size, int* pnb_start_code);

/* FLV files. */
extern srs_flv_t srs_flv_open_read(const char* file);
extern srs_flv_t srs_flv_open_write(const char* file);
extern void srs_flv_close(srs_flv_t flv);
/* The 9-byte file header (PreviousTagSize0 is skipped). */
extern int srs_flv_read_header(srs_flv_t flv, char header[9]);
/* The next tag's type, data size and time; ERROR_SYSTEM_FILE_EOF at the end. */
extern int srs_flv_read_tag_header(srs_flv_t flv, char* ptype, int32_t* pdata_size, uint32_t* ptime);
/* The data of the tag whose header was read last (size bytes into data). */
extern int srs_flv_read_tag_data(srs_flv_t flv, char* data, int32_t size);
/* Writes the 9-byte header and PreviousTagSize0. */
extern int srs_flv_write_header(srs_flv_t flv, char header[9]);
/* Writes one tag and its PreviousTagSize. */
extern int srs_flv_write_tag(srs_flv_t flv, char type, int32_t time, char* data, int size);
/* Bytes a tag of data_size takes in a file. */
extern int srs_flv_size_tag(int data_size);
/* The read position, and moving it (to a tag's start). */
extern int64_t srs_flv_tellg(srs_flv_t flv);
extern void srs_flv_lseek(srs_flv_t flv, int64_t offset);
extern srs_bool srs_flv_is_eof(int error_code);
/* As SRS's: an H.264 keyframe tag body with AVC packet type 0 (video only). */
extern srs_bool srs_flv_is_sequence_header(char* data, int32_t size);
extern srs_bool srs_flv_is_keyframe(char* data, int32_t size);

/* Utilities: the wall clock in ms, the connection's byte counts, FLV tag types. */
extern int64_t srs_utils_time_ms(void);
extern int64_t srs_utils_send_bytes(srs_rtmp_t rtmp);
extern int64_t srs_utils_recv_bytes(srs_rtmp_t rtmp);
extern srs_bool srs_utils_flv_tag_is_ok(char type);
extern srs_bool srs_utils_flv_tag_is_audio(char type);
extern srs_bool srs_utils_flv_tag_is_video(char type);
extern srs_bool srs_utils_flv_tag_is_av(char type);

/* Human-readable output, as SRS's: "Audio", "Video", "Data" or "Unknown"; the local time
 * ("2026-12-07 16:30:00.123", one static buffer); a packet's line printed on stdout. */
extern const char* srs_human_flv_tag_type2string(char type);
extern const char* srs_human_format_time(void);
extern int srs_human_print_rtmp_packet(char type, uint32_t timestamp, char* data, int size);
#define srs_human_trace(msg, ...) printf("[%s] ", srs_human_format_time()); printf(msg, ##__VA_ARGS__); printf("\n")
#define srs_human_verbose(msg, ...) (void)0
#define srs_human_raw(msg, ...) printf(msg, ##__VA_ARGS__)

/* One line describing a packet ("Video packet dts=40 pts=80 size=1234 H.264 inter (nalu)")
 * into buffer (nb_buffer bytes, NUL-terminated, cut to fit). */
extern int srs_human_format_rtmp_packet(char* buffer, int nb_buffer, char type, uint32_t timestamp, char* data, int size);

#ifdef __cplusplus
}
#endif

#endif
