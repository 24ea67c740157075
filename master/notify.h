/* notify.h - the systemd notification protocol, spoken by the master: one
 * datagram per state change to the socket named in $NOTIFY_SOCKET
 * (READY=1, RELOADING=1 with MONOTONIC_USEC, STOPPING=1, STATUS=...).
 * Without $NOTIFY_SOCKET every call does nothing. */
#ifndef CW_MASTER_NOTIFY_H
#define CW_MASTER_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

struct cw_notify {
	int fd; /* -1: not under a service manager (or no usable socket) */
	struct sockaddr_un addr;
	socklen_t addrlen;
	int ready_sent;  /* READY=1 of the first generation went out */
	int64_t last_ms; /* when STATUS= last went out */
	char last[320];  /* the last STATUS= text */
};

/* Read and unset $NOTIFY_SOCKET (so that processes the server starts do
 * not speak for it) and open a datagram socket towards it. A path starts
 * with '/', an abstract name with '@'. Returns 0 when there is nothing to
 * notify or the socket is open; -1 with the reason in err when the
 * variable names no usable socket (n is then inert: not fatal). n is the
 * caller's; cw_notify_close() releases it. */
int cw_notify_open(struct cw_notify *n, char *err, size_t errlen);

/* Send READY=1 (with a STATUS= line, may be NULL or ""). */
void cw_notify_ready(struct cw_notify *n, const char *status);

/* Send RELOADING=1 with MONOTONIC_USEC= of CLOCK_MONOTONIC now, as
 * systemd wants it to tell this reload from a later one. */
void cw_notify_reloading(struct cw_notify *n);

/* Send STOPPING=1. */
void cw_notify_stopping(struct cw_notify *n);

/* Send STATUS=status if it differs from the last one sent and at least
 * min_interval_ms passed since then (0: now). */
void cw_notify_status(struct cw_notify *n, const char *status,
                      int min_interval_ms);

/* Send MAINPID=pid (and READY=1 with it if ready): a binary upgrade
 * hands the service over to the new master. */
void cw_notify_mainpid(struct cw_notify *n, pid_t pid, int ready);

/* The socket's name as $NOTIFY_SOCKET spells it, for a new master of an
 * upgrade; "" when inert. */
void cw_notify_name(const struct cw_notify *n, char *buf, size_t len);

/* Close the socket; n becomes inert. Safe on an inert one. */
void cw_notify_close(struct cw_notify *n);

#endif
