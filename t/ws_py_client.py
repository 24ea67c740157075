#!/usr/bin/python3
"""ws_py_client.py - an independent WebSocket client for check_e2e_ws:
Python's websockets echoes text and binary messages of several sizes
through the server at the URL given, with permessage-deflate (websockets
offers it by default) and without; exit status 0 only if every echo
matches."""
import asyncio
import sys

import websockets


async def run(url, compression):
    async with websockets.connect(url, compression=compression,
                                  max_size=None) as ws:
        for m in ["abc", "\u00fc\u20ac\U0001F600", "x" * 70000,
                  bytes(range(256)) * 4096, b""]:
            await ws.send(m)
            got = await ws.recv()
            if got != m:
                print("echo differs: sent", type(m).__name__, len(m),
                      "got", type(got).__name__, len(got))
                return False
        if compression is not None and not ws.extensions:
            print("permessage-deflate was not agreed")
            return False
        await ws.close()
        return ws.close_code == 1000


async def main(url):
    return await run(url, "deflate") and await run(url, None)


sys.exit(0 if asyncio.run(main(sys.argv[1])) else 1)
