"""A local workbook file: is it one, and how to replace it without harm (DESIGN §3).

:func:`fingerprint` opens the path once, without blocking (a FIFO or a device is
never read), and says in one line what the path is when it is not an .xlsx file
sheetcrm can work on: a folder, a pipe, a device, an empty file, an old .xls or a
password-protected workbook, an .ods, a CSV, an .xlsx named .xls.

:func:`replace` writes a new version: into a temporary file with a name nobody can
guess, created exclusively (never through a link someone planted) in the folder of
the file the path really is (a symlinked workbook stays a link and its target is
updated), with the original's permissions and, where the system lets us, its
owner; flushed to disk, then renamed over the original in one step. A file its
owner made read-only is refused, not replaced.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import BackendError, NotFoundError

# What openpyxl (and Excel) accept as an Office Open XML workbook.
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")  # the compound file of .xls and of password-protected workbooks
_SAVE_AS = "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"


def fingerprint(path: Path) -> tuple[int, str]:
    """(size, sha256) of the workbook at ``path``, once it is known to be an .xlsx file."""
    fd = _open_file(path)
    with os.fdopen(fd, "rb") as fh:
        _check_content(path, fh)
        fh.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        size = os.fstat(fh.fileno()).st_size
    check_name(path)
    return size, digest.hexdigest()


def check_name(path: Path) -> None:
    """Excel and openpyxl go by the name: an .xlsx must be called one."""
    suffix = Path(path).suffix.lower()
    if suffix not in XLSX_SUFFIXES:
        named = f"named {Path(path).suffix}" if suffix else "without the .xlsx ending"
        raise BackendError(f"workbook {path}: sheetcrm works on .xlsx workbooks and this path is {named}; "
                           f"use a name ending in .xlsx (rename the file if it is an .xlsx)")


def _open_file(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens at once and is refused below
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotFoundError(f"workbook {path} is a link to {os.readlink(path)}, which does not exist") from None
        raise NotFoundError(f"workbook {path} does not exist; create it with: sheetcrm --workbook {path} init") from None
    except NotADirectoryError:
        raise BackendError(f"workbook {path}: part of that path is a file, not a folder; check the path") from None
    except OSError as exc:
        raise BackendError(f"workbook {path} cannot be opened ({exc.strerror or exc}); check the path and "
                           "that you may read it") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise BackendError(not_a_file(path, mode))
    return fd


def not_a_file(path: Path, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return (f"workbook {path} is a folder, not a workbook file; give the path of the .xlsx file "
                f"(e.g. --workbook {Path(path) / 'agency.xlsx'})")
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"workbook {path} is {kind}, not a workbook file; give the path of an .xlsx file"


def damaged_zip_message(path: Path, kind: str) -> str:
    """The one line a damaged zip gets, found on reading it or on copying its parts."""
    return f"workbook {path} cannot be opened as .xlsx (a damaged zip: {kind}); restore it from a backup"


def _check_content(path: Path, fh: IO[bytes]) -> None:
    head = fh.read(512)
    if not head:
        raise BackendError(f"workbook {path} cannot be opened as .xlsx: it is empty (0 bytes); restore it from a backup, "
                           "or move it away and create a new one with `sheetcrm init`")
    if head.startswith(_OLE):
        raise BackendError(f"workbook {path} cannot be opened as .xlsx: it is an old-format Excel file (.xls) or a "
                           "password-protected workbook; "
                           f"{_SAVE_AS}, without a password")
    if not head.startswith(b"PK"):
        kind = "a text file (CSV?)" if b"\0" not in head else "not a zip package"
        raise BackendError(f"workbook {path} cannot be opened as .xlsx: it is {kind}; {_SAVE_AS}")
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            opendocument = "mimetype" in names and b"opendocument" in zf.read("mimetype")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BackendError(damaged_zip_message(path, type(exc).__name__)) from None
    if opendocument:
        raise BackendError(f"workbook {path} cannot be opened as .xlsx: it is an OpenDocument spreadsheet (.ods); {_SAVE_AS}")
    if "[Content_Types].xml" not in names:
        raise BackendError(f"workbook {path} cannot be opened as .xlsx: it is a zip file but no workbook; {_SAVE_AS}")


def replace(path: Path, save: Callable[[IO[bytes]], None], last_look: Callable[[], None] | None = None) -> None:
    """Write a new version of ``path``: ``save(file)`` fills a fresh temporary file;
    ``last_look()`` may still refuse (raise) just before the rename."""
    target = Path(os.path.realpath(path))  # through a symlink to the file it names; the link stays
    original = _replaceable(path, target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".sheetcrm-tmp", dir=target.parent)
    placed = False
    try:
        with os.fdopen(fd, "w+b") as fh:
            save(fh)
            fh.flush()
            _copy_access(fh.fileno(), original)
            os.fsync(fh.fileno())
            ours = os.fstat(fh.fileno())
        if last_look is not None:
            last_look()
        _still_ours(path, tmp, ours)
        os.replace(tmp, target)
        placed = True
    except IsADirectoryError:
        raise BackendError(f"workbook {path} became a folder while sheetcrm was saving; nothing was written") from None
    except OSError as exc:
        raise BackendError(f"workbook {path} could not be saved ({exc.strerror or exc}); the old file is unchanged") from None
    finally:
        if not placed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _sync_folder(target.parent)
    remove_stale_temps(target)


STALE_AFTER_SECONDS = 3600


def remove_stale_temps(target: Path) -> int:
    """Temp files a killed writer left beside ``target`` (every writer holds the
    workbook's lock, so an hour-old one is nobody's). Only plain files are removed;
    a link planted under such a name is removed as a link, its target untouched."""
    removed, now = 0, time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(f".{target.name}.") and entry.name.endswith(".sheetcrm-tmp")):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) and now - st.st_mtime > STALE_AFTER_SECONDS:
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _replaceable(path: Path, target: Path) -> os.stat_result | None:
    """The stat of the file to replace (None: a new file); refuses what must not be replaced."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BackendError(f"workbook {path} cannot be checked ({exc.strerror or exc}); nothing was written") from None
    if not stat.S_ISREG(st.st_mode):
        raise BackendError(not_a_file(path, st.st_mode) + "; nothing was written")
    # Root may write anything: a file with no write permission for anyone was still made read-only on purpose.
    if not os.access(target, os.W_OK) or not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise BackendError(f"workbook {path} is read-only (no write permission); nothing was written. "
                           f"If sheetcrm should update it, make it writable (e.g. chmod u+w {path})")
    return st


