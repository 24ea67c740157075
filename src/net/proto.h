/* proto.h - a connection's protocol: what a ready connection runs, and
 * what happens when it has waited too long. Each connection points at one
 * (c->proto); the pool threads and the timer only ever dispatch through
 * it, so a new kind of connection (a TLS handshake, WebSocket frames) is a
 * new table, not a flag tested somewhere. A protocol is switched in one
 * place, cw_conn_switch() (net/conn.h), as nginx swaps a connection's read
 * handler between keep-alive and lingering close.
 *
 * Whoever runs an operation owns the connection, and every operation ends
 * by giving it up in one of three ways: parking it (cw_conn_park, which
 * also sets the deadline the protocol means), closing it, or handing it to
 * another protocol and doing one of those. */
#ifndef CW_NET_PROTO_H
#define CW_NET_PROTO_H

struct mg_connection;
struct cw_thread;

struct cw_protocol {
	const char *name;
	/* The connection is ready (input came, or the writability it waited
	 * for): run it on pool thread t. */
	void (*run)(struct mg_connection *c, struct cw_thread *t);
	/* Its deadline passed while it was parked. Runs on the timer
	 * thread, which must not block: anything that may block (an answer
	 * to a slow client, a callback) is handed to a pool thread by
	 * switching protocol and parking for writability. */
	void (*expire)(struct mg_connection *c);
	/* The context is draining and the connection has been parked for
	 * the drain's grace period (timer thread, as expire). NULL: it is
	 * left to its deadline. */
	void (*drain)(struct mg_connection *c);
	/* The protocol is over for this connection (it closes, or lingers):
	 * free what it holds (a request's state, a file). NULL: nothing. */
	void (*release)(struct mg_connection *c);
};

/* The lingering close (net/linger.c): the write side is shut and the
 * client's input is read and dropped until it closes or two seconds
 * pass, so that the last response is not lost to a reset. */
extern const struct cw_protocol cw_linger_protocol;

#endif
