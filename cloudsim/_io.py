"""Atomic file output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import xarray as xr

__all__ = ["atomic_write", "check_writable", "netcdf_encoding", "to_netcdf", "to_zarr"]


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


def to_netcdf(
    ds: xr.Dataset, path: str | PathLike[str], *, compress: bool = True, float32: bool = False,
    encoding: dict | None = None,
) -> Path:  # fmt: skip
    """Write ``ds`` to netCDF atomically, compressed by default.

    Parameters
    ----------
    ds : xarray.Dataset
    path : path
    compress : bool
        zlib (level 4) with byte shuffle on every numeric variable.
    float32 : bool
        Store float64 variables as float32 (half the size; about 7 significant digits).
    encoding : dict, optional
        Per-variable encoding passed to ``xarray.Dataset.to_netcdf``; overrides the above.
    """
    enc = netcdf_encoding(ds, compress=compress, float32=float32)
    for k, v in (encoding or {}).items():
        enc[k] = {**enc.get(k, {}), **v}
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, encoding=enc), what="out")


def netcdf_encoding(ds: xr.Dataset, *, compress: bool = True, float32: bool = False) -> dict[str, dict]:
    """Per-variable netCDF encoding: zlib (level 4) with byte shuffle, optionally floats stored as float32."""
    enc: dict[str, dict] = {}
    for name, v in ds.data_vars.items():
        e: dict = {}
        if compress and v.dtype.kind in "biuf":
            e.update(zlib=True, complevel=4, shuffle=True)
        if float32 and v.dtype == "float64":
            e["dtype"] = "float32"
        if e:
            enc[str(name)] = e
    return enc


def to_zarr(
    ds: xr.Dataset, path: str | PathLike[str], *, encoding: dict | None = None, overwrite: bool = False
) -> Path:
    """Write ``ds`` (eager or Dask-backed: then block by block) to a Zarr store, atomically.

    The store is written beside ``path`` under a temporary name, marked complete
    (``attrs["cloudsim_complete"] = True``) and only then renamed to ``path``: a killed
    writer leaves a ``.partial`` directory, never a store at ``path``.

    Raises
    ------
    ValueError
        If ``path`` exists (and not ``overwrite``) or its directory is not writable.
    """
    import shutil

    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"out: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise ValueError(f"out: directory {str(parent)!r} is not writable")
    if p.exists() and not overwrite:
        raise ValueError(f"out: {str(p)!r} exists; remove it or pass overwrite=True")
    tmp = Path(tempfile.mkdtemp(prefix=f".{p.name}.", suffix=".partial", dir=parent))
    try:
        marked = ds.assign_attrs(cloudsim_complete=False)
        marked.to_zarr(tmp, mode="w", encoding=encoding or {}, consolidated=True, zarr_format=2)
        import zarr

        group = zarr.open_group(str(tmp), mode="r+")
        group.attrs["cloudsim_complete"] = True
        zarr.consolidate_metadata(str(tmp))
        if p.exists():
            shutil.rmtree(p)
        os.replace(tmp, p)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return p
