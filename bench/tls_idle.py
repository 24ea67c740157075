"""tls_idle.py - hold N idle HTTPS keep-alive connections to 127.0.0.1:PORT
(a handshake and one GET /a.txt each) and print the RSS of process WORKER
before and after, per connection. Used by bench/tls_idle.sh.

usage: tls_idle.py N PORT WORKER"""
import socket
import ssl
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


def connect(ctx, port):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
    if not s.recv(4096).startswith(b"HTTP/1.1 200"):
        sys.exit("tls_idle.py: no 200")
    return s


def main():
    n, port, worker = (int(a) for a in sys.argv[1:4])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # warm up: the first connections allocate what every one shares
    warm = [connect(ctx, port) for _ in range(50)]
    time.sleep(0.5)
    before = rss_kib(worker)
    held = [connect(ctx, port) for _ in range(n)]
    time.sleep(1)
    after = rss_kib(worker)
    print(f"{n} idle TLS connections: worker RSS {before} -> {after} KiB, "
          f"{(after - before) / n:.2f} KiB each")
    for s in held + warm:
        s.close()


main()
