#!/usr/bin/env python3
"""ws_echo_server.py MODE [--tls PEM]: an independent WebSocket server for
t/check_ws_client (Python's websockets package).

It listens on 127.0.0.1 port 0, prints "PORT <n>" on stdout, and after each
connection "closed <code>" with the close code the client sent (1006: none).
It offers permessage-deflate as websockets does by default. It exits when
its stdin closes (the test's end), so it never outlives the test.

MODE:
  echo      send every message back as it came (text as text, binary as binary)
  close     on the first message, close with 4000 "bye"
  ping      send a PING "hi", wait for the PONG, send the text "pong ok", echo
  frag      send the text "abc" + "def" as two frames (FIN only on the second)
  masked    send a masked text frame (a server must not mask)
  badutf8   send a text frame that is not UTF-8
--tls PEM: speak TLS with the certificate and key in PEM."""
import asyncio
import ssl
import sys
import threading

try:
    import websockets
except ImportError:
    print("NO-WEBSOCKETS python3 lacks the websockets package "
          "(Debian: python3-websockets)", flush=True)
    sys.exit(3)

MODE = sys.argv[1] if len(sys.argv) > 1 else "echo"
RAW = {
    "masked": b"\x81\x82\x01\x02\x03\x04" + bytes([ord("h") ^ 1, ord("i") ^ 2]),
    "badutf8": b"\x81\x02\xc3\x28",
    "frag": b"\x01\x03abc\x80\x03def",
}


async def handler(ws, path=None):
    try:
        if MODE in RAW:
            ws.transport.write(RAW[MODE])
        elif MODE == "ping":
            pong = await ws.ping(b"hi")
            await asyncio.wait_for(pong, 10)
            await ws.send("pong ok")
        async for msg in ws:
            if MODE == "close":
                await ws.close(4000, "bye")
                break
            await ws.send(msg)
        await ws.wait_closed()
    except websockets.ConnectionClosed:
        pass
    print(f"closed {ws.close_code}", flush=True)


def watch_stdin(loop, stop):
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set_result, None)


async def main():
    tls = None
    if "--tls" in sys.argv:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[sys.argv.index("--tls") + 1])
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=tls,
                                max_size=16 << 20) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        threading.Thread(target=watch_stdin, args=(loop, stop),
                         daemon=True).start()
        await stop


asyncio.run(main())
