"""The zip side of the patch writer (``xlsx_patch``): the package of XML parts,
read once and written back with only the edited parts re-serialised, and the
styles a written cell needs, found or appended in ``styles.xml``."""
from __future__ import annotations

import copy
import datetime as dt
import os
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO

from lxml import etree

from .base import FONT_NAME, col_number

try:  # ISA-L's deflate and inflate: the same format as zlib's, 3-6x as fast (issue 20)
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover - a dependency; zlib reads and writes the same bytes' meaning
    _isal = None

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
WORKSHEET = REL_NS + "/worksheet"
STYLES = REL_NS + "/styles"
OFFICE_DOC = REL_NS + "/officeDocument"
DATE_FORMAT = "yyyy-mm-dd"  # as the openpyxl path writes dates
PERCENT_FORMAT = "0.0%"

_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, remove_blank_text=False)
_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_COPY = 1 << 20  # bytes per step when a part is streamed into the new zip
_LEVEL = 2  # deflate level of the parts written anew (zlib's)
# ISA-L's level 2 (of 0-3) of a 100,000-candidate Pipeline part: 0.17 CPU s and 23.5 MB,
# where zlib's level 2 took 1.04 s for 22.4 MB; its level 3 took 0.46 s for 22.2 MB.
_ISAL_LEVEL = 2


class _Unpatchable(Exception):
    """This workbook or change is beyond the patcher; use openpyxl instead."""


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"




