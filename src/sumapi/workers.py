"""One server process per CPU on one port: a supervisor and its forked workers.

The event loop runs on one CPU, so a task with several serves with SUMAPI_WORKERS processes
(default: the CPUs it may use, sumapi.cpus). With one, the process serves itself, as always.
With more, this process binds one SO_REUSEPORT listener per worker (sumapi.server.listen: the
kernel spreads connections over them; a port in use stops it with one line), forks the workers
and only supervises:

- each worker is the whole service (its own app, metrics, access log buffer and event loop) and
  runs sumapi.server.serve on its listener: the same drain as a single process;
- SIGTERM or SIGINT to the supervisor is passed on to every worker as SIGTERM (a second one
  again, which skips the rest of the drain). Workers ignore SIGINT itself: Ctrl-C in a terminal
  reaches the whole process group, and a worker must count it once, through the supervisor;
- the supervisor exits once every worker has: 0 when all stopped cleanly after a stop signal;
- a worker that exits without one (a crash, the OOM killer) is not restarted: the supervisor
  stops the others (they drain) and exits 1. On ECS that stops the task and the service
  replaces it, with a stopped reason and an event to see; restarting in place would hide a
  crash loop behind a task that looks healthy, with part of its capacity missing;
- a worker whose supervisor dies (SIGKILL) gets SIGTERM from the kernel and drains.

Workers share nothing at run time. /readyz answers for the worker it reaches; all move through
the phases together, on the same signal. /metrics answers for all (sumapi.siblings). Every log
record of a worker carries `worker`, its index; access lines carry request ids whose random
half differs per worker (sumapi.observed). Each worker writes its buffered lines in writes that
never interleave with another's (sumapi.logstream).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import secrets
import signal
from collections.abc import Callable

from aiohttp import web

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.server import STOP_SIGNALS, Listener, listen, serve
from sumapi.state import Worker

logger = logging.getLogger("sumapi.workers")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


LoopFactory = Callable[[], asyncio.AbstractEventLoop]
AppFactory = Callable[[Config, Worker], web.Application]


def run(config: Config, loop_factory: LoopFactory, make_app: AppFactory = create_app) -> int:
    """Serves with config.workers processes until stopped; the exit status for the process.

    Raises sumapi.server.ListenError before anything serves when the port cannot be bound."""
    listeners = listen(config.host, config.port, config.workers)
    if config.workers == 1:
        return serve_worker(make_app(config, Worker()), listeners[0], loop_factory)
    return Supervisor(config, listeners, loop_factory, make_app).run()


def serve_worker(
    app: web.Application,
    listener: Listener,
    loop_factory: LoopFactory,
    stop_signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
) -> int:
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(app, listener, stop_signals))
    return 0


class Supervisor:
    def __init__(
        self,
        config: Config,
        listeners: list[Listener],
        loop_factory: LoopFactory,
        make_app: AppFactory,
    ) -> None:
        self.config = config
        self.listeners = listeners
        self.loop_factory = loop_factory
        self.make_app = make_app
        self.group = secrets.token_hex(8)
        self.running: dict[int, int] = {}  # pid -> worker index
        self.stopping = False

    def run(self) -> int:
        count = len(self.listeners)
        # Blocked across the forks: a stop signal that comes now waits for the handlers below,
        # and in a worker for serve()'s (the mask is inherited).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        for index, listener in enumerate(self.listeners):
            pid = os.fork()
            if pid == 0:
                os._exit(self._worker(Worker(index, count, self.group), listener))
            self.running[pid] = index
            for sock in listener:  # the worker's own now: a copy here would keep it listening
                sock.close()
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_stop_signal)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        logger.info("workers started", extra={"workers": count, "pids": sorted(self.running)})

        failed = False
        while self.running:
            pid, status = os.wait()  # a stop signal runs its handler, then the wait goes on
            if pid not in self.running:
                continue
            index = self.running.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            fields = {"worker": index, "pid": pid, "exit_status": code}
            if self.stopping and code == 0:
                logger.info("worker stopped", extra=fields)
                continue
            failed = True
            logger.error("worker exited unexpectedly; stopping the others", extra=fields)
            self._stop_workers(signal.SIGTERM)
        status = 1 if failed else 0
        logger.info("stopped", extra={"exit_status": status})
        return status

    def _on_stop_signal(self, signum: int, _: object) -> None:
        logger.info("stop signal received", extra={"signal": signal.Signals(signum).name})
        self._stop_workers(signal.SIGTERM)

    def _stop_workers(self, signum: signal.Signals) -> None:
        self.stopping = True
        for pid in self.running:
            with contextlib.suppress(ProcessLookupError):  # exited: the wait loop collects it
                os.kill(pid, signum)

    def _worker(self, worker: Worker, listener: Listener) -> int:
        """The forked worker's life; its exit status."""
        status = 1
        try:
            _stop_when_parent_dies(os.getppid())
            # SIGINT comes through the supervisor as SIGTERM (see the module's docstring).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            for other in self.listeners:
                if other is not listener:
                    for sock in other:
                        sock.close()
            _stamp_records(worker.index)
            app = self.make_app(self.config, worker)
            status = serve_worker(app, listener, self.loop_factory, (signal.SIGTERM,))
        except BaseException:  # any way out of a forked child must reach os._exit
            logger.exception("worker failed", extra={"worker": worker.index})
        finally:
            logging.shutdown()  # os._exit skips the flush at exit
        return status


def _stop_when_parent_dies(parent: int) -> None:
    """SIGTERM from the kernel when the supervisor dies, so that no worker outlives it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor still stops its workers
        return
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _stamp_records(index: int) -> None:
    """Every record of this worker says which worker wrote it."""

    def stamp(record: logging.LogRecord) -> bool:
        record.worker = index
        return True

    for handler in logging.getLogger().handlers:
        handler.addFilter(stamp)