def _copy_access(fd: int, original: os.stat_result | None) -> None:
    """The original's owner (where we may set it) and permissions; a new file's from the umask."""
    if original is None:
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        return
    if hasattr(os, "fchown"):
        try:
            os.fchown(fd, original.st_uid, original.st_gid)
        except OSError:  # not root: keep at least the group, if we are in it
            with contextlib.suppress(OSError):
                os.fchown(fd, -1, original.st_gid)
    os.fchmod(fd, stat.S_IMODE(original.st_mode))  # after chown, which may clear set-id bits


def _still_ours(path: Path, tmp: str, ours: os.stat_result) -> None:
    try:
        now = os.lstat(tmp)
    except OSError:
        now = None
    if now is None or not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (ours.st_dev, ours.st_ino):
        raise BackendError(f"workbook {path}: its temporary file was replaced by someone else while saving; "
                           "nothing was written")


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk too (a power cut after it keeps the new version)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_new(path: Path, force: bool) -> None:
    """Before `init` makes a workbook at ``path``: a name Excel takes, and nothing there
    that must not be replaced."""
    check_name(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BackendError(f"workbook {path} cannot be checked ({exc.strerror or exc}); nothing was written") from None
    if not stat.S_ISREG(st.st_mode):
        raise BackendError(not_a_file(path, st.st_mode) + "; nothing was written")
    if not force:
        raise BackendError(f"workbook {path} already exists; use --force to replace it")
