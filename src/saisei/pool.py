"""Work shared between this process and a pool of worker processes.

:func:`share` does a list of items in input order: this process takes chunks from the end
while a pool, started on the side, takes chunks from the front.  It knows nothing of
workbooks or plugins: :func:`saisei.pipeline.read_files` gives it the work.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import TypeVar

__all__ = ["POOL_MIN_FILES", "WORKERS_ENV", "default_workers", "env_workers", "in_worker", "share"]

T = TypeVar("T")
R = TypeVar("R")

#: Fewer files than this are read in one process: a worker takes about a second to start
#: (a fresh interpreter importing polars and the plugins), which few files do not repay.
POOL_MIN_FILES = 300
#: ``SAISEI_WORKERS=1`` reads in this process only; ``=4`` on four processes.
WORKERS_ENV = "SAISEI_WORKERS"


def env_workers() -> int | None:
    """``SAISEI_WORKERS``, when it is a positive number."""
    env = os.environ.get(WORKERS_ENV, "").strip()
    return int(env) if env.isdigit() and int(env) > 0 else None


def default_workers(files: int) -> int:
    """How many processes the command line reads ``files`` files on: ``SAISEI_WORKERS``,
    else, from :data:`POOL_MIN_FILES` files, this one plus one per idle CPU, else one.

    A CPU busy with other work (the load average says how many are) gives a worker no
    time of its own: it would only add its start-up to the run.
    """
    env = env_workers()
    if env is not None:
        return env
    if files < POOL_MIN_FILES:
        return 1
    affinity = getattr(os, "sched_getaffinity", None)
    cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows)
        busy = 0.0
    return max(1, min(cpus, math.ceil(cpus - busy) + 1))


def in_worker() -> bool:
    """True in a process multiprocessing started: a worker never starts workers."""
    return multiprocessing.parent_process() is not None


def _pool_context() -> BaseContext:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _start_fork_server(preload: Sequence[str]) -> None:
    """Start the fork server (when the pool uses one) with Ctrl-C ignored, from here.

    Ctrl-C is this process's to handle: a process started while SIGINT is ignored keeps
    it ignored, and so do the workers the fork server forks, so none prints a traceback
    when the user stops the run (this process then ends them).  Only the main thread may
    change a signal's handler; elsewhere the pool starts the server as it would.
    """
    context = _pool_context()
    if context.get_start_method() != "forkserver":
        return
    # The fork server imports these once; each worker forked from it starts warm.
    context.set_forkserver_preload(list(preload))
    if threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver

    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()  # a few milliseconds: a Ctrl-C just then is lost
    finally:
        signal.signal(signal.SIGINT, handler)


class _Interrupts:
    """Ctrl-C while :func:`share` runs, in the main thread: raised only where leaving is safe.

    A ``KeyboardInterrupt`` can surface at any bytecode, also in the ``finally`` that waits
    for the pool's thread.  Leaving before that thread has ended leaves a worker starting
    (the fork server forks it only once it has imported the preload modules) while this
    process exits and removes the pool's semaphores: the worker then prints a traceback
    of its own (``SemLock._rebuild``: FileNotFoundError) after the run said it stopped.
    So, while the pool runs, Ctrl-C stops the pool at once (``stops``) but is raised only
    while this thread reads a file (``reading``, where the ``try`` below covers it); at
    any other moment it is raised once the pool's thread has ended.

    Only the main thread may set a signal handler, and only it ever gets
    ``KeyboardInterrupt``; a handler someone else set (or SIG_IGN) is left alone.
    """

    def __init__(self, *stops: threading.Event) -> None:
        self.stops = stops
        self.reading = False
        self.pending = False
        self.installed = False

    def __enter__(self) -> _Interrupts:
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._handle)
            self.installed = True
        return self

    def _handle(self, signum: int, frame: object) -> None:
        for stop in self.stops:
            stop.set()
        if self.pending:
            return
        self.pending = True
        if self.reading:
            raise KeyboardInterrupt

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        if kind is None and self.pending:
            raise KeyboardInterrupt


def _ignore_interrupts(initializer: Callable[..., None], initargs: tuple[object, ...]) -> None:
    """A worker's initializer: Ctrl-C is the main process's to handle (it ends the workers).

    Workers forked from the fork server already ignore it (the server was started so); this
    covers the spawn start method (Windows) from here on.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)


def _ready() -> bool:
    """Answered by a worker once its initializer has run."""
    return True


