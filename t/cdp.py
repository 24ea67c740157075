#!/usr/bin/python3
"""cdp.py - drive a headless Chromium over the Chrome DevTools Protocol,
for check_e2e_statuspage and docs/status-page.sh (no npm, no playwright:
only Debian's python3-websockets).

    cdp.py PORT navigate URL            load URL in the first page tab
    cdp.py PORT wait MS EXPR            evaluate EXPR until it is truthy
                                        (at most MS ms), print its value
    cdp.py PORT phone W H EXPR          emulate a W x H phone, then
                                        print EXPR's value
    cdp.py PORT screenshot FILE W H M   a W x H PNG of the page (M: 1
                                        for a phone, 0 for a desktop)

PORT is the browser's remote-debugging port (DevToolsActivePort). A string
value is printed as it is, anything else as JSON. Exit status 0, or 1 with
the reason (a wait that timed out prints the last value it saw)."""
import asyncio
import base64
import json
import sys
import time
import urllib.request

import websockets


class Page:
    """One DevTools session with a page target."""

    def __init__(self, ws):
        self.ws = ws
        self.last_id = 0

    async def call(self, method, **params):
        self.last_id += 1
        mine = self.last_id
        await self.ws.send(json.dumps({"id": mine, "method": method,
                                       "params": params}))
        while True:  # events and other answers are skipped
            msg = json.loads(await self.ws.recv())
            if msg.get("id") != mine:
                continue
            if "error" in msg:
                raise RuntimeError("%s: %s" % (method, msg["error"]))
            return msg["result"]

    async def evaluate(self, expr):
        r = await self.call("Runtime.evaluate", expression=expr,
                            returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    async def wait(self, expr, ms):
        deadline = time.monotonic() + ms / 1000
        while True:
            value = await self.evaluate(expr)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("timed out after %d ms: %s, last %r" %
                                   (ms, expr, value))
            await asyncio.sleep(0.05)

    async def emulate(self, width, height, mobile):
        await self.call("Emulation.setDeviceMetricsOverride", width=width,
                        height=height, deviceScaleFactor=2 if mobile else 1,
                        mobile=mobile)
        # let a frame of the new viewport be laid out and painted (reading
        # sizes lays out anyway: a page that gets no frames does not wait
        # for ever)
        await self.evaluate("new Promise(function (r) {"
                            " setTimeout(r, 1000);"
                            " requestAnimationFrame(function () {"
                            " requestAnimationFrame(r); }); })")


def page_socket(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port,
                                timeout=10) as r:
        targets = json.load(r)
    for t in targets:
        if t.get("type") == "page":
            return t["webSocketDebuggerUrl"]
    raise RuntimeError("the browser has no page open")


def show(value):
    print(value if isinstance(value, str) else json.dumps(value))


async def run(port, cmd, args):
    async with websockets.connect(page_socket(port), max_size=None,
                                  open_timeout=10) as ws:
        page = Page(ws)
        if cmd == "navigate":
            await page.call("Page.navigate", url=args[0])
            await page.wait("location.href === %s && "
                            "document.readyState === 'complete'" %
                            json.dumps(args[0]), 20000)
        elif cmd == "wait":
            show(await page.wait(args[1], int(args[0])))
        elif cmd == "phone":
            await page.emulate(int(args[0]), int(args[1]), True)
            show(await page.evaluate(args[2]))
        elif cmd == "screenshot":
            await page.emulate(int(args[1]), int(args[2]), args[3] == "1")
            shot = await page.call("Page.captureScreenshot", format="png")
            with open(args[0], "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        else:
            raise RuntimeError("unknown command " + cmd)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    try:
        asyncio.run(asyncio.wait_for(
            run(int(sys.argv[1]), sys.argv[2], sys.argv[3:]), 60))
    except Exception as e:  # the reason, for the test's failure message
        print("cdp.py %s: %s: %s" % (sys.argv[2], type(e).__name__, e))
        return 1
    return 0


sys.exit(main())
