"""Atomic file output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import xarray as xr

__all__ = ["atomic_write", "check_writable", "to_netcdf"]


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The process umask, read once at import (reading it means setting it, which is not thread-safe).
_UMASK = _read_umask()


def check_writable(path: str | PathLike[str], *, what: str = "path") -> Path:
    """Fail early, with a clear message, if ``path`` cannot be written."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise ValueError(f"{what}: {str(p)!r} is a directory; give a file name")
    if not parent.is_dir():
        raise ValueError(f"{what}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise ValueError(f"{what}: directory {str(parent)!r} is not writable")
    return p


def atomic_write(path: str | PathLike[str], write: Callable[[Path], None], *, what: str = "path") -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into place.

    On any error the temporary file is removed and ``path`` is left untouched.
    """
    p = check_writable(path, what=what)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as f:  # the bytes are on disk before the name points at them
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def to_netcdf(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write ``ds`` to netCDF atomically."""
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp), what="out")
