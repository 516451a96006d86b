"""The file system, defensively: atomic writes, regular files only, bounded reads, clear errors.

Every file yzmaturity writes goes through :func:`atomic_write`: the bytes go to
a temporary file in the target's folder, are flushed and ``fsync``-ed, then
``os.replace`` puts the file in place in one step.  An error or a Ctrl-C
(``KeyboardInterrupt``) on the way removes the temporary file and leaves the
old target untouched: a reader sees the old file or the whole new one, never
half of it.

Every file yzmaturity reads is opened with :func:`open_regular`: the path must
lead (through symlinks too) to a regular file; a FIFO, a device or a socket is
refused at once, before any byte is read, so nothing hangs on a pipe or reads
``/dev/zero`` forever.  :func:`read_bounded` reads at most ``limit + 1`` bytes,
so a size limit counts the bytes really read, whatever ``st_size`` says.

Operating-system errors become :class:`~yzmaturity.FileLoadError` (reading) or
:class:`~yzmaturity.FileWriteError` (writing) naming the path and what went
wrong, with a stable code (:func:`os_error_code`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ._codes import Code
from ._exceptions import FileLoadError, FileWriteError

__all__ = [
    "atomic_write",
    "check_distinct",
    "check_writable",
    "open_bounded",
    "open_regular",
    "os_error_code",
    "read_bounded",
    "write_bytes",
    "write_text",
]

PathLike = str | os.PathLike[str]

_ERRNO_CODES: dict[int, tuple[Code, str]] = {
    errno.ENOENT: (Code.NO_SUCH_FILE_OR_FOLDER, "no such file or folder"),
    errno.ENOTDIR: (Code.NO_SUCH_FILE_OR_FOLDER, "a part of the path is not a folder"),
    errno.EISDIR: (Code.IS_A_FOLDER, "is a folder, not a file"),
    errno.ENAMETOOLONG: (Code.NAME_TOO_LONG, "the file name is too long for the file system"),
    errno.EACCES: (Code.PERMISSION_DENIED, "permission denied"),
    errno.EPERM: (Code.PERMISSION_DENIED, "operation not permitted"),
    errno.EROFS: (Code.PERMISSION_DENIED, "the file system is read-only"),
    errno.ENOSPC: (Code.DISK_FULL, "no space left on the device"),
    errno.EDQUOT: (Code.DISK_FULL, "disk quota exceeded"),
    errno.EFBIG: (Code.DISK_FULL, "file too large for the file system"),
    errno.ELOOP: (Code.NO_SUCH_FILE_OR_FOLDER, "too many levels of symbolic links"),
}


def os_error_code(exc: OSError) -> tuple[Code, str]:
    """A stable code and a plain-words reason for an operating-system error."""
    if exc.errno in _ERRNO_CODES:
        return _ERRNO_CODES[exc.errno]
    return Code.FILE_UNREADABLE, exc.strerror or str(exc)


def _write_error(path: PathLike, exc: OSError) -> FileWriteError:
    code, reason = os_error_code(exc)
    if code == Code.FILE_UNREADABLE:
        code = Code.FILE_UNWRITABLE
    return FileWriteError(os.fspath(path), code, reason)


def _read_error(path: PathLike, exc: OSError) -> FileLoadError:
    code, reason = os_error_code(exc)
    if exc.errno == errno.ENOENT:
        code = Code.FILE_NOT_FOUND
    return FileLoadError(os.fspath(path), code, reason)


# --------------------------------------------------------------------------- reading
def open_regular(path: PathLike) -> IO[bytes]:
    """Open ``path`` for reading in binary, refusing anything but a regular file.

    The file is opened without blocking (a FIFO with no writer would otherwise
    wait forever) and checked with ``fstat`` on the open descriptor, so a
    symlink swapped between a check and the open cannot slip a device through.
    """
    text = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(text, flags)
    except OSError as exc:
        raise _read_error(text, exc) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileLoadError(text, Code.IS_A_FOLDER, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileLoadError(text, Code.NOT_A_REGULAR_FILE, f"not a regular file ({_kind(info.st_mode)})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_bounded(path: PathLike, limit: int) -> bytes:
    """Every byte of the regular file ``path``; :class:`FileLoadError` past ``limit`` bytes.

    At most ``limit + 1`` bytes are ever read, whatever the file claims to hold.
    """
    text = os.fspath(path)
    with open_regular(text) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise _read_error(text, exc) from None
    if len(data) > limit:
        raise FileLoadError(text, Code.FILE_TOO_LARGE, f"more than {limit} bytes")
    return data


class _Bounded(io.RawIOBase):
    """A read-only stream over an open file that fails past ``limit`` bytes read."""

    def __init__(self, handle: IO[bytes], path: str, limit: int) -> None:
        self._handle = handle
        self._path = path
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        room = self._limit + 1 - self._read
        n = self._handle.readinto(view[: max(0, min(len(view), room))])  # type: ignore[attr-defined]
        self._read += n
        if self._read > self._limit:
            raise FileLoadError(self._path, Code.FILE_TOO_LARGE, f"more than {self._limit} bytes")
        return int(n)

    def close(self) -> None:
        self._handle.close()
        super().close()


def open_bounded(path: PathLike, limit: int) -> IO[bytes]:
    """:func:`open_regular`, as a buffered stream that raises ``file_too_large`` past ``limit`` bytes read."""
    text = os.fspath(path)
    handle = open_regular(text)
    return io.BufferedReader(_Bounded(handle, text, limit), buffer_size=1 << 20)


# --------------------------------------------------------------------------- writing
_umask_lock = threading.Lock()
_umask: int | None = None


def _file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file (0o666 less the umask)."""
    global _umask
    with _umask_lock:
        if _umask is None:
            current = os.umask(0o022)
            os.umask(current)
            _umask = current
    return 0o666 & ~_umask