def _split_ref(ref: str | None) -> tuple[int, int]:
    m = _REF.match(ref or "")
    if not m:
        raise _Unpatchable(f"cell reference {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


# -- the package ----------------------------------------------------------------
class _Package:
    def __init__(self, path: Path):
        self.folder = Path(os.path.realpath(path)).parent  # where the new file will be written
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _Unpatchable(f"not a zip ({exc})") from None
        self.names = set(self.zf.namelist())
        self.edited: dict[str, etree._ElementTree] = {}
        self._parsed: dict[str, etree._ElementTree] = {}
        self.added: list[str] = []  # new parts (xlsx_parts), written after the copied ones
        self.removed: set[str] = set()
        self.streamed: dict[str, Deflated] = {}  # part -> its new XML, deflated in a temporary file (xlsx_stream)
        self.drop_calc_chain = False

    def scratch(self) -> IO[bytes]:
        """A nameless temporary file for a part's new XML: beside the workbook (the
        disk the new file goes to, not a /tmp that may live in memory), else in /tmp."""
        try:
            return tempfile.TemporaryFile(dir=self.folder)
        except OSError:
            return tempfile.TemporaryFile()

    def deflated(self) -> Deflated:
        """Where a part's new XML is written (``streamed``): deflated as it comes."""
        return Deflated(self.scratch())

    def close(self) -> None:
        self.zf.close()
        for data in self.streamed.values():
            data.close()

    def add(self, name: str, tree: etree._ElementTree) -> None:
        self.names.add(name)
        self._parsed[name] = self.edited[name] = tree
        self.added.append(name)

    def xml(self, name: str) -> etree._ElementTree:
        if name not in self._parsed:
            if name not in self.names:
                raise _Unpatchable(f"missing part {name}")
            try:
                self._parsed[name] = etree.fromstring(self.zf.read(name), _PARSER).getroottree()
            except etree.XMLSyntaxError as exc:
                raise _Unpatchable(f"{name} is not XML ({exc})") from None
        return self._parsed[name]

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, part name) of a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        out = {}
        for rel in self.xml(rels_name).getroot():
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type"), name)
        return out

    def open(self, part: str) -> IO[bytes]:
        """A part to read as a stream (``zf.open``), inflated by ISA-L where it is there."""
        src = self.zf.open(part)
        return faster_inflate(src)

    def save(self, dest) -> None:
        """The new zip: every part streamed from the old one or its new version
        (no part is held in memory whole but the small edited trees)."""
        with zipfile.ZipFile(dest, "w") as out:
            for info in self.zf.infolist():
                if info.filename in self.removed:
                    continue
                if info.filename in self.streamed:
                    self._write_streamed(out, info.filename, info)
                elif info.filename in self.edited:
                    self._write_xml(out, info.filename, info)
                elif not _copy_raw(self.zf, info, out):
                    with self.zf.open(info) as src, out.open(copy.copy(info), "w") as dst:
                        shutil.copyfileobj(src, dst, _COPY)
            for name in self.added:
                if name in self.streamed:
                    self._write_streamed(out, name, None)
                else:
                    self._write_xml(out, name, None)

    def _write_streamed(self, out: zipfile.ZipFile, name: str, info: zipfile.ZipInfo | None) -> None:
        """A part deflated while it was made (``Deflated``), copied in as it is compressed."""
        data = self.streamed[name]
        compressed = data.finish()
        new = self._new_info(name, info, data.size)
        new.CRC, new.compress_size = data.crc, compressed
        if out._seekable:  # where ZipFile.open(name, "w") starts a member
            out.fp.seek(out.start_dir)
        new.header_offset = out.fp.tell()
        out.fp.write(new.FileHeader(None))  # zip64 fields when the sizes need them
        data.file.seek(0)
        shutil.copyfileobj(data.file, out.fp, _COPY)
        out.start_dir = out.fp.tell()
        out.filelist.append(new)
        out.NameToInfo[new.filename] = new
        out._didModify = True  # the central directory is written on close

    @staticmethod
    def _new_info(name: str, info: zipfile.ZipInfo | None, size: int = 0) -> zipfile.ZipInfo:
        new = zipfile.ZipInfo(name, info.date_time if info is not None else dt.datetime.now().timetuple()[:6])
        if info is not None:
            new.external_attr, new.create_system = info.external_attr, info.create_system
        new.compress_type = zipfile.ZIP_DEFLATED
        # Level 2, not zlib's 6: ~2.5x as fast on a worksheet's XML, ~20 % bigger (issue 20;
        # level 3 took a third longer than 2 for a file 5 % smaller).
        new._compresslevel = _LEVEL  # what ZipFile.open(info, "w") compresses with
        new.file_size = size  # how big it will be: a part over 2 GiB needs zip64 from its header on
        return new

    def _write_xml(self, out: zipfile.ZipFile, name: str, info: zipfile.ZipInfo | None) -> None:
        data = etree.tostring(self.edited[name], xml_declaration=True, encoding="UTF-8", standalone=True)
        out.writestr(self._new_info(name, info), data, compresslevel=1 if len(data) > (1 << 20) else 6)


_ZLIB_INFLATE, _ZLIB_DEFLATE = type(zlib.decompressobj(-15)), type(zlib.compressobj())


def _inflater():
    return _Inflate() if _isal is not None else zlib.decompressobj(-15)


class _Inflate:
    """ISA-L's raw inflater, failing as zlib's does: a damaged part raises zlib.error
    (what every caller of a zip read expects), not ISA-L's own error."""

    __slots__ = ("_inflate",)

    def __init__(self):
        self._inflate = _isal.decompressobj(-15)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        try:
            return self._inflate.decompress(data, max_length)
        except _isal.error as exc:
            raise zlib.error(str(exc)) from None

    def flush(self, *length: int) -> bytes:
        try:
            return self._inflate.flush(*length)
        except _isal.error as exc:
            raise zlib.error(str(exc)) from None

    @property
    def eof(self) -> bool:
        return self._inflate.eof

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inflate.unconsumed_tail

    @property
    def unused_data(self) -> bytes:
        return self._inflate.unused_data


def faster_inflate(src: IO[bytes]) -> IO[bytes]:
    """``src``, a part just opened with ``ZipFile.open`` and not read yet, inflated by
    ISA-L instead of zlib (the same bytes, read in half the time). zipfile has no
    hook for it: its decompressor is swapped when it is the deflate one it made."""
    if (_isal is not None and getattr(src, "_compress_type", None) == zipfile.ZIP_DEFLATED
            and type(getattr(src, "_decompressor", None)) is _ZLIB_INFLATE):
        src._decompressor = _Inflate()
    return src


