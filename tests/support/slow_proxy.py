"""A TCP proxy on 127.0.0.1 that passes requests on at once and holds each answer back: a slow provider.

The upstream server (moto) really receives and handles every request; only its answer is late, which is
exactly when a client that times out cannot know whether the request took effect.
"""
from __future__ import annotations

import socket
import threading
import time


class SlowAnswerProxy:
    def __init__(self, upstream_host: str, upstream_port: int, delay_seconds: float) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay_seconds = delay_seconds
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def __enter__(self) -> "SlowAnswerProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, 0.0), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, self.delay_seconds), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
        try:
            while chunk := source.recv(65536):
                if delay:
                    time.sleep(delay)
                    delay = 0.0
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
