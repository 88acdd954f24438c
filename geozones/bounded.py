"""Heavy geometry work in a worker process with a deadline and a memory cap.

Some GEOS operations grow much faster than their input: ``make_valid`` of a 151-vertex
self-intersecting star takes about 30 s and builds thousands of parts. Run in the server
process they hold a worker thread (and much memory) for that long. :func:`call` runs such a
step in a child process instead: the caller waits at most ``timeout`` seconds, after which the
child is killed and :class:`~geozones.errors.WorkLimitError` is raised; the child's address
space is capped (``GEOZONES_WORKER_MEMORY_MB``, default 2048) so it cannot exhaust the machine;
at most ``GEOZONES_GEOMETRY_WORKERS`` (default 2) such steps run at once per server process.

Only picklable module-level functions of light modules are run there (see
:func:`make_valid_wkb`); arguments and results travel as bytes.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.pool
import os
import threading
from collections.abc import Callable
from typing import Any

from geozones.errors import WorkersBusyError, WorkLimitError

#: Seconds a heavy geometry step may take unless ``GEOZONES_GEOMETRY_TIMEOUT_S`` says otherwise.
DEFAULT_TIMEOUT_S = 5.0


_configured: dict[str, float] = {}


def configure(*, timeout: float | None = None) -> None:
    """Set this process's deadline for heavy geometry steps (the API passes its ``geometry_timeout_s``)."""
    if timeout is not None:
        if not timeout > 0:
            raise ValueError("timeout must be > 0")
        _configured["timeout"] = float(timeout)


def default_timeout() -> float:
    """The deadline of one heavy geometry step, in seconds: :func:`configure`, else the environment."""
    if "timeout" in _configured:
        return _configured["timeout"]
    try:
        value = float(os.environ.get("GEOZONES_GEOMETRY_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def _workers() -> int:
    try:
        return max(1, int(os.environ.get("GEOZONES_GEOMETRY_WORKERS", "2")))
    except ValueError:
        return 2


def _limit_memory(megabytes: int) -> None:  # runs in the child
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_lock = threading.Lock()
_idle: list[multiprocessing.pool.Pool] = []
_slots: threading.BoundedSemaphore | None = None


def _slots_semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(_workers())
        return _slots


def _checkout() -> multiprocessing.pool.Pool:
    with _lock:
        if _idle:
            return _idle.pop()
    context = multiprocessing.get_context("forkserver")
    memory = int(os.environ.get("GEOZONES_WORKER_MEMORY_MB", "2048"))
    return context.Pool(1, initializer=_limit_memory, initargs=(memory,))


def _checkin(pool: multiprocessing.pool.Pool) -> None:
    with _lock:
        if len(_idle) < _workers():
            _idle.append(pool)
            return
    pool.close()


@atexit.register
def _shutdown() -> None:
    with _lock:
        pools, _idle[:] = list(_idle), []
    for pool in pools:
        pool.terminate()


def call(func: Callable[..., Any], *args: Any, timeout: float | None = None, what: str = "geometry work") -> Any:
    """Run ``func(*args)`` in a worker process; kill it after ``timeout`` seconds.

    Raises
    ------
    WorkLimitError
        When no worker frees up or the call does not finish within ``timeout``, or the
        worker runs out of its memory allowance.
    """
    timeout = default_timeout() if timeout is None else timeout
    slots = _slots_semaphore()
    if not slots.acquire(timeout=timeout):
        raise WorkersBusyError(f"{what}: every geometry worker is busy; try again shortly")
    try:
        pool = _checkout()
        try:
            result = pool.apply_async(func, args).get(timeout)
        except multiprocessing.TimeoutError:
            pool.terminate()
            raise WorkLimitError(
                f"{what} took longer than {timeout:g} s and was stopped "
                "(setting GEOZONES_GEOMETRY_TIMEOUT_S); simplify or fix the geometry"
            ) from None
        except MemoryError:
            pool.terminate()
            raise WorkLimitError(f"{what} needed more memory than a worker may use") from None
        except BaseException:
            _checkin(pool)  # the function raised: the worker itself is fine
            raise
        _checkin(pool)
        return result
    finally:
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
