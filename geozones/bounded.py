"""Heavy work in a worker process with a deadline and a memory cap.

Some steps grow much faster than their input: ``make_valid`` of a 151-vertex self-intersecting
star takes about 30 s and builds thousands of parts; a scenario over many years or draws, or a
PDF of very long text, can take minutes. Run in the server process they hold a worker thread
(and much memory) for that long, go on after the client has left, and keep the server from
shutting down. :func:`call` (threads) and :func:`acall` (``async`` routes: no thread is held
while waiting) run such a step in a child process instead: the caller waits at most ``timeout``
seconds, after which the child is killed and :class:`~geozones.errors.WorkLimitError` (geometry) or
:class:`~geozones.errors.BudgetError` (scenarios, PDFs) is raised, naming the setting; the child's
address space is capped so it cannot exhaust the machine; at most a few such steps of each
:data:`KINDS` entry run at once per server process (429 when none frees up).

Each kind has its own settings (``GEOZONES_<KIND>_TIMEOUT_S``, ``..._WORKERS``, memory) read from
the environment or set with :func:`configure` (the API passes its settings). Only picklable
module-level functions are run there (see :func:`make_valid_wkb`); arguments and results are
pickled. A new worker first imports the modules the caller names (``warm``), outside the deadline.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import multiprocessing.pool
import os
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from geozones.errors import BudgetError, WorkersBusyError, WorkLimitError

#: Seconds a heavy geometry step may take unless ``GEOZONES_GEOMETRY_TIMEOUT_S`` says otherwise.
DEFAULT_TIMEOUT_S = 5.0
#: Seconds a new worker may take to start and import its modules (not counted in the deadline).
STARTUP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Kind:
    """One kind of bounded work: its settings (environment names), defaults, error and advice."""

    name: str
    timeout_env: str
    default_timeout: float
    workers_env: str
    default_workers: int
    memory_env: str
    default_memory_mb: int
    error: type[WorkLimitError]
    advice: str


KINDS: dict[str, Kind] = {
    "geometry": Kind(
        "geometry",
        "GEOZONES_GEOMETRY_TIMEOUT_S",
        DEFAULT_TIMEOUT_S,
        "GEOZONES_GEOMETRY_WORKERS",
        2,
        "GEOZONES_WORKER_MEMORY_MB",
        2048,
        WorkLimitError,
        "simplify or fix the geometry",
    ),
    "scenario": Kind(
        "scenario",
        "GEOZONES_SCENARIO_TIMEOUT_S",
        30.0,
        "GEOZONES_SCENARIO_WORKERS",
        2,
        "GEOZONES_SCENARIO_MEMORY_MB",
        4096,
        BudgetError,
        "ask for fewer years, actions, scenarios or draws",
    ),
    "pdf": Kind(
        "pdf",
        "GEOZONES_PDF_TIMEOUT_S",
        20.0,
        "GEOZONES_PDF_WORKERS",
        2,
        "GEOZONES_WORKER_MEMORY_MB",
        2048,
        BudgetError,
        "the page is too long to render",
    ),
}

_configured: dict[tuple[str, str], float] = {}


def configure(
    *, timeout: float | None = None, kind: str = "geometry", workers: int | None = None, memory_mb: int | None = None
) -> None:
    """Set this process's deadline (and workers, memory) for one kind of work (the API passes its settings)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    for name, value in (("timeout", timeout), ("workers", workers), ("memory", memory_mb)):
        if value is not None:
            if not value > 0:
                raise ValueError(f"{name} must be > 0")
            _configured[(kind, name)] = float(value)


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def default_timeout(kind: str = "geometry") -> float:
    """The deadline of one step of ``kind``, in seconds: :func:`configure`, else the environment."""
    spec = KINDS[kind]
    return _configured.get((kind, "timeout")) or _env_number(spec.timeout_env, spec.default_timeout)


def _workers(kind: str = "geometry") -> int:
    spec = KINDS[kind]
    return max(1, int(_configured.get((kind, "workers")) or _env_number(spec.workers_env, spec.default_workers)))


def _memory_mb(kind: str) -> int:
    spec = KINDS[kind]
    return int(_configured.get((kind, "memory")) or _env_number(spec.memory_env, spec.default_memory_mb))


def _limit_memory(megabytes: int) -> None:  # runs in the child
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _modules(func: Callable[..., Any], warm: Sequence[str]) -> tuple[str, ...]:
    """The function's own module, then the caller's ``warm`` modules."""
    return tuple(dict.fromkeys([getattr(func, "__module__", "") or "builtins", *warm]))


def _warm(modules: Sequence[str]) -> None:  # runs in the child
    import importlib

    for module in modules:
        importlib.import_module(module)


_lock = threading.Lock()
_idle: dict[str, list[multiprocessing.pool.Pool]] = {}
_slots: dict[str, threading.BoundedSemaphore] = {}


def _slots_semaphore(kind: str = "geometry") -> threading.BoundedSemaphore:
    with _lock:
        if kind not in _slots:
            _slots[kind] = threading.BoundedSemaphore(_workers(kind))
        return _slots[kind]


def _checkout(kind: str = "geometry") -> tuple[multiprocessing.pool.Pool, bool]:
    """An idle worker of ``kind`` (``False``) or a new one (``True``: not warmed yet)."""
    with _lock:
        if _idle.get(kind):
            return _idle[kind].pop(), False
    context = multiprocessing.get_context("forkserver")
    return context.Pool(1, initializer=_limit_memory, initargs=(_memory_mb(kind),)), True


