"""Where blocks of trials run: in this process, on Dask's threads or processes, or on a ``dask.distributed`` cluster.

Every task is a pure function of its range of trials ``[lo, hi)``, and every result
merges with an associative, commutative, exact operation, so the merged result does
not depend on the scheduler, the number of workers, the order tasks finish in, or on
a task being run twice (a lost worker's tasks are simply recomputed).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._checks import check_int

__all__ = ["SCHEDULERS", "check_chunk", "check_scheduler", "map_reduce", "ranges"]

#: The scheduler names Dask knows, besides a ``Client`` or a scheduler address.
SCHEDULERS = ("synchronous", "threads", "processes")


def check_chunk(chunk: Any, default: int, name: str = "chunk") -> int:
    """Trials per task: a positive int (``None``: ``default``)."""
    if chunk is None:
        return default
    return check_int(chunk, name, 1)


def ranges(start: int, trials: int, chunk: int) -> list[tuple[int, int]]:
    """The global trial ranges ``[lo, hi)`` of the tasks."""
    stop = start + trials
    return [(lo, min(lo + chunk, stop)) for lo in range(start, stop, chunk)]


def check_scheduler(scheduler: Any) -> Any:
    """``None`` (this process), a name in :data:`SCHEDULERS`, a ``dask.distributed.Client`` or an address string.

    An address is connected to here (a ``Client``), so an unreachable one fails before any work.
    """
    if scheduler is None or scheduler in SCHEDULERS:
        if scheduler is not None:
            _need("dask")
        return scheduler
    if isinstance(scheduler, str):
        if "://" not in scheduler and ":" not in scheduler:
            raise ValueError(
                f"scheduler: must be None, one of {SCHEDULERS}, a dask.distributed.Client or a scheduler address "
                f"such as 'tcp://10.0.0.5:8786', got {scheduler!r}"
            )
        _need("distributed")
        from distributed import Client

        try:
            return Client(scheduler, timeout="3s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"scheduler: cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    if type(scheduler).__name__ == "Client" and hasattr(scheduler, "submit"):
        return scheduler
    raise TypeError(
        f"scheduler: expected None, one of {SCHEDULERS}, a dask.distributed.Client or an address string, "
        f"got {type(scheduler).__name__}"
    )


def _need(module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(f"{module} is needed for this scheduler: pip install 'cloudsim[scale]'")


def map_reduce(
    task: Callable[[int, int], Any],
    merge: Callable[[Any, Any], Any],
    spans: Sequence[tuple[int, int]],
    *,
    scheduler: Any = None,
    progress: bool = False,
    desc: str = "summarize",
) -> Any:
    """``merge(task(*spans[0]), task(*spans[1]), ...)``: tasks anywhere, merged in a tree (any tree gives the same
    result, since ``merge`` is exact)."""
    if scheduler is None:
        bar = _bar(spans, desc) if progress else None
        acc = None
        try:
            for lo, hi in spans:
                part = task(lo, hi)
                acc = part if acc is None else merge(acc, part)
                if bar is not None:
                    bar.update(hi - lo)
        finally:
            if bar is not None:
                bar.close()
        return acc
    if isinstance(scheduler, str):
        import dask

        parts = [dask.delayed(task, pure=True)(lo, hi) for lo, hi in spans]
        total = _tree(parts, dask.delayed(merge, pure=True))
        if progress:
            from dask.diagnostics import ProgressBar

            with ProgressBar(out=sys.stderr):
                return total.compute(scheduler=scheduler)
        return total.compute(scheduler=scheduler)
    client = scheduler
    futures = client.map(task, [lo for lo, _ in spans], [hi for _, hi in spans], pure=True, retries=3)
    while len(futures) > 1:
        pairs = [
            client.submit(merge, a, b, pure=True, retries=3) for a, b in zip(futures[::2], futures[1::2], strict=False)
        ]
        futures = pairs + ([futures[-1]] if len(futures) % 2 else [])
    return futures[0].result()


def _tree(parts: list[Any], merge: Callable[[Any, Any], Any]) -> Any:
    while len(parts) > 1:
        merged = [merge(a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        parts = merged + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def _bar(spans: Sequence[tuple[int, int]], desc: str):  # pragma: no cover - cosmetic
    from tqdm.auto import tqdm

    total = sum(hi - lo for lo, hi in spans)
    return tqdm(total=total, unit="trial", unit_scale=True, desc=desc, file=sys.stderr, leave=False)
