"""The ZIP format (PKWARE's APPNOTE.TXT) where the patch writer (``xlsx_zip``) needs
more than zipfile's public API offers: a member's compressed bytes read and copied as
they lie, a member deflated elsewhere (by ISA-L, while its XML was made) written in
whole, and a member inflated by a faster inflater than zlib's. zipfile still reads
the central directory (``ZipFile.infolist``: names, offsets, sizes, CRCs, ZIP64).

Written: local header, data, central directory, end record; ZIP64 fields and records
past the limits zipfile uses, so zipfile, Excel and LibreOffice read what they read
from zipfile's own writer. Sizes and CRC are known before a member is written, so no
data descriptor follows any member and nothing is sought back."""
from __future__ import annotations

import os
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Self

from sheetcrm.errors import BackendError
from sheetcrm.workbook import safe_file

try:  # ISA-L's CRC-32: the same value as zlib's, ~7x as fast (0.07 vs 0.53 ms per MiB here)
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - a dependency
    _isal = None

crc32 = _isal.crc32 if _isal is not None else zlib.crc32
_INFLATE_ERRORS = (zlib.error, _isal.error) if _isal is not None else (zlib.error,)

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
CHUNK = 1 << 20  # bytes read, copied or inflated per step: no member is ever whole in memory
# zipfile's limits: sizes and offsets past 2 GiB - 1 (readers that take them as signed)
# and more than 65,535 members get ZIP64 fields.
ZIP64_LIMIT = (1 << 31) - 1
COUNT_LIMIT = 0xFFFF
_UTF8 = 0x800  # flag: the name is UTF-8
_KEPT_FLAGS = 0x6  # flags of a copied member kept as they were: the deflate level it was made with

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")


class DamagedZip(BackendError, zipfile.BadZipFile):
    """A member of the workbook that cannot be read as it says it is: the one line
    any damaged zip gets (``safe_file``), never a traceback. Still a BadZipFile."""


def damaged(path, why: str) -> DamagedZip:
    """The error of a member that cannot be read (``why`` stays with it, not in the line shown)."""
    exc = DamagedZip(safe_file.damaged_zip_message(path, "BadZipFile"))
    exc.why = why
    return exc


@dataclass
class Member:
    """What the local header and the central directory say of a member."""

    name: str
    date_time: tuple
    method: int
    crc: int
    compress_size: int
    file_size: int
    external_attr: int = 0
    create_system: int = 3  # Unix, as zipfile says on every system but Windows
    flag_bits: int = 0
    internal_attr: int = 0
    comment: bytes = b""

    @classmethod
    def copy_of(cls, info: zipfile.ZipInfo) -> Member:
        """A member of another zip, copied as it is compressed."""
        return cls(info.filename, info.date_time, info.compress_type, info.CRC, info.compress_size,
                   info.file_size, info.external_attr, info.create_system, info.flag_bits & _KEPT_FLAGS,
                   info.internal_attr, info.comment)


def _dos_time(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time[:6]
    return h << 11 | mi << 5 | s // 2, (y - 1980) << 9 | mo << 5 | d


def _encoded(name: str) -> tuple[bytes, int]:
    """The name's bytes and flag, as zipfile writes them: ASCII, else UTF-8 flagged so."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8


class Writer:
    """A new zip written front to back into ``fp`` (only ``write`` is used): offsets
    count from where it starts."""

    def __init__(self, fp: IO[bytes]):
        self.fp = fp
        self.offset = 0
        self._entries: list[tuple[Member, bytes, int, int]] = []  # member, name bytes, flags, header offset

    def _write(self, data: bytes) -> None:
        self.fp.write(data)
        self.offset += len(data)

    def add(self, member: Member, chunks: Iterable[bytes]) -> None:
        """One member: its header, then ``chunks``, its compressed bytes, which must
        come to ``member.compress_size``."""
        name, flags = _encoded(member.name)
        flags |= member.flag_bits & ~_UTF8
        big = max(member.file_size, member.compress_size) > ZIP64_LIMIT
        extra = struct.pack("<2H2Q", 1, 16, member.file_size, member.compress_size) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (member.compress_size, member.file_size)
        start = self.offset
        self._write(_LOCAL.pack(b"PK\x03\x04", 45 if big else 20, flags, member.method, *_dos_time(member.date_time),
                                member.crc, *sizes, len(name), len(extra)) + name + extra)
        for chunk in chunks:
            self._write(chunk)
        if self.offset - start - _LOCAL.size - len(name) - len(extra) != member.compress_size:
            raise ValueError(f"{member.name}: the data is not the {member.compress_size} bytes its header says")
        self._entries.append((member, name, flags, start))

    def close(self) -> None:
        """The central directory and the end record (ZIP64's too where needed)."""
        start = self.offset
        for member, name, flags, offset in self._entries:
            self._write(_central_entry(member, name, flags, offset))
        count, size = len(self._entries), self.offset - start
        if count > COUNT_LIMIT or size > ZIP64_LIMIT or start > ZIP64_LIMIT:
            end64 = self.offset
            self._write(_END64.pack(b"PK\x06\x06", _END64.size - 12, 45, 45, 0, 0, count, count, size, start))
            self._write(_LOCATOR64.pack(b"PK\x06\x07", 0, end64, 1))
        count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
        self._write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))