def _checkin(pool: multiprocessing.pool.Pool, kind: str = "geometry") -> None:
    with _lock:
        idle = _idle.setdefault(kind, [])
        if len(idle) < _workers(kind):
            idle.append(pool)
            return
    pool.close()


@atexit.register
def _shutdown() -> None:
    with _lock:
        pools = [pool for idle in _idle.values() for pool in idle]
        _idle.clear()
    for pool in pools:
        pool.terminate()


def _too_long(kind: str, what: str, timeout: float) -> WorkLimitError:
    spec = KINDS[kind]
    message = f"{what} took longer than {timeout:g} s and was stopped (setting {spec.timeout_env}); {spec.advice}"
    return BudgetError(message, spec.timeout_env) if spec.error is BudgetError else spec.error(message)


def _out_of_memory(kind: str, what: str) -> WorkLimitError:
    spec = KINDS[kind]
    message = f"{what} needed more memory than a worker may use (setting {spec.memory_env})"
    return BudgetError(message, spec.memory_env) if spec.error is BudgetError else spec.error(message)


def _busy(kind: str, what: str) -> WorkersBusyError:
    return WorkersBusyError(
        f"{what}: every {kind} worker is busy (setting {KINDS[kind].workers_env}); try again shortly"
    )


def call(
    func: Callable[..., Any],
    *args: Any,
    timeout: float | None = None,
    what: str = "geometry work",
    kind: str = "geometry",
    warm: Sequence[str] = (),
) -> Any:
    """Run ``func(*args)`` in a worker process of ``kind``; kill it after ``timeout`` seconds.

    Raises
    ------
    WorkersBusyError
        When no worker frees up within ``timeout``.
    WorkLimitError
        When the call does not finish within ``timeout`` or the worker runs out of its memory
        allowance (a :class:`~geozones.errors.BudgetError` for scenarios and PDFs).
    """
    timeout = default_timeout(kind) if timeout is None else timeout
    slots = _slots_semaphore(kind)
    if not slots.acquire(timeout=timeout):
        raise _busy(kind, what)
    try:
        pool, fresh = _checkout(kind)
        try:
            if fresh:  # start-up and imports are not counted in the deadline
                pool.apply_async(_warm, (_modules(func, warm),)).get(STARTUP_TIMEOUT_S)
            result = pool.apply_async(func, args).get(timeout)
        except multiprocessing.TimeoutError:
            pool.terminate()
            raise _too_long(kind, what, timeout) from None
        except MemoryError:
            pool.terminate()
            raise _out_of_memory(kind, what) from None
        except BaseException:
            _checkin(pool, kind)  # the function raised: the worker itself is fine
            raise
        _checkin(pool, kind)
        return result
    finally:
        slots.release()


async def _wait(result: multiprocessing.pool.AsyncResult, seconds: float, abandoned) -> bool:
    """Poll until ready (True), the deadline passes or the caller has gone (False); holds no thread."""
    deadline = time.monotonic() + seconds
    checked = time.monotonic()
    while not result.ready():
        now = time.monotonic()
        if now >= deadline:
            return False
        if abandoned is not None and now - checked > 0.25:
            checked = now
            if await abandoned():
                raise _Abandoned
        await asyncio.sleep(min(0.05, max(0.0, deadline - now)))
    return True


class _Abandoned(Exception):
    pass


async def acall(
    func: Callable[..., Any],
    *args: Any,
    timeout: float | None = None,
    what: str = "work",
    kind: str = "scenario",
    warm: Sequence[str] = (),
    abandoned: Callable[[], Awaitable[bool]] | None = None,
) -> Any:
    """:func:`call` for ``async`` code: waits without holding a thread, and kills the worker at once
    when the task is cancelled (server shutdown) or ``abandoned()`` says the client has gone.

    Raises
    ------
    WorkersBusyError, WorkLimitError
        As :func:`call`; also WorkLimitError when the client went away.
    """
    timeout = default_timeout(kind) if timeout is None else timeout
    slots = _slots_semaphore(kind)
    waited = time.monotonic()
    while not slots.acquire(blocking=False):
        if time.monotonic() - waited > timeout:
            raise _busy(kind, what)
        await asyncio.sleep(0.05)
    pool: multiprocessing.pool.Pool | None = None
    try:
        pool, fresh = await asyncio.to_thread(_checkout, kind)
        warming = pool.apply_async(_warm, (_modules(func, warm),)) if fresh else None
        if warming is not None and not await _wait(warming, STARTUP_TIMEOUT_S, abandoned):
            raise WorkLimitError(f"{what}: a worker did not start within {STARTUP_TIMEOUT_S:g} s")
        result = pool.apply_async(func, args)
        if not await _wait(result, timeout, abandoned):
            raise _too_long(kind, what, timeout)
        try:
            value = result.get(0)
        except MemoryError:
            raise _out_of_memory(kind, what) from None
        except BaseException:
            _checkin(pool, kind)  # the function raised: the worker itself is fine
            pool = None
            raise
        _checkin(pool, kind)
        pool = None
        return value
    except _Abandoned:
        raise WorkLimitError(f"{what}: the client went away; the work was stopped") from None
    finally:  # a deadline, a cancelled task (shutdown), a client gone: the worker is killed
        if pool is not None:
            pool.terminate()
        slots.release()


def make_valid_wkb(wkb: bytes) -> bytes:
    """``shapely.make_valid`` keeping only polygons, WKB in and out (runs in a worker).

    Returns the empty bytes string when nothing polygonal is left.
    """
    import shapely

    geometry = shapely.from_wkb(wkb)
    fixed = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [q for p in parts for q in (p.geoms if p.geom_type == "MultiPolygon" else [p])]
    if not polygons:
        return b""
    result = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    return shapely.to_wkb(result)
