"""The dashboard's HTTP server: stdlib ``ThreadingHTTPServer``, GET only.

Paths:
    ``/``                                   the page (page.py)
    ``/api/snapshot``                       everything the page shows, JSON (snapshot.py)
    ``/chart/PIPELINE/routes.svg``          route counts per edge
    ``/chart/PIPELINE/STAGE/labels.svg``    labels per minute of a classify stage
    ``/chart/PIPELINE/STAGE/confidence.svg`` confidence histogram of a classify stage
    ``/metrics``                            every shown pipeline's ``metrics_text()``

Failures are JSON ``{"error": {"code", "message"}}`` with an HTTP status that fits the code
(404 for an unknown path or name), so a script can tell them apart.
"""

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import unquote, urlsplit

import classiflow as cf

from . import charts
from .page import PAGE
from .snapshot import Collector, error_info

__all__ = ["Server", "serve"]

_STATUS_BY_CODE = {"NotFound": HTTPStatus.NOT_FOUND, "InvalidArgument": HTTPStatus.BAD_REQUEST,
                   "NotSupported": HTTPStatus.NOT_IMPLEMENTED,
                   "Unavailable": HTTPStatus.SERVICE_UNAVAILABLE,
                   "Busy": HTTPStatus.SERVICE_UNAVAILABLE}


class _Handler(BaseHTTPRequestHandler):
    """One request. ``server.collector`` is the shared Collector."""

    server: "_HTTPServer"
    server_version = "classiflow-dashboard"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        path = urlsplit(self.path).path
        try:
            self._route(path)
        except cf.Error as e:
            status = _STATUS_BY_CODE.get(e.code, HTTPStatus.INTERNAL_SERVER_ERROR)
            self._json({"error": error_info(e)}, status)
        except Exception as e:  # a bug here must still answer, not drop the connection
            self._json({"error": error_info(e)}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _route(self, path: str) -> None:
        collector = self.server.collector
        if path in ("/", "/index.html"):
            self._send(PAGE.encode(), "text/html; charset=utf-8")
        elif path == "/api/snapshot":
            self._json(collector.snapshot())
        elif path == "/metrics":
            text = "".join(collector.pipeline(n).metrics_text()
                           for n in collector.pipeline_names())
            self._send(text.encode(), "text/plain; version=0.0.4; charset=utf-8")
        elif path.startswith("/chart/") and path.endswith(".svg"):
            parts = [unquote(p) for p in path[len("/chart/"):-len(".svg")].split("/")]
            self._send(_chart(collector, parts).encode(), "image/svg+xml; charset=utf-8")
        else:
            self._json({"error": {"code": "NotFound", "message": f"no such path: {path}"}},
                       HTTPStatus.NOT_FOUND)

    def _json(self, body: Dict[str, Any], status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(json.dumps(body).encode(), "application/json", status)

    def _send(self, data: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # every poll must see fresh numbers
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a poll every second would flood the terminal."""


def _chart(collector: Collector, parts: List[str]) -> str:
    """The SVG named by the path parts ``[pipeline, "routes"]`` or ``[pipeline, stage, kind]``."""
    if len(parts) == 2 and parts[1] == "routes":
        analytics = _analytics(collector, parts[0])
        if analytics is None:
            return charts.message("routes", "analytics are off")
        return charts.route_counts(analytics["routes"])
    if len(parts) == 3 and parts[2] in ("labels", "confidence"):
        analytics = _analytics(collector, parts[0])
        if analytics is None:
            return charts.message(parts[1], "analytics are off")
        stage = analytics["stages"].get(parts[1])
        made = charts.stage_charts(parts[1], stage) if stage is not None else {}
        if parts[2] in made:
            return made[parts[2]]
        raise cf.NotFoundError(f"no classify stage {parts[1]!r} in pipeline {parts[0]!r}")
    raise cf.NotFoundError(f"no such chart: {'/'.join(parts)}")


def _analytics(collector: Collector, name: str) -> Optional[Dict[str, Any]]:
    try:
        return collector.pipeline(name).analytics()
    except cf.NotSupportedError:
        return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung browser connection must not keep the process alive
    collector: Collector


class Server:
    """A running dashboard. ``url`` is where it listens; ``close()`` stops it (idempotent).
    The engine stays open: it is the caller's."""

    def __init__(self, httpd: _HTTPServer) -> None:
        self._httpd = httpd
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        host, port = httpd.server_address[:2]
        self.host, self.port = str(host), int(port)
        shown = f"[{host}]" if ":" in str(host) else host
        self.url = f"http://{shown}:{port}/"

    def __repr__(self) -> str:
        return f"<classiflow.dashboard.Server {self.url}{' (closed)' if self._closed else ''}>"

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def wait(self) -> None:
        """Block until ``close()`` (from another thread) stops a ``block=False`` server."""
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        """Stop serving and release the port; waits for the serving thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()


def _check_port(port: Any) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an int in 0..65535 (0 = any free port), got {port!r}")
    return port


def serve(engine: "cf.Engine", port: int = 8050, host: str = "127.0.0.1", block: bool = True,
          pipeline: Optional[str] = None) -> Server:
    """Serve the live dashboard of ``engine``'s pipelines over HTTP.

    Args:
        engine: an open engine (a writer, or ``mode="read"`` on a data directory).
        port: the TCP port; 0 picks a free one (see ``Server.port``).
        host: the address to listen on. Default 127.0.0.1: only this machine; the page has no
            authentication, so listen wider only on a trusted network.
        block: True serves in this thread until KeyboardInterrupt (then closes); False serves
            on a daemon thread and returns at once.
        pipeline: show only this pipeline (None = all of them).

    Returns:
        The Server (already closed when ``block`` was True).

    Raises:
        ValueError: a port outside 0..65535.
        OSError: the address cannot be bound (port in use, unknown host).
    """
    httpd = _HTTPServer((host, _check_port(port)), _Handler)
    httpd.collector = Collector(engine, pipeline)
    server = Server(httpd)
    if block:
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        return server
    server._thread = threading.Thread(target=httpd.serve_forever, name="classiflow-dashboard",
                                      daemon=True)
    server._thread.start()
    return server
