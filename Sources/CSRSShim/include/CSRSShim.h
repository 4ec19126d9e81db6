#ifndef CSRSSHIM_H
#define CSRSSHIM_H
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; Glibc's Swift overlay lacks accept4.
int srs_accept_nonblocking(int fd, struct sockaddr_storage *addr, socklen_t *len);
/// Sets O_NONBLOCK on fd; returns 0 or -1 with errno.
int srs_set_nonblocking(int fd);
/// setsockopt helpers; each returns 0 or -1 with errno.
int srs_set_int_option(int fd, int level, int name, int value);
/// Raises RLIMIT_NOFILE's soft limit to min(hard, wanted); returns the new soft limit.
long srs_raise_nofile_limit(long wanted);
/// Bytes waiting in the socket receive buffer (FIONREAD), or -1.
int srs_bytes_readable(int fd);
/// Formats addr as "ip" and returns the port; buf must hold 64 bytes.
int srs_format_address(const struct sockaddr_storage *addr, char *buf, int buflen);
/// Creates, binds and listens a TCP socket on host:port (host "" = any, IPv4 or IPv6 literal).
/// Returns the fd or -errno. The bound port is written to *bound_port.
int srs_listen_tcp(const char *host, int port, int backlog, int *bound_port);
/// Creates and binds a non-blocking UDP socket on host:port with a receive buffer of
/// `receive_buffer` bytes (capped by the kernel). Returns the fd or -errno; the bound port is
/// written to *bound_port.
int srs_bind_udp(const char *host, int port, int receive_buffer, int *bound_port);
/// Non-blocking connect to host:port (numeric). Returns fd or -errno; EINPROGRESS is success.
int srs_connect_tcp(const char *host, int port);
/// SO_ERROR of fd.
int srs_socket_error(int fd);
/// Starts `path` (looked up in PATH when it has no '/') with `argv` (NULL-terminated): stdin
/// from /dev/null, stdout and stderr appended to `log_path`, no other descriptor inherited,
/// default signal handling and an empty signal mask. Returns 0 and the pid, or an errno.
int srs_spawn(const char *path, char *const argv[], const char *log_path, pid_t *pid);
/// Returns free heap memory above `pad` bytes to the system (glibc malloc_trim); 1 if any was.
int srs_release_free_memory(unsigned long pad);
/// Closes every descriptor from `lowest` up (a daemon must not hold what its parent left open).
void srs_close_from(int lowest);
#endif
