"""A real HTTP receiver for delivery tests (stdlib ``http.server`` in a thread).

It behaves like a well-made counterpart: it deduplicates by ``X-Nachricht-UUID`` (a second
delivery of the same message is acknowledged with 200 and not processed again) and counts
what it processed. It can be told to fail the next N requests with 503, or to hold requests
(sleep before answering) so a client times out or a worker can be killed while it waits.
The message is processed *before* the hold: that is the hard case, where the receiver has the
message but the sender never hears so.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self) -> None:
        self.processed: Counter[str] = Counter()
        """Message id → times processed (must never exceed 1)."""
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        """Every request: (message id, headers, body), duplicates included."""
        self.fail_next = 0
        self.hold_s = 0.0
        self.hold_next = 0
        """How many of the next requests are held for ``hold_s`` seconds."""
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message_id = self.headers.get("X-Nachricht-UUID", "")
                with receiver._lock:
                    receiver.requests.append((message_id, dict(self.headers.items()), body))
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status, hold = 503, 0.0
                    else:
                        if message_id and message_id not in receiver.processed:
                            receiver.processed[message_id] += 1
                        status = 200
                        hold = receiver.hold_s if receiver.hold_next > 0 else 0.0
                        if receiver.hold_next > 0:
                            receiver.hold_next -= 1
                receiver.arrived.set()
                if hold:
                    time.sleep(hold)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client is gone (killed or timed out)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/nachrichten"
        self._thread = threading.Thread(target=self.server.serve_forever, name="test-receiver", daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def duplicates(self) -> int:
        return len(self.requests) - len(self.processed)