def _central_entry(member: Member, name: bytes, flags: int, offset: int) -> bytes:
    fields: list[int] = []
    file_size, compress_size = member.file_size, member.compress_size
    if max(file_size, compress_size) > ZIP64_LIMIT:
        fields += [file_size, compress_size]
        file_size = compress_size = 0xFFFFFFFF
    if offset > ZIP64_LIMIT:
        fields.append(offset)
        offset = 0xFFFFFFFF
    extra = struct.pack(f"<2H{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
    version = 45 if fields else 20
    return _CENTRAL.pack(b"PK\x01\x02", member.create_system << 8 | version, version, flags, member.method,
                         *_dos_time(member.date_time), member.crc, compress_size, file_size, len(name), len(extra),
                         len(member.comment), 0, member.internal_attr, member.external_attr,
                         offset) + name + extra + member.comment


# -- reading ---------------------------------------------------------------------
_SEEKING = threading.Lock()


def _read_at(fh: IO[bytes], n: int, pos: int) -> bytes:
    """``n`` bytes of ``fh`` from ``pos``, whatever another thread reads of it meanwhile
    (xlsx_stream.Ahead reads a worksheet on a thread of its own while the edits read
    the styles): os.pread moves no file position; without it (Windows), a lock."""
    if _PREAD:
        return os.pread(fh.fileno(), n, pos)
    with _SEEKING:  # pragma: no cover - Windows
        fh.seek(pos)
        return fh.read(n)


_PREAD = hasattr(os, "pread")


class RawMember:
    """A member's compressed bytes in the zip file ``fh``, shared by the readers of
    several members, on several threads (zipfile's reads of it seek first)."""

    def __init__(self, fh: IO[bytes], info: zipfile.ZipInfo, path):
        self.fh, self.info, self.path = fh, info, path
        head = _read_at(fh, _LOCAL.size, info.header_offset)
        if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise damaged(path, f"no header at {info.filename}")
        fields = _LOCAL.unpack(head)
        self.pos = info.header_offset + _LOCAL.size + fields[9] + fields[10]  # after its name and extra
        self.left = info.compress_size

    def read(self, n: int = CHUNK) -> bytes:
        """Up to ``n`` more compressed bytes; b"" at the end."""
        if not self.left:
            return b""
        data = _read_at(self.fh, min(n, self.left), self.pos)
        if not data:
            raise damaged(self.path, f"{self.info.filename} is cut short")
        self.pos += len(data)
        self.left -= len(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        while data := self.read():
            yield data


class _Plain:
    """A member's compressed pieces made plain (inflated, or passed on if stored), its
    CRC and size counted and checked at the end as zipfile checks them: a damaged
    member raises ``DamagedZip``."""

    def __init__(self, raw: RawMember, inflater):
        self.raw = raw
        self._inflate = inflater if raw.info.compress_type == DEFLATED else None
        self.crc = self.size = 0

    def pieces(self, data: bytes, limit: int) -> Iterator[bytes]:
        """``data``'s plain bytes, at most ``limit`` at a time (a member that inflates
        hugely is never whole in memory)."""
        if self._inflate is None:
            self._count(data)
            yield data
            return
        while data:
            try:
                out = self._inflate.decompress(data, limit)
            except _INFLATE_ERRORS as exc:
                raise damaged(self.raw.path, f"{self.raw.info.filename}: {exc}") from None
            data = self._inflate.unconsumed_tail
            if out:
                self._count(out)
                yield out

    def end(self) -> bytes:
        """What is left once every piece went in, after the checks."""
        out = b""
        if self._inflate is not None:
            try:
                out = self._inflate.flush()
            except _INFLATE_ERRORS as exc:
                raise damaged(self.raw.path, f"{self.raw.info.filename}: {exc}") from None
            self._count(out)
        info = self.raw.info
        ended = self._inflate is None or self._inflate.eof
        if not ended or self.size != info.file_size or self.crc != info.CRC:
            raise damaged(self.raw.path, f"Bad CRC-32 or size for file {info.filename!r}")
        return out

    def _count(self, out: bytes) -> None:
        self.crc = crc32(out, self.crc)
        self.size += len(out)


class Inflated:
    """A stored or deflated member read as its plain bytes (``read``), checked at the end."""

    def __init__(self, raw: RawMember, inflater):
        self._plain = _Plain(raw, inflater)
        self._raw = raw
        self._limit = CHUNK
        self._pieces = self._all()
        self._buf = b""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pieces.close()
        self._buf = b""

    def _all(self) -> Iterator[bytes]:
        for data in self._raw.chunks():
            yield from self._plain.pieces(data, self._limit)
        if out := self._plain.end():
            yield out

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            out = b"".join([self._buf, *self._pieces])
            self._buf = b""
            return out
        while len(self._buf) < n:
            self._limit = max(n - len(self._buf), CHUNK)
            piece = next(self._pieces, b"")
            if not piece:
                break
            self._buf = self._buf + piece if self._buf else piece
        out, self._buf = self._buf[:n], self._buf[n:]
        return out


def checked(raw: RawMember, inflater) -> Iterator[bytes]:
    """``raw``'s compressed bytes as they lie, made plain on the way to check them as
    reading them would: a damaged member fails (``DamagedZip``) after its last bytes."""
    plain = _Plain(raw, inflater)
    for data in raw.chunks():
        for _ in plain.pieces(data, CHUNK):
            pass
        yield data
    plain.end()
