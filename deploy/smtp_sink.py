"""A loopback SMTP server for the stack and load tests: accepts every message and keeps it as a file.

  python deploy/smtp_sink.py --port 2525 --dir /tmp/mail [--delay 0.01]

Each accepted message is written to <dir>/<n>.eml before the 250 reply, as a real relay would
have taken responsibility for it by then; `--delay` holds each reply to make a send last long
enough to kill a worker in the middle of it. SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path, delay: float):
        self.folder, self.delay = folder, delay
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            n = next(self.counter)
        rcpts = ",".join(envelope.rcpt_tos)
        data = f"X-Sink-Rcpt: {rcpts}\r\n".encode() + envelope.original_content
        tmp = self.folder / f".{n}.tmp"
        tmp.write_bytes(data)
        tmp.rename(self.folder / f"{n:07d}.eml")  # readers never see half a message
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(args.dir, args.delay), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"smtp sink on 127.0.0.1:{args.port}, writing to {args.dir}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
