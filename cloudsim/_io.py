"""Atomic file output: checks before any work, a temporary file beside the target, then one rename.

Every file cloudsim writes goes through :func:`atomic_write`:

* the target is checked before any work (:func:`check_writable`): a directory, a device, a pipe
  or a missing or read-only folder is refused with the option's name;
* the bytes go to ``.<name>.cloudsim-part-<pid>`` in the target's own folder, are flushed to
  disk, take the permission bits of the file they replace (or the umask's for a new file), and
  then ``os.replace`` puts them in place in one step: the target is always either the previous
  file or the complete new one;
* on every exit that can be caught (an error, ``KeyboardInterrupt``, ``SystemExit`` from a
  signal handler) the temporary file is removed; one left by a killed process (``SIGKILL``,
  a power cut) is recognised by its name and its dead process id, and removed by the next
  write to the same target (:func:`remove_stale_parts`).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import xarray as xr

__all__ = [
    "PART_MARK",
    "atomic_write",
    "check_distinct",
    "check_writable",
    "netcdf_encoding",
    "remove_stale_parts",
    "to_netcdf",
    "to_zarr",
    "write_netcdf",
]

#: Temporary files are named ``.<target name><PART_MARK><pid>``.
PART_MARK = ".cloudsim-part-"


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The process umask, read once at import (reading it means setting it, which is not thread-safe).
_UMASK = _read_umask()


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_writable(path: str | PathLike[str], *, what: str = "path") -> Path:
    """Fail early, with a clear message, if ``path`` cannot be written as a regular file.

    Returns the path to write: ``path`` itself, or for a symbolic link the file it points to
    (so that the link survives and the file behind it is replaced).

    Raises
    ------
    TypeError
        For a ``path`` that is not a string or path-like.
    ValueError
        For a directory, a device, a pipe or a socket (cloudsim writes a new file and renames it
        over the old one, which cannot replace those), a missing or read-only folder, or a
        symbolic link loop.
    """
    if not isinstance(path, (str, PathLike)) or str(path) == "":
        raise TypeError(f"{what}: expected a file name, got {type(path).__name__} {path!r}")
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError(f"{what}: {str(p)!r} is a symbolic link loop") from None
        raise ValueError(f"{what}: cannot use {str(p)!r}: {exc.strerror}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            hint = "; give a file name" if stat.S_ISDIR(st.st_mode) else (
                "; cloudsim writes a new file and renames it into place, which cannot replace it: give a file name"
            )  # fmt: skip
            raise ValueError(f"{what}: {str(p)!r} is {_kind(st.st_mode)}{hint}")
        p = Path(os.path.realpath(p))
    elif p.is_symlink():  # a dangling link: write where it points
        p = Path(os.path.realpath(p))
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{what}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{what}: directory {str(parent)!r} is not writable")
    return p


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:
        return False


def check_distinct(
    outputs: Mapping[str, str | PathLike[str] | None], inputs: Mapping[str, str | PathLike[str] | None] | None = None
) -> None:
    """Refuse outputs that are the same file as an input or as each other.

    Parameters
    ----------
    outputs : mapping
        Option name -> path to be written (``None`` entries are skipped), e.g.
        ``{"--out": "r.nc", "--plot": "r.png"}``.
    inputs : mapping, optional
        Description -> path being read, e.g. ``{"the scenario file": "my.toml"}``.

    Raises
    ------
    ValueError
        Naming both options (or the option and the input) and the shared path.
    """
    outs = [(k, Path(v)) for k, v in outputs.items() if v is not None]
    ins = [(k, Path(v)) for k, v in (inputs or {}).items() if v is not None]
    for i, (name, p) in enumerate(outs):
        for other, q in ins:
            if _same_file(p, q):
                raise ValueError(
                    f"{name}: {str(p)!r} is {other}, which this run reads; writing there would replace it: "
                    "give another file name"
                )
        for other, q in outs[:i]:
            if _same_file(p, q):
                raise ValueError(f"{name}: {str(p)!r} is also the file of {other}; give each output its own file name")


def _part_path(p: Path, pid: int | None = None) -> Path:
    return p.parent / f".{p.name}{PART_MARK}{os.getpid() if pid is None else pid}"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_parts(path: str | PathLike[str]) -> list[Path]:
    """Remove temporary files that killed cloudsim processes left beside ``path``.

    A temporary file ``.<name>.cloudsim-part-<pid>`` is stale when process ``pid`` no longer
    runs (or is this process, which has no write to ``path`` under way when it calls this).

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    p = Path(path)
    prefix = f".{p.name}{PART_MARK}"
    removed = []
    try:
        entries = list(os.scandir(p.parent if str(p.parent) else "."))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        tail = entry.name[len(prefix) :]
        if not tail.isdigit():
            continue
        pid = int(tail)
        if pid == os.getpid() or not _alive(pid):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