class Deflated:
    """A part's new XML deflated as it is written, into ``file`` (a nameless temporary
    file): a raw deflate stream (ISA-L's where it is installed, else zlib's), its CRC
    and size counted on the way, so saving copies it into the zip as it is. Before
    (issue 20), a 100k sync wrote its 304 MB of new XML to disk and read it back to
    deflate it: 0.6 CPU s of the write; now only the 40 MB it deflates to."""

    def __init__(self, file: IO[bytes]):
        self.file = file
        self.crc = self.size = 0
        if _isal is not None:
            self._deflate = _isal.compressobj(_ISAL_LEVEL, _isal.DEFLATED, -15)
        else:
            self._deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        self._finished = False

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        if out := self._deflate.compress(data):
            self.file.write(out)
        return len(data)

    def finish(self) -> int:
        """The end of the deflate stream written; returns its compressed size."""
        if not self._finished:
            self.file.write(self._deflate.flush())
            self._finished = True
        return self.file.tell()

    def close(self) -> None:
        self.file.close()


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip member's local header (zipfile's structFileHeader)


def _copy_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
    """An unchanged part copied as it is compressed: deflating a 100,000-row tab that
    did not change again took seconds (issue 20). Its bytes are still inflated on the
    way, to check their CRC as reading them did: a damaged part fails the write as
    before (BadZipFile), never copied on. False: a part to copy the ordinary way
    (encrypted, zip64, a method other than stored or deflated)."""
    if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or max(info.file_size, info.compress_size, info.header_offset) >= zipfile.ZIP64_LIMIT):
        return False
    src = zf.fp
    src.seek(info.header_offset)
    head = src.read(_LOCAL_HEADER.size)
    if len(head) != _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        return False
    fields = _LOCAL_HEADER.unpack(head)
    src.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])  # after its name and extra
    new = copy.copy(info)
    new.flag_bits &= ~0x08  # CRC and sizes in the local header, no data descriptor after the data
    if out._seekable:  # where ZipFile.open(name, "w") starts a member
        out.fp.seek(out.start_dir)
    new.header_offset = out.fp.tell()
    out.fp.write(new.FileHeader(False))
    inflate = _inflater() if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc, left = 0, info.compress_size
    while left:
        chunk = src.read(min(left, _COPY))
        if not chunk:
            raise zipfile.BadZipFile(f"{info.filename} is cut short")
        out.fp.write(chunk)
        left -= len(chunk)
        crc = _crc_of(crc, inflate, chunk)
    if inflate is not None:
        crc = zlib.crc32(inflate.flush(), crc)
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    out.start_dir = out.fp.tell()
    out.filelist.append(new)
    out.NameToInfo[new.filename] = new
    out._didModify = True  # the central directory is written on close
    return True


def _crc_of(crc: int, inflate, chunk: bytes) -> int:
    """The CRC-32 carried on over ``chunk`` (inflated first when ``inflate``), at most
    _COPY bytes inflated at a time: a part that inflates hugely is never whole in memory."""
    if inflate is None:
        return zlib.crc32(chunk, crc)
    while chunk:
        crc = zlib.crc32(inflate.decompress(chunk, _COPY), crc)
        chunk = inflate.unconsumed_tail
    return crc


