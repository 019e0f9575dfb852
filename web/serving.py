"""Running the app under waitress: one process with a pool of threads, or several such processes on one socket.

A search is Python work that holds the interpreter lock for most of its few milliseconds, so threads alone keep one
core busy. `workers > 1` forks that many processes after the parent has bound the listening socket; each runs
waitress on the inherited socket (the kernel hands each new connection to one of them) and opens the index itself
(read-only, so any number of processes, or machines, can serve one index snapshot). The parent only watches: a
worker that dies is started again; SIGTERM or Ctrl-C stops them all.

Connection limits: waitress reads a request completely before it takes a thread, so a connection that sends half a
request costs a file descriptor, not a worker. The defaults here let 1000 connections wait (waitress's own default,
100, let 100 idle sockets lock everyone out) and close one idle for 30 s.
"""
from __future__ import annotations

import logging
import os
import resource
import signal
import socket
import time
from dataclasses import dataclass

log = logging.getLogger("jiaokan.serve")

DEFAULT_THREADS = 8
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_CHANNEL_TIMEOUT = 30


@dataclass
class Limits:
    threads: int = DEFAULT_THREADS
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    channel_timeout: int = DEFAULT_CHANNEL_TIMEOUT

    def waitress(self) -> dict:
        return {
            "threads": self.threads,
            "connection_limit": self.connection_limit,
            "channel_timeout": self.channel_timeout,
            # Idle connections are looked for this often: at least as often as one may time out.
            "cleanup_interval": max(1, min(30, self.channel_timeout)),
            "ident": "jiaokan",
        }


def listen(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """The listening socket, bound before any worker starts (so a busy port is an error before anything runs)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def allow_descriptors(limits: Limits) -> None:
    """Raise the soft open-file limit so that `connection_limit` connections fit beside the index's files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limits.connection_limit + 128
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < wanted:
            log.warning("open-file limit %d is below --connection-limit %d plus the index's files", new,
                        limits.connection_limit)


def run_server(make_app, sock: socket.socket, limits: Limits) -> None:
    """Serve on `sock` in this process until interrupted."""
    from waitress.server import create_server

    from jiaokan.web.heap import share_one_heap

    share_one_heap()
    server = create_server(make_app(), sockets=[sock], **limits.waitress())
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


class _Stop(Exception):
    """Raised by the parent's signal handler, to leave its wait for workers."""


def run_workers(make_app, sock: socket.socket, limits: Limits, workers: int) -> None:
    """Fork `workers` processes serving `sock`; restart any that dies; stop them all on SIGTERM or SIGINT."""
    children: dict[int, float] = {}

    def stop(_signum, _frame):
        raise _Stop

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's code
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                run_server(make_app, sock, limits)
            except BaseException:  # noqa: BLE001
                log.exception("worker %d failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    old_term = signal.signal(signal.SIGTERM, stop)
    old_int = signal.signal(signal.SIGINT, stop)
    try:
        for _ in range(workers):
            spawn()
        log.info("started %d workers: %s", workers, ", ".join(map(str, children)))
        while True:
            pid, status = os.waitpid(-1, 0)
            started = children.pop(pid, None)
            if started is None:
                continue
            log.error("worker %d ended (%s); starting another", pid, _how(status))
            if time.monotonic() - started < 1.0:
                time.sleep(1.0)  # dying at start: don't spin
            spawn()
    except (_Stop, ChildProcessError):
        pass
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
        _stop_all(children)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _stop_all(children: dict[int, float]) -> None:
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            children.pop(pid)
    deadline = time.monotonic() + 5
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            children.pop(pid, None)
        else:
            time.sleep(0.05)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
