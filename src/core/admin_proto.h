/* admin_proto.h - the admin socket protocol, shared by the master
 * (master/admin.c) and civetctl (admin/civetctl.c). docs/admin.md
 * describes it for people.
 *
 * One request per connection: the client sends one line, "COMMAND [ARGS]\n"
 * (at most CW_ADMIN_MAX_LINE bytes); the server answers with a first line,
 * "OK" or "ERR <reason>", then the payload, and closes the connection.
 * Commands that take time (reload, upgrade) answer when they are done. */
#ifndef CW_ADMIN_PROTO_H
#define CW_ADMIN_PROTO_H

#define CW_ADMIN_MAX_LINE       1024
#define CW_ADMIN_DEFAULT_SOCKET "/run/civetd/civetd.sock"

/* Commands (the first word of the request line). */
#define CW_CMD_STATUS  "status"  /* "status" table, "status json" JSON */
#define CW_CMD_METRICS "metrics" /* Prometheus text format 0.0.4 */
#define CW_CMD_RELOAD  "reload"
#define CW_CMD_UPGRADE "upgrade" /* "upgrade [PATH]": a new binary */
#define CW_CMD_STOP    "stop"
#define CW_CMD_REOPEN  "reopen"
#define CW_CMD_WORKERS "workers" /* "workers N" */
#define CW_CMD_CONFIG  "config"
#define CW_CMD_VERSION "version"
#define CW_CMD_HELP    "help"

/* Worker <-> master control channel (a SOCK_SEQPACKET socketpair): one
 * byte a message. */
#define CW_CTL_READY   'R' /* worker: context started, serving */
#define CW_CTL_RECYCLE 'C' /* worker: max_requests_per_worker reached */
#define CW_CTL_FAILED  'F' /* worker: cannot start; the reason follows */
#define CW_CTL_DRAIN   'D' /* master: stop accepting, finish, exit */
#define CW_CTL_STOP    'S' /* master: exit now */
#define CW_CTL_REOPEN  'O' /* master: reopen log files */

#endif
