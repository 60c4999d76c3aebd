"""The embedded default: files on disk, SQLite, an in-process worker pool and an ASGI server on loopback."""

from job_service.local.server import InsecureBindError, LocalServer, is_loopback, start_local_server

__all__ = ["InsecureBindError", "LocalServer", "is_loopback", "start_local_server"]