def share(
    items: Sequence[T],
    *,
    local: Callable[[T], R],
    remote: Callable[[list[T]], list[R]],
    initializer: Callable[..., None],
    initargs: tuple[object, ...],
    preload: Sequence[str],
    workers: int,
    progress: Callable[[T], None] | None = None,
) -> list[R]:
    """Do ``local(item)`` for every item, in this process and on up to ``workers - 1``
    more, and give the results in input order.

    Workers are started from a fork server (never by forking this process: a process that
    has used polars' thread pool deadlocks its forked children), which imports the
    ``preload`` modules once; each worker runs ``initializer(*initargs)`` once, then
    ``remote(chunk)`` for each chunk it gets, which must give what ``local`` gives for
    each item.  ``remote`` and ``initializer`` are module-level functions (they are sent
    to the workers by name).

    Starting the pool takes a while (a fresh interpreter imports polars and the plugins),
    so a thread starts it and, once a worker has answered, feeds it chunks from the front
    of the list, a few at a time, while this thread does chunks from the back.  They meet
    somewhere in the middle.  The pool never holds a chunk before it can do it, so a slow
    start costs nothing but the start itself, on another CPU; a chunk the pool could not
    do (a worker died, the pool could not start) is done here.
    """
    size = max(4, min(32, len(items) // (workers * 16)))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    done: list[list[R] | None] = [None] * len(chunks)
    state = threading.Condition()
    bounds = [0, len(chunks) - 1]  # next chunk for the pool, next chunk for this thread
    held: set[int] = set()  # chunks the pool has and has not given back
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()  # chunks the pool did
    failed: list[int] = []  # chunks the pool could not do: done here at the end
    stop = threading.Event()
    abort = threading.Event()  # set when this thread stops early: the pool stops too

    def claim(front: bool) -> int | None:
        with state:
            if bounds[0] > bounds[1] or (front and stop.is_set()):
                return None
            index = bounds[0] if front else bounds[1]
            bounds[0 if front else 1] += 1 if front else -1
            if front:
                held.add(index)
            return index

    def give_back(index: int, result: list[R] | None) -> None:
        with state:
            if result is None:
                failed.append(index)
            else:
                done[index] = result
                finished.put(index)
            held.discard(index)
            state.notify_all()

    def feed() -> None:
        context = _pool_context()
        running: dict[Future[list[R]], int] = {}
        if stop.is_set():  # Ctrl-C before the pool started
            return
        try:
            executor = ProcessPoolExecutor(
                max_workers=workers - 1,
                mp_context=context,
                initializer=_ignore_interrupts,
                initargs=(initializer, initargs),
            )
        except (OSError, ValueError, NotImplementedError):  # no way to start processes here
            return
        try:
            ready = executor.submit(_ready)
            while not ready.done():  # hold no chunk until a worker can do it
                if stop.is_set() or bounds[0] > bounds[1]:
                    return
                wait([ready], timeout=0.05)
            ready.result()
            while not abort.is_set():
                while len(running) < workers and (index := claim(front=True)) is not None:
                    running[executor.submit(remote, chunks[index])] = index
                if not running:
                    return
                completed, _ = wait(running, timeout=0.1, return_when="FIRST_COMPLETED")
                for future in completed:
                    index = running.pop(future)
                    try:
                        give_back(index, future.result())
                    except Exception:  # a worker died (out of memory, killed)
                        give_back(index, None)
        except Exception:  # the pool broke or could not start (no /dev/shm, a sandbox)
            pass
        finally:
            with state:  # whatever the pool still holds is done here
                failed.extend(held)
                held.clear()
                state.notify_all()
            # The pool has nothing left to do (or the run stopped, Ctrl-C): its workers go now,
            # even one still starting, and the pool's own thread ends before share returns,
            # so no worker outlives the run and none finds this process gone.
            started = list((getattr(executor, "_processes", None) or {}).values())
            for process in started:
                process.terminate()
            for process in started:
                process.join(timeout=10)
            executor.shutdown(wait=True, cancel_futures=True)

    def report_pool_progress() -> None:
        if progress is None:
            return
        while True:
            try:
                index = finished.get_nowait()
            except queue.Empty:
                return
            for item in chunks[index]:
                progress(item)

    def here(index: int) -> None:
        out = []
        for item in chunks[index]:
            out.append(local(item))
            if progress is not None:
                progress(item)
        done[index] = out

    _start_fork_server(preload)
    feeder = threading.Thread(target=feed, name="saisei-pool-feeder", daemon=True)
    with _Interrupts(abort, stop) as interrupts:
        feeder.start()
        try:
            while not abort.is_set() and (index := claim(front=False)) is not None:
                interrupts.reading = True
                here(index)
                interrupts.reading = False
                report_pool_progress()
            with state:  # wait for the chunks the pool holds
                while held and not abort.is_set():
                    state.wait(0.05)
        except BaseException:  # Ctrl-C: the pool stops too
            interrupts.reading = False
            abort.set()
            raise
        finally:
            stop.set()
            # The pool's thread ends its workers, even one still starting, before this
            # returns or raises: a Ctrl-C here is raised after (see _Interrupts).
            feeder.join()
    report_pool_progress()
    for index in sorted(set(failed)):
        here(index)
    for index, chunk in enumerate(done):
        if chunk is None:  # never done (the pool stopped early): done here
            here(index)
    return [result for chunk in done if chunk is not None for result in chunk]
