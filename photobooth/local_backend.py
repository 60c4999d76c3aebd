"""The embedded local job service, run in a child process that the booth starts and stops.

The job service and its engine (dlib, numpy, maybe torch) hold Python's GIL for long stretches while they
age a face; in the app's own process that froze the screen for 250-400 ms per job. In a child process
the UI stays smooth, the app process never imports the engine, and a crash in the engine cannot take
the kiosk down. It still listens on loopback only and dies with the booth (its pipe to us closes).
"""

from __future__ import annotations

import multiprocessing
import time


def _serve(connection, options: dict) -> None:
    """Child process: start the service, report its URL, run until told to stop or the booth goes away."""
    try:
        from job_service.local import start_local_server

        server = start_local_server(**options)
    except Exception as error:  # report, don't hang the parent
        connection.send(("error", f"{type(error).__name__}: {error}"))
        return
    connection.send(("ready", server.base_url))
    try:
        connection.recv()
    except (EOFError, OSError):
        pass
    finally:
        server.stop()


class LocalBackendProcess:
    """Like job_service.local's handle (`.base_url`, `.stop()`), for a service in a child process."""

    def __init__(self, start_timeout: float = 120.0, **options) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, options), name="time-traveler-jobs", daemon=True
        )
        self._process.start()
        child.close()
        deadline = time.monotonic() + start_timeout
        while not self._connection.poll(0.1):
            if not self._process.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the local job service did not start")
        status, value = self._connection.recv()
        if status != "ready":
            self.stop()
            raise RuntimeError(value)
        self.base_url = value

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def stop(self, timeout: float = 10.0) -> None:
        try:
            self._connection.send("stop")
        except (OSError, ValueError):
            pass
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(2)
        if self._process.is_alive():  # hung hard (or stopped): SIGTERM waits, SIGKILL does not
            self._process.kill()
            self._process.join(2)
        self._connection.close()
