"""The workshop server: several Streamlit processes sharing one loaded base, behind the sticky proxy.

One ``streamlit run`` runs every session's script in one Python process, so one core at most (the GIL): a
seminar of a dozen people sending steps at once waits behind each other while the machine's other cores are
idle. ``sentiers serve`` loads the base once, then forks ``workers`` Streamlit processes (one per core by
default) and the proxy (:mod:`sentiers.server.proxy`), which gives each visitor one worker and keeps it. The
workers are forked after the base is loaded and frozen out of the garbage collector (``gc.freeze``), so they
share its memory pages (copy on write) instead of holding one copy each: the process tree's proportional set
size (PSS) is what it costs.

The supervisor (this process) starts nothing else (no thread, no event loop), restarts a worker or the proxy
that dies, gives up when one dies again within seconds of its start, and on SIGTERM or Ctrl-C stops them all.
A base updated while it runs is loaded by each worker on its own (its own copy) until the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sentiers.errors import SentiersError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
QUICK_DEATH_SECONDS = 10.0  # a child dying this soon after its start twice in a row is not restarted again


@dataclass
class Child:
    role: str  # "worker" or "proxy"
    index: int
    port: int
    started: float = 0.0  # set by each (re)start
    quick_deaths: int = 0


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports nobody listens on now (asked of the system)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _call_libc(name: str, *args: int) -> None:
    """A glibc function by name (Linux); nothing where there is none: both uses are tunings, not needs."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        getattr(ctypes.CDLL("libc.so.6"), name)(*args)


def fewer_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads that allocate at once their own arenas (up to 8 per core), and memory freed in one
    stays there: under a workshop's sessions (one script thread per run) a worker's memory grows with them.
    Two arenas, set before the workers are forked (they inherit it), keep it near what is in use: under the
    load test, PSS max 1,174 → 1,071 MiB (BENCHMARKS.md). Linux with glibc only; elsewhere nothing."""
    m_arena_max = -8
    _call_libc("mallopt", m_arena_max, arenas)


def preload() -> None:
    """Load the base in use (built first on a fresh machine) into this process's Streamlit cache."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app_pages.state import preload_base

    preload_base()


def _run_worker(port: int, secret: str, streamlit_args: Sequence[str]) -> None:
    import pyarrow

    # Arrow's own allocator (mimalloc) keeps what each thread freed for that thread; on glibc's (two
    # arenas, see fewer_malloc_arenas) a worker's memory follows what is in use: under the load test's soak,
    # PSS max 1,274 → 1,126 MiB. Buffers made before the fork keep the pool that made them.
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    os.chdir(ROOT)
    os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = secret  # refused as a command-line flag
    sys.argv = [
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *streamlit_args,
    ]
    from streamlit.web import cli

    cli.main(prog_name="streamlit")


def _run_proxy(address: str, port: int, worker_ports: Sequence[int]) -> None:
    import uvicorn

    from sentiers.server.proxy import create_app

    app = create_app([f"http://127.0.0.1:{p}" for p in worker_ports])
    uvicorn.run(
        app,
        host=address,
        port=port,
        log_level="warning",
        ws_max_size=64 * 2**20,
        ws_per_message_deflate=False,
        timeout_keep_alive=30,
    )


def _die_with_parent() -> None:
    """Linux: this child gets SIGTERM when the supervisor dies, even by SIGKILL (no orphaned worker)."""
    pr_set_pdeathsig = 1
    _call_libc("prctl", pr_set_pdeathsig, signal.SIGTERM)


def _fork(target, *args) -> int:
    pid = os.fork()
    if pid == 0:  # the child: run, and never return into the supervisor's code
        code = 1
        try:
            _die_with_parent()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            target(*args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            log.exception("child process failed")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def check_arguments(port: int, workers: int | None) -> int:
    """The number of workers to start; SentiersError (in French) for what cannot run."""
    if not APP.is_file():
        raise SentiersError(
            "« sentiers serve » lance l'application depuis le dépôt du projet (app.py introuvable à côté du "
            "paquet) : lancez-le depuis une copie du dépôt."
        )
    count = default_workers() if workers is None else workers
    if not 1 <= count <= 32:
        raise SentiersError(f"Nombre de processus {count} hors des limites (1 à 32).")
    if not 1 <= port <= 65535:
        raise SentiersError(f"Port {port} hors des limites (1 à 65535).")
    return count


def serve(
    *,
    port: int = 8501,
    address: str = "127.0.0.1",
    workers: int | None = None,
    streamlit_args: Sequence[str] = (),
) -> int:
    """Run the workshop server until SIGTERM or Ctrl-C; the exit code."""
    count = check_arguments(port, workers)
    started = time.monotonic()
    fewer_malloc_arenas()
    preload()
    log.info("base loaded in %.1f s; starting %d workers", time.monotonic() - started, count)
    secret = secrets.token_hex(32)  # one cookie secret: XSRF cookies read the same on every worker
    ports = free_ports(count)

    def stop(_signum, _frame) -> None:
        raise _Stop  # interrupts the wait below (PEP 475 retries a wait a handler does not interrupt)

    def start(child: Child) -> int:
        child.started = time.monotonic()
        if child.role == "worker":
            return _fork(_run_worker, child.port, secret, list(streamlit_args))
        return _fork(_run_proxy, address, port, ports)

    children: dict[int, Child] = {}
    code = 0
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for i, worker_port in enumerate(ports):
            child = Child("worker", i, worker_port)
            children[start(child)] = child
        proxy = Child("proxy", 0, port)
        children[start(proxy)] = proxy
        sys.stderr.write(
            f"Sentiers (atelier) : http://{address}:{port} — {count} processus Streamlit derrière un relais ; "
            "Ctrl-C pour arrêter.\n"
        )
        while children:
            pid, status = os.waitpid(-1, 0)
            child = children.pop(pid)
            quick = time.monotonic() - child.started < QUICK_DEATH_SECONDS
            child.quick_deaths = child.quick_deaths + 1 if quick else 0
            log.warning("%s %d (pid %d) ended with status %d", child.role, child.index, pid, status)
            if child.quick_deaths >= 2:
                sys.stderr.write(
                    f"erreur : le {child.role} {child.index} s'arrête dès son démarrage ; arrêt.\n"
                )
                code = 1
                break
            children[start(child)] = child
    except _Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _stop_all(children)
    return code


class _Stop(Exception):
    """SIGTERM or Ctrl-C reached the supervisor."""


def _stop_all(children: dict[int, Child], grace: float = 15.0) -> None:
    """SIGTERM to every child, SIGKILL to those still there after ``grace`` seconds."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while children and time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.1)
        else:
            children.pop(pid, None)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