def atomic_write(path: str | PathLike[str], write: Callable[[Path], Any], *, what: str = "path") -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into place.

    On any error or interruption the temporary file is removed and ``path`` is left as it
    was; an overwritten file keeps its permission bits.

    Parameters
    ----------
    path : str or path-like
        The target file.
    write : callable
        ``write(tmp)`` writes the whole content to the path ``tmp``.
    what : str
        The name used in error messages (the option or argument).

    Returns
    -------
    pathlib.Path
        The file written (for a symbolic link, the file it points to).

    Raises
    ------
    ValueError
        From :func:`check_writable`.
    OSError
        When writing fails (a full disk, a quota); the message names ``what``, the path and
        the free space left.
    """
    p = check_writable(path, what=what)
    remove_stale_parts(p)
    tmp = _part_path(p)
    try:
        old_mode = stat.S_IMODE(p.stat().st_mode)
    except FileNotFoundError:
        old_mode = None
    try:
        try:
            _interruptible(write, tmp)
            with open(tmp, "rb+") as f:  # the bytes are on disk before the name points at them
                os.fsync(f.fileno())
        except Exception as exc:
            raise _write_error(exc, p, what, old_mode is not None) from exc
        os.chmod(tmp, 0o666 & ~_UMASK if old_mode is None else old_mode)
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p


#: Set when an interruption left a writer thread mid-file (see :func:`_interruptible`); the CLI then
#: exits without finalising the interpreter, whose netCDF/HDF5 clean-up could crash on that state.
abandoned_writer = False


def _interruptible(write: Callable[[Path], Any], tmp: Path) -> None:
    """``write(tmp)``; from the main thread, in a worker thread the main one waits for.

    A ``KeyboardInterrupt`` (or the ``SystemExit`` of a ``SIGTERM`` handler) raised inside a
    writer such as netCDF's can leave a lock held that the writer's own cleanup then waits
    for forever.  Signals reach only the main thread, so with the write in a worker the
    interruption lands in this wait instead: it is raised at once, the caller removes the
    temporary file, and the abandoned worker (a daemon thread) finishes writing into the
    unlinked file or ends with the process.
    """
    if threading.current_thread() is not threading.main_thread():
        write(tmp)
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            write(tmp)
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="cloudsim-write", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
    except BaseException:
        global abandoned_writer
        abandoned_writer = True  # the C writer was left mid-file: its library state is not safe to finalise
        raise
    if failure:
        raise failure[0]


def _write_error(exc: Exception, p: Path, what: str, existed: bool) -> OSError:
    try:
        free = f"; {shutil.disk_usage(p.parent).free / 2**20:,.0f} MiB free there"
    except OSError:  # pragma: no cover - the folder vanished
        free = ""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = f"{reason} (the file system is full, or the file exceeds a size limit)"
    kept = "the previous file is unchanged" if existed else "nothing was written"
    err = exc.errno if isinstance(exc, OSError) else None
    return OSError(err, f"{what}: writing {str(p)!r} failed: {reason}{free}; {kept}")


def to_netcdf(
    ds: xr.Dataset, path: str | PathLike[str], *, compress: bool = True, float32: bool = False,
    encoding: Mapping[str, Any] | None = None,
) -> Path:  # fmt: skip
    """Write ``ds`` to netCDF atomically (see :func:`atomic_write`), compressed by default.

    Parameters
    ----------
    ds : xarray.Dataset
        Any Dataset, e.g. from :func:`cloudsim.simulate`.
    path : str or path-like
        The target ``.nc`` file.
    compress : bool
        zlib (level 4) with byte shuffle on every numeric variable.
    float32 : bool
        Store float64 variables as float32 (half the size; about 7 significant digits).
    encoding : mapping, optional
        Per-variable encodings, passed to :meth:`xarray.Dataset.to_netcdf`, e.g.
        ``{"spend": {"zlib": True, "complevel": 4}}``; they override the above.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"ds: expected an xarray.Dataset, got {type(ds).__name__}")
    return write_netcdf(ds, path, compress=compress, float32=float32, encoding=encoding, what="path")


def write_netcdf(
    ds: xr.Dataset, path: str | PathLike[str], *, compress: bool = True, float32: bool = False,
    encoding: Mapping[str, Any] | None = None, what: str = "path",
) -> Path:  # fmt: skip
    """:func:`to_netcdf` with the name errors use for ``path`` (``what``, e.g. ``"--out"``)."""
    if encoding is not None:
        if not isinstance(encoding, Mapping):
            raise TypeError(f"encoding: expected a mapping of variable name -> encoding, got {type(encoding).__name__}")
        unknown = [k for k in encoding if k not in ds.variables]
        if unknown:
            raise ValueError(
                f"encoding: no variable {unknown[0]!r} in ds; variables: {', '.join(map(str, ds.variables))}"
            )
    enc = netcdf_encoding(ds, compress=compress, float32=float32)
    for k, v in (encoding or {}).items():
        enc[k] = {**enc.get(k, {}), **v}
    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, encoding=enc), what=what)


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