# -- styles ----------------------------------------------------------------------
class _Styles:
    """Finds or appends the cellXfs a written cell needs."""

    def __init__(self, pkg: _Package, part: str | None):
        self.pkg, self.part = pkg, part
        self._root = None
        self._cache: dict[tuple, int] = {}
        self._fmt_ids: dict[str, int] = {}

    @property
    def root(self):
        if self._root is None:
            if self.part is None:
                raise _Unpatchable("workbook has no styles part")
            tree = self.pkg.xml(self.part)
            self._root = tree.getroot()
            if self._root.tag != _q("styleSheet") or self._root.find(_q("cellXfs")) is None:
                raise _Unpatchable("styles part without cellXfs")
        return self._root

    def _touch(self) -> None:
        self.pkg.edited[self.part] = self.root.getroottree()

    def num_fmt(self, code: str) -> int:
        if code in self._fmt_ids:
            return self._fmt_ids[code]
        fmts = self.root.find(_q("numFmts"))
        ids = [163]
        if fmts is not None:
            for f in fmts.findall(_q("numFmt")):
                if f.get("formatCode") == code:
                    self._fmt_ids[code] = int(f.get("numFmtId"))
                    return self._fmt_ids[code]
                ids.append(int(f.get("numFmtId", "0")))
        if fmts is None:
            fmts = etree.Element(_q("numFmts"))
            self.root.insert(0, fmts)  # numFmts is the first child of styleSheet
        new_id = max(ids) + 1
        etree.SubElement(fmts, _q("numFmt"), numFmtId=str(new_id), formatCode=code)
        fmts.set("count", str(len(fmts.findall(_q("numFmt")))))
        self._touch()
        self._fmt_ids[code] = new_id
        return new_id

    def _named_font(self, bold: bool) -> int:
        """The workbook's first font, named FONT_NAME (and bold): one sans-serif
        everywhere sheetcrm styles, as the openpyxl writer sets it."""
        fonts = self.root.find(_q("fonts"))
        if fonts is None or not len(fonts):
            raise _Unpatchable("styles without fonts")
        new = copy.deepcopy(fonts[0])
        for tag in ("b", "name", "scheme", "family", "charset"):
            for el in new.findall(_q(tag)):
                new.remove(el)
        if bold:
            new.insert(0, etree.Element(_q("b")))
        new.append(etree.Element(_q("name"), val=FONT_NAME))  # CT_Font: name after sz and color
        for i, font in enumerate(fonts):
            if etree.tostring(font) == etree.tostring(new):
                return i
        fonts.append(new)
        fonts.set("count", str(len(fonts)))
        self._touch()
        return len(fonts) - 1

    def xf(self, base: int, fmt: str | None = None, bold: bool = False, right: bool = False,
           named: bool = False, wrap: bool = False) -> int:
        """Index of cellXfs[base] with the number format / bold / right alignment set;
        ``named``: in the named sans-serif font; ``wrap``: long text wraps, top-aligned."""
        key = (base, fmt, bold, right, named, wrap)
        if key in self._cache:
            return self._cache[key]
        xfs = self.root.find(_q("cellXfs"))
        if base >= len(xfs):
            raise _Unpatchable(f"style index {base} beyond cellXfs")
        new = copy.deepcopy(xfs[base])
        if fmt is not None:
            fmt_id = self.num_fmt(fmt)
            if new.get("numFmtId") == str(fmt_id) and not (bold or right or named or wrap):
                self._cache[key] = base
                return base
            new.set("numFmtId", str(fmt_id))
            new.set("applyNumberFormat", "1")
        if bold or named:
            new.set("fontId", str(self._named_font(bold)))
            new.set("applyFont", "1")
        if right or wrap:
            align = new.find(_q("alignment"))
            if align is None:
                align = etree.Element(_q("alignment"))
                new.insert(0, align)
            if right:
                align.set("horizontal", "right")
            if wrap:
                align.set("wrapText", "1")
                align.set("vertical", "top")
            new.set("applyAlignment", "1")
        for i, xf in enumerate(xfs):  # reuse an identical one (repeated syncs add nothing)
            if etree.tostring(xf) == etree.tostring(new):
                self._cache[key] = i
                return i
        xfs.append(new)
        xfs.set("count", str(len(xfs)))
        self._touch()
        self._cache[key] = len(xfs) - 1
        return len(xfs) - 1
