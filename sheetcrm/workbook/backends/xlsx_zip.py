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
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO

from lxml import etree

from . import zip_format
from .base import FONT_NAME, col_number
from .zip_format import Member

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
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)  # what zipfile reads
_OWNER_RW = 0o600 << 16  # a new part's file attributes: ?rw------- (zipfile's for a member written anew)
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
        self.path = path
        self.folder = Path(os.path.realpath(path)).parent  # where the new file will be written
        try:
            self.fh = open(path, "rb")  # noqa: SIM115 - closed by close(), as the zip read from it
        except OSError as exc:
            raise _Unpatchable(f"not a zip ({exc})") from None
        try:  # zipfile reads the central directory; the members are read here (zip_format)
            self.zf = zipfile.ZipFile(self.fh)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            self.fh.close()
            raise _Unpatchable(f"not a zip ({exc})") from None
        self.infos = {info.filename: info for info in self.zf.infolist()}  # the last of a name, as zipfile's
        odd = [i.filename for i in self.zf.infolist() if i.flag_bits & 0x1 or i.compress_type not in _METHODS]
        if odd:  # refused now, not halfway through the save
            self.zf.close()
            self.fh.close()
            raise _Unpatchable(f"{odd[0]} is encrypted or compressed in a way zipfile cannot read")
        self.names = set(self.infos)
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
        self.fh.close()
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
                with self.open(name) as src:
                    data = src.read()
                self._parsed[name] = etree.fromstring(data, _PARSER).getroottree()
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

    def open(self, part: str | zipfile.ZipInfo) -> IO[bytes]:
        """A part to read as a stream: stored or deflated ones (every part Excel or
        LibreOffice writes) read here and inflated by ISA-L where it is there, twice as
        fast as zlib; zipfile's ``open`` reads the other methods (bzip2, lzma)."""
        info = part if isinstance(part, zipfile.ZipInfo) else self.infos[part]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return self.zf.open(info)
        return zip_format.Inflated(zip_format.RawMember(self.fh, info, self.path), _inflater())

    def save(self, dest) -> None:
        """The new zip (a path or an open binary file): every part streamed from the old
        one or its new version (no part is held in memory whole but the small edited
        trees). A part of the old one that turns out damaged fails it (``DamagedZip``)."""
        if isinstance(dest, (str, os.PathLike)):
            with open(dest, "wb") as fh:
                return self.save(fh)
        out = zip_format.Writer(dest)
        try:
            for info in self.zf.infolist():
                if info.filename in self.removed:
                    continue
                if info.filename in self.streamed:
                    self._write_streamed(out, info.filename, info)
                elif info.filename in self.edited:
                    self._write_xml(out, info.filename, info)
                else:
                    self._copy(out, info)
            for name in self.added:
                if name in self.streamed:
                    self._write_streamed(out, name, None)
                else:
                    self._write_xml(out, name, None)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            if isinstance(exc, zip_format.DamagedZip):
                raise
            raise zip_format.damaged(self.path, f"{type(exc).__name__}: {exc}") from None
        out.close()

    def _copy(self, out: zip_format.Writer, info: zipfile.ZipInfo) -> None:
        """An unchanged part copied as it is compressed: deflating a 100,000-row tab that
        did not change again took seconds (issue 20). Its bytes are still inflated on the
        way, to check their CRC as reading them did: a damaged part fails the write
        (``DamagedZip``), never copied on. A method other than stored or deflated is
        read by zipfile and deflated anew."""
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raw = zip_format.RawMember(self.fh, info, self.path)
            out.add(Member.copy_of(info), zip_format.checked(raw, _inflater()))
            return
        data = self.deflated()
        try:
            with self.open(info) as src:
                shutil.copyfileobj(src, data, _COPY)
            self._add_deflated(out, data, info.filename, info)
        finally:
            data.close()

    def _write_streamed(self, out: zip_format.Writer, name: str, info: zipfile.ZipInfo | None) -> None:
        """A part deflated while it was made (``Deflated``), copied in as it is compressed."""
        self._add_deflated(out, self.streamed[name], name, info)

    def _add_deflated(self, out: zip_format.Writer, data: Deflated, name: str, info: zipfile.ZipInfo | None) -> None:
        compressed = data.finish()
        data.file.seek(0)
        out.add(self._member(name, info, data.crc, compressed, data.size), iter(lambda: data.file.read(_COPY), b""))

    @staticmethod
    def _member(name: str, info: zipfile.ZipInfo | None, crc: int, compressed: int, size: int) -> Member:
        """A part written anew, deflated; named, dated and with the file attributes of
        the part it replaces, if any; else read and write for its owner, as zipfile's
        ``open(name, "w")`` sets them."""
        if info is None:
            return Member(name, dt.datetime.now().timetuple()[:6], zipfile.ZIP_DEFLATED, crc, compressed, size,
                          _OWNER_RW)
        return Member(name, info.date_time, zipfile.ZIP_DEFLATED, crc, compressed, size,
                      info.external_attr or _OWNER_RW, info.create_system)

    def _write_xml(self, out: zip_format.Writer, name: str, info: zipfile.ZipInfo | None) -> None:
        data = etree.tostring(self.edited[name], xml_declaration=True, encoding="UTF-8", standalone=True)
        # zlib's default level for a small edited part; level 1 past 1 MiB (what writestr was given)
        deflate = zlib.compressobj(1 if len(data) > (1 << 20) else 6, zlib.DEFLATED, -15)
        compressed = deflate.compress(data) + deflate.flush()
        out.add(self._member(name, info, zip_format.crc32(data), len(compressed), len(data)), [compressed])


def _inflater():
    """A raw inflater: ISA-L's where it is installed (a part read in half the time), else zlib's."""
    return _isal.decompressobj(-15) if _isal is not None else zlib.decompressobj(-15)


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
        self.crc = zip_format.crc32(data, self.crc)
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

    def written_elsewhere(self, crc: int, size: int) -> None:
        """``file`` holds a whole deflate stream another process wrote (xlsx_aside) of
        ``size`` bytes with this CRC: saved as one written here (``finish`` ends nothing)."""
        self.crc, self.size, self._finished = crc, size, True

    def close(self) -> None:
        self.file.close()


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
