"""A tiny local HTTP file server for the downloader tests: byte ranges, dropped connections, Drive's warning page."""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

WARNING_PAGE = """<!DOCTYPE html><html><body>
<p>Google Drive can't scan this file for viruses.</p>
<form id="download-form" action="/download" method="get">
<input type="submit" value="Download anyway">
<input type="hidden" name="id" value="FILEID"><input type="hidden" name="export" value="download">
<input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="u-1">
</form></body></html>"""


@dataclass
class FileServer:
    """What to serve and how to misbehave; records every request's path and Range header."""

    payload: bytes
    cut_after: int | None = None  # first response stops after this many body bytes and hangs up
    interstitial: bool = False  # /download without confirm=t answers the warning page
    status: int | None = None  # answer every request with this error status
    page: str | None = None  # answer every request with this HTML page (a quota or permission page)
    etag: str = '"v1"'  # the file's strong validator; a Range with another If-Range gets the whole file
    delay: float = 0.0  # seconds to wait before each chunk of 256 KiB (to watch progress)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    if_ranges: list[str | None] = field(default_factory=list)
    base_url: str = ""


def _handler(state: FileServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def _send_page(self, page: str) -> None:
            """200 with an HTML page, as Google Drive answers instead of the file."""
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            state.requests.append((self.path, self.headers.get("Range")))
            state.if_ranges.append(self.headers.get("If-Range"))
            if state.status is not None:
                self.send_error(state.status)
                return
            if state.page is not None:
                self._send_page(state.page)
                return
            query = parse_qs(urlparse(self.path).query)
            if state.interstitial and query.get("confirm") != ["t"]:
                self._send_page(WARNING_PAGE)
                return
            data, start = state.payload, 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if_range = self.headers.get("If-Range")
            if match and if_range is not None and if_range != state.etag:
                match = None  # the file changed since the part was fetched: send it whole
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", state.etag)
            self.end_headers()
            body = data[start:]
            if state.cut_after is not None:
                body, state.cut_after = body[: state.cut_after], None
                self.close_connection = True
            for offset in range(0, len(body), 1 << 18):
                if state.delay:
                    time.sleep(state.delay)
                try:
                    self.wfile.write(body[offset : offset + (1 << 18)])
                except OSError:
                    return  # the client stopped reading

    return Handler


@contextmanager
def serve(state: FileServer):
    """Run the server on 127.0.0.1 in a thread for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
