#!/usr/bin/env python3
"""A TCP proxy that puts a line's latency between the desktops and the hub.

Usage: latency_proxy.py LISTEN_PORT TARGET_PORT RTT_MS

Every chunk is forwarded RTT/2 after it arrived, in order, each direction on its own (a link
with that one-way delay and no bandwidth limit: chunks overlap in flight, as on a real line;
the delay is not added per chunk one after another). A new connection first waits one RTT,
the TCP handshake a real line costs. tc netem is not available on these machines; this is
what bench/sync/run.sh uses instead (RTT_MS=50: a district office on the provincial WAN).
Prints "listening" once it accepts connections.
"""
import asyncio
import sys


async def pipe(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    sender = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(1 << 16)
            queue.put_nowait((loop.time() + delay, data))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((loop.time(), b""))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def main():
    listen, target, rtt_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    one_way = rtt_ms / 2000.0

    async def handle(c_reader, c_writer):
        try:
            await asyncio.sleep(2 * one_way)
            h_reader, h_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            c_writer.close()
            return
        await asyncio.gather(
            pipe(c_reader, h_writer, one_way),
            pipe(h_reader, c_writer, one_way),
        )
        for w in (c_writer, h_writer):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