def atomic_write(path: PathLike) -> contextlib.AbstractContextManager[IO[bytes]]:
    """A context manager giving a binary handle; ``path`` is replaced only when the block succeeds.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as handle:
    ...     _ = handle.write(b"all or nothing")
    >>> target.read_bytes()
    b'all or nothing'
    >>> try:
    ...     with atomic_write(target) as handle:
    ...         _ = handle.write(b"half")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'all or nothing', ['out.txt'])
    """
    return _atomic(os.fspath(path))


@contextlib.contextmanager
def _atomic(given: str) -> Iterator[IO[bytes]]:
    target = os.path.realpath(given)  # through a symlink: replace the file it points at
    mode = _file_mode()
    try:
        info = os.stat(target)
    except OSError:
        pass
    else:
        if stat.S_ISDIR(info.st_mode):
            raise FileWriteError(given, Code.IS_A_FOLDER, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileWriteError(
                given, Code.NOT_A_REGULAR_FILE, f"not a regular file ({_kind(info.st_mode)})"
            )
        if not os.access(target, os.W_OK) or not info.st_mode & 0o222:
            raise FileWriteError(given, Code.PERMISSION_DENIED, "the file is read-only")
        mode = stat.S_IMODE(info.st_mode)
    folder = os.path.dirname(target)
    name = os.path.basename(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name[:100]}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(given, exc) from None
    done = False
    try:
        try:
            handle = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        done = True
    except OSError as exc:
        if isinstance(exc, FileWriteError):
            raise
        raise _write_error(given, exc) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def check_writable(path: PathLike) -> None:
    """Refuse, before any work, an output that cannot be written: a folder, a read-only file, a
    missing folder or a name too long (:class:`FileWriteError`), for writers with their own temp file."""
    given = os.fspath(path)
    target = os.path.realpath(given)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise FileWriteError(given, Code.NO_SUCH_FILE_OR_FOLDER, "no such file or folder") from None
        if len(os.path.basename(target).encode()) > 255:
            raise FileWriteError(
                given, Code.NAME_TOO_LONG, "the file name is too long for the file system"
            ) from None
        return
    except OSError as exc:
        raise _write_error(given, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileWriteError(given, Code.IS_A_FOLDER, "is a folder, not a file")
    if not os.access(target, os.W_OK) or not info.st_mode & 0o222:
        raise FileWriteError(given, Code.PERMISSION_DENIED, "the file is read-only")


def write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as handle:
        handle.write(data)


def write_text(path: PathLike, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write`)."""
    write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- inputs vs outputs
def _identity(path: str) -> tuple[str, tuple[int, int] | None]:
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except OSError:
        return real, None
    return real, (info.st_dev, info.st_ino)


def check_distinct(inputs: Iterable[PathLike | None], outputs: Iterable[tuple[str, PathLike | None]]) -> None:
    """Refuse an output that is one of the inputs or another output (same file after symlinks, hard links).

    ``outputs`` are ``(option, path)`` pairs, e.g. ``("-o", "scored.csv")``; ``None`` paths are skipped.
    Raises :class:`FileWriteError` (``output_is_input`` or ``output_clash``) naming both.
    """
    seen_in: list[tuple[str, tuple[str, tuple[int, int] | None]]] = [
        (os.fspath(p), _identity(os.fspath(p))) for p in inputs if p is not None and _is_path(p)
    ]
    seen_out: list[tuple[str, str, tuple[str, tuple[int, int] | None]]] = []
    for option, p in outputs:
        if p is None:
            continue
        text = os.fspath(p)
        ident = _identity(text)
        for given, other in seen_in:
            if _same(ident, other):
                raise FileWriteError(
                    text,
                    Code.OUTPUT_IS_INPUT,
                    f"{option} {text} is the input {given}: refusing to overwrite an input",
                )
        for other_option, given, other in seen_out:
            if _same(ident, other):
                raise FileWriteError(
                    text,
                    Code.OUTPUT_CLASH,
                    f"{option} {text} is the same file as {other_option} {given}: give two different files",
                )
        seen_out.append((option, text, ident))


def _is_path(value: PathLike) -> bool:
    return isinstance(value, os.PathLike) or bool(value)


def _same(a: tuple[str, tuple[int, int] | None], b: tuple[str, tuple[int, int] | None]) -> bool:
    return a[0] == b[0] or (a[1] is not None and a[1] == b[1])
