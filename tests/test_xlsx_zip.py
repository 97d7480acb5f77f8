"""The zip package of the patch writer (``xlsx_zip``) and its own reader and writer of
the ZIP format (``zip_format``): whatever parts are copied, streamed, edited, added or
removed, the new zip holds what zipfile's own writer would have held (names, order,
bytes, dates, attributes), every reader accepts it, and a damaged source never gives
a traceback nor a broken workbook."""
from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from sheetcrm.errors import BackendError
from sheetcrm.workbook.backends import xlsx_zip, zip_format
from sheetcrm.workbook.backends.base import CellUpdate, Changes
from sheetcrm.workbook.backends.xlsx import XlsxBackend

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["xl/worksheets/sheet{}.xml", "docProps/x{}.xml", "xl/média/ünïcode-{}.bin", "日本/名前{}.xml", "a b/{}"]


class _Unseekable(io.RawIOBase):
    """A file zipfile cannot seek in: it writes data descriptors after each member."""

    def __init__(self, fh):
        self.fh = fh

    def writable(self):
        return True

    def write(self, b):
        return self.fh.write(b)


def _payload(rnd: random.Random, big: bool) -> bytes:
    kind = rnd.choice(["empty", "text", "noise", "xml"])
    size = rnd.randint(4 << 20, 5 << 20) if big else rnd.choice([0, 1, 100, 70_000])
    if kind == "empty":
        return b""
    if kind == "noise":
        return rnd.randbytes(size)
    if kind == "xml":
        return b"<a>" + b"".join(b"<r i='%d'>%d</r>" % (i, rnd.randint(0, 99)) for i in range(size // 16)) + b"</a>"
    return bytes(rnd.choice(b"abc \n\xc3\xa9") for _ in range(min(size, 100_000))) * max(1, size // 100_000)


def _source(path: Path, rnd: random.Random, big: bool) -> dict[str, bytes]:
    """A random zip made by zipfile: stored and deflated members of any level, empty
    ones, unicode names, comments, attributes, with or without data descriptors."""
    members = {}
    with open(path, "wb") as fh:
        target = fh if rnd.random() < 0.6 else _Unseekable(fh)
        with zipfile.ZipFile(target, "w") as zf:
            for i in range(rnd.randint(1, 9)):
                name = rnd.choice(NAMES).format(i)
                info = zipfile.ZipInfo(name, (rnd.randint(1980, 2107), rnd.randint(1, 12), rnd.randint(1, 28),
                                              rnd.randint(0, 23), rnd.randint(0, 59), rnd.randrange(0, 60, 2)))
                info.compress_type = rnd.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
                info.external_attr = rnd.choice([0, 0o644 << 16, 0o600 << 16])
                info.comment = rnd.choice([b"", "kommentar ü".encode()])
                members[name] = _payload(rnd, big and i == 0)
                zf.writestr(info, members[name], compresslevel=rnd.choice([None, 1, 9]))
    return members


def _plan(rnd: random.Random, pkg: xlsx_zip._Package, names: list[str]) -> dict[str, bytes]:
    """Removes, streams anew, edits and adds parts at random; returns the new bytes."""
    new = {}
    for name in names:
        what = rnd.choice(["copy", "copy", "remove", "stream", "edit"])
        if what == "remove":
            pkg.removed.add(name)
        elif what == "stream":
            new[name] = _stream(rnd, pkg, name)
        elif what == "edit":
            pkg.edited[name] = etree.ElementTree(etree.fromstring(f"<e n='{rnd.random()}'>ü</e>"))
            new[name] = _xml(pkg.edited[name])
    for i in range(rnd.randint(0, 3)):
        name = f"xl/added{i}.xml"
        if rnd.random() < 0.5:
            pkg.added.append(name)
            new[name] = _stream(rnd, pkg, name)
        else:
            pkg.add(name, etree.ElementTree(etree.fromstring(f"<added i='{i}'/>")))
            new[name] = _xml(pkg.edited[name])
    return new


def _stream(rnd: random.Random, pkg: xlsx_zip._Package, name: str) -> bytes:
    data = _payload(rnd, False) * rnd.choice([1, 3])
    out = pkg.deflated()
    for at in range(0, len(data), 50_000):
        out.write(data[at:at + 50_000])
    pkg.streamed[name] = out
    return data


def _xml(tree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _plain_writer(src: Path, dest: Path, pkg: xlsx_zip._Package, new: dict[str, bytes]) -> None:
    """What zipfile's public writer makes of the same plan: the reference."""
    with zipfile.ZipFile(src) as zf, zipfile.ZipFile(dest, "w") as out:
        for info in zf.infolist():
            if info.filename in pkg.removed:
                continue
            kept = zipfile.ZipInfo(info.filename, info.date_time)
            kept.external_attr = info.external_attr
            if info.filename in new:  # a new version: deflated, without the old one's comment
                kept.compress_type = zipfile.ZIP_DEFLATED
            else:
                kept.compress_type, kept.comment = info.compress_type, info.comment
            out.writestr(kept, new.get(info.filename, zf.read(info)))
        for name in pkg.added:
            out.writestr(zipfile.ZipInfo(name), new[name], zipfile.ZIP_DEFLATED)


def _members(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return [(i.filename, zf.read(i), i.external_attr or 0o600 << 16, i.comment, i.compress_type)
                for i in zf.infolist()]


def _dated(path: Path) -> dict[str, tuple]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (i.date_time, i.external_attr) for i in zf.infolist()}


def _unzip_accepts(path: Path) -> None:
    if shutil.which("unzip"):
        done = subprocess.run(["unzip", "-tqq", str(path)], capture_output=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("seed", range(40))
def test_the_new_zip_holds_what_zipfiles_own_writer_would(seed, tmp_path):
    """Random sources and plans (every fifth with a part over 4 MiB): the zip written by
    zip_format holds the same members in the same order, the same bytes, attributes,
    comments and methods as zipfile's public writer makes of the same plan; the dates
    of kept parts are kept; zipfile (CRC of every member) and unzip accept it."""
    rnd = random.Random(seed)
    src = tmp_path / "src.zip"
    _source(src, rnd, big=seed % 5 == 0)
    pkg = xlsx_zip._Package(src)
    try:
        names = [i.filename for i in pkg.zf.infolist()]
        new = _plan(rnd, pkg, names)
        pkg.save(tmp_path / "new.zip")
        _plain_writer(src, tmp_path / "plain.zip", pkg, new)
    finally:
        pkg.close()
    assert _members(tmp_path / "new.zip") == _members(tmp_path / "plain.zip")
    old, written = _dated(src), _dated(tmp_path / "new.zip")
    assert all(written[n][0] == old[n][0] for n in written if n in old)
    # file attributes: a copied part's as they were (zipfile's writer gives 0 its own default)
    assert all(written[n][1] == old[n][1] for n in written if n in old and n not in new)
    _unzip_accepts(tmp_path / "new.zip")


@pytest.mark.parametrize("level", ["-1", "-9"])
def test_unchanged_parts_keep_their_compressed_bytes_and_flags(level, tmp_path):
    """A part copied raw keeps its bytes, CRC and the deflate-level flags Info-ZIP's zip set."""
    if not shutil.which("zip"):
        pytest.skip("Info-ZIP's zip is not installed")
    rnd = random.Random(5)
    for i in range(3):
        (tmp_path / f"p{i}.xml").write_bytes(_payload(rnd, False) + b"<x/>" * 3000)
    subprocess.run(["zip", "-q", level, "src.zip", "p0.xml", "p1.xml", "p2.xml"], cwd=tmp_path, check=True)
    pkg = xlsx_zip._Package(tmp_path / "src.zip")
    try:
        pkg.save(tmp_path / "new.zip")
    finally:
        pkg.close()
    with zipfile.ZipFile(tmp_path / "src.zip") as a, zipfile.ZipFile(tmp_path / "new.zip") as b:
        assert any(x.flag_bits & 0x6 for x in a.infolist())
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert (x.filename, x.CRC, x.compress_size, x.flag_bits & 0x6, a.read(x)) == (
                y.filename, y.CRC, y.compress_size, y.flag_bits & 0x6, b.read(y))


@pytest.mark.parametrize("seed", range(12))
def test_a_part_read_in_pieces_is_what_zipfile_reads(seed, tmp_path):
    """_Package.open (ISA-L's inflate on zip_format's reader) gives zipfile's bytes,
    whatever the sizes asked for; so does zlib's inflate."""
    rnd = random.Random(seed)
    src = tmp_path / "src.zip"
    members = _source(src, rnd, big=seed % 4 == 0)
    pkg = xlsx_zip._Package(src)
    try:
        for name, data in members.items():
            with pkg.open(name) as part:
                got = []
                while piece := part.read(rnd.choice([1, 7, 4096, 1 << 20, 3 << 20])):
                    got.append(piece)
                assert b"".join(got) == data
                assert part.read(10) == b""
            with pkg.open(name) as part:
                assert part.read() == data
            raw = zip_format.RawMember(pkg.fh, pkg.infos[name], src)
            assert zip_format.Inflated(raw, zlib.decompressobj(-15)).read() == data
    finally:
        pkg.close()


def test_isa_l_crc_is_zlibs():
    rnd = random.Random(3)
    for _ in range(200):
        data, start = rnd.randbytes(rnd.randint(0, 5000)), rnd.getrandbits(32)
        assert zip_format.crc32(data, start) == zlib.crc32(data, start)


def test_zip64_fields_and_records_past_the_limits(tmp_path, monkeypatch):
    """Past the limits (lowered here: a real one is 2 GiB), sizes, offsets and the member
    count go in ZIP64 fields and records, which zipfile and unzip read back."""
    monkeypatch.setattr(zip_format, "ZIP64_LIMIT", 5000)
    monkeypatch.setattr(zip_format, "COUNT_LIMIT", 4)
    rnd = random.Random(9)
    members = {f"m{i}.bin": rnd.randbytes(rnd.choice([0, 10, 9000])) for i in range(7)}
    with open(tmp_path / "z64.zip", "wb") as fh:
        out = zip_format.Writer(fh)
        for name, data in members.items():
            out.add(zip_format.Member(name, (2026, 1, 2, 3, 4, 6), zipfile.ZIP_STORED, zlib.crc32(data),
                                      len(data), len(data)), [data])
        out.close()
    with zipfile.ZipFile(tmp_path / "z64.zip") as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == members
        assert max(i.header_offset for i in zf.infolist()) > 5000
        # past the (lowered) limit, the offset is in a ZIP64 field (id 1) of the central directory
        assert all(i.extra[:2] == b"\x01\x00" for i in zf.infolist() if i.header_offset > 5000)
    _unzip_accepts(tmp_path / "z64.zip")
    raw = (tmp_path / "z64.zip").read_bytes()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw
    monkeypatch.setattr(zip_format, "ZIP64_LIMIT", (1 << 31) - 1)  # now only the count is past its limit
    with open(tmp_path / "many.zip", "wb") as fh:
        out = zip_format.Writer(fh)
        for i in range(5):
            out.add(zip_format.Member(f"e{i}", (2026, 1, 2, 3, 4, 6), zipfile.ZIP_STORED, 0, 0, 0), [])
        out.close()
    assert b"PK\x06\x06" in (tmp_path / "many.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "many.zip") as zf:
        assert zf.namelist() == [f"e{i}" for i in range(5)]


def test_a_zip64_source_is_copied_raw(tmp_path):
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("big.xml", "w", force_zip64=True) as dst:
        dst.write(b"<x/>" * 1000)
    pkg = xlsx_zip._Package(src)
    try:
        pkg.save(tmp_path / "new.zip")
    finally:
        pkg.close()
    assert _members(tmp_path / "new.zip")[0][1] == b"<x/>" * 1000


def test_data_must_be_the_size_its_header_says(tmp_path):
    with open(tmp_path / "z.zip", "wb") as fh:
        out = zip_format.Writer(fh)
        with pytest.raises(ValueError, match="not the 5 bytes"):
            out.add(zip_format.Member("a", (2026, 1, 1, 0, 0, 0), zipfile.ZIP_STORED, 0, 5, 5), [b"abc"])


def test_other_methods_are_read_by_zipfile_and_deflated_anew(tmp_path):
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("a.xml", b"<a/>" * 500, zipfile.ZIP_BZIP2)
        zf.writestr("b.xml", b"<b/>" * 500, zipfile.ZIP_LZMA)
    pkg = xlsx_zip._Package(src)
    try:
        pkg.save(tmp_path / "new.zip")
    finally:
        pkg.close()
    assert [(n, d, m) for n, d, _, _, m in _members(tmp_path / "new.zip")] == [
        ("a.xml", b"<a/>" * 500, zipfile.ZIP_DEFLATED), ("b.xml", b"<b/>" * 500, zipfile.ZIP_DEFLATED)]


def test_an_encrypted_part_is_refused_before_anything_is_written(tmp_path):
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("a.xml", b"<a/>")
    data = bytearray(src.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the "encrypted" flag, in both headers
        data[data.index(sig) + at] |= 0x1
    src.write_bytes(bytes(data))
    with pytest.raises(xlsx_zip._Unpatchable, match="encrypted"):
        xlsx_zip._Package(src)


# -- a damaged source: one line, nothing written ------------------------------------
def _damage(path: Path, how: str) -> None:
    """Damages z.xml's deflated data or its local header (the central directory stays:
    zipfile opens the file)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("z.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if how == "data":
        for at in range(start + 10, start + info.compress_size - 10, 7):
            data[at] ^= 0x55
    elif how == "stored":  # only the CRC tells
        data[start + 10] ^= 0x55
    elif how == "header":
        data[info.header_offset:info.header_offset + 4] = b"PK\x09\x09"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["data", "header", "stored"])
def test_a_damaged_part_is_the_one_line_error(how, tmp_path):
    rnd = random.Random(11)
    src = tmp_path / "src.zip"
    _source(src, rnd, big=False)
    with zipfile.ZipFile(src, "a") as zf:
        zf.writestr("z.xml", b"<z>" + rnd.randbytes(5000).hex().encode() + b"</z>",
                    zipfile.ZIP_STORED if how == "stored" else zipfile.ZIP_DEFLATED)
    _damage(src, how)
    pkg = xlsx_zip._Package(src)
    try:
        with pytest.raises(zip_format.DamagedZip) as caught:
            pkg.save(tmp_path / "new.zip")
    finally:
        pkg.close()
    assert isinstance(caught.value, BackendError) and isinstance(caught.value, zipfile.BadZipFile)
    assert str(caught.value) == f"workbook {src} cannot be opened as .xlsx (a damaged zip: BadZipFile); restore it from a backup"


def test_a_file_cut_short_after_it_was_opened_is_the_one_line_error(tmp_path):
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("a.bin", random.Random(1).randbytes(300_000))
    pkg = xlsx_zip._Package(src)
    try:
        os.truncate(src, 1000)
        with pytest.raises(zip_format.DamagedZip, match="a damaged zip"):
            pkg.save(tmp_path / "new.zip")
        with pytest.raises(zip_format.DamagedZip, match="a damaged zip"), pkg.open("a.bin") as part:
            part.read()
    finally:
        pkg.close()


def _sync(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sheetcrm", "--workbook", str(path), "sync"],
                          capture_output=True, text=True, env=env, cwd=path.parent, timeout=300, check=False)


@pytest.mark.parametrize("how", ["data", "header"])
def test_a_sync_of_a_workbook_with_a_damaged_part_says_one_line_and_writes_nothing(how, demo_xlsx):
    """A part no read looks at (the theme) damaged: the sync's write fails on it with
    the one line of a damaged zip (it was a traceback), and the workbook stays as it was."""
    path = demo_xlsx(40)
    with zipfile.ZipFile(path) as zf:
        theme = zf.getinfo("xl/theme/theme1.xml")
    data = bytearray(path.read_bytes())
    if how == "data":
        at = theme.header_offset + 30 + len(theme.filename) + theme.compress_size // 2
        data[at] ^= 0x55
    else:
        data[theme.header_offset:theme.header_offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    done = _sync(path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"Error: workbook {path} cannot be opened as .xlsx (a damaged zip: BadZipFile); restore it from a backup"]
    assert path.read_bytes() == bytes(data)
    assert not list(path.parent.glob("*.sheetcrm-tmp"))


_KILLED = """
import os, signal, sys
from sheetcrm.workbook.backends import zip_format
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.workbook.backends.base import CellUpdate, Changes
added = zip_format.Writer.add
def add(self, member, chunks):
    if len(self._entries) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return added(self, member, chunks)
zip_format.Writer.add = add
backend = XlsxBackend(sys.argv[1])
snap = backend.read()
backend.write(snap, Changes(cells=[CellUpdate("Candidates", r, 30, f"x{r}") for r in range(2, 30)]))
"""


def test_a_write_killed_midway_leaves_the_workbook_as_it_was(demo_xlsx):
    """Killed (SIGKILL) after three parts of the new zip: the workbook is the old one,
    byte for byte (safe_file writes a temporary file and renames it)."""
    path = demo_xlsx(40)
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _KILLED, str(path)], env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    XlsxBackend(path).read()


def test_the_write_still_goes_through_the_temporary_file(demo_xlsx, monkeypatch):
    """The new zip is written into safe_file's temporary file (renamed over the
    workbook once whole), never into the workbook itself."""
    import openpyxl

    path = demo_xlsx(20)
    into = []
    made = zip_format.Writer.__init__
    monkeypatch.setattr(zip_format.Writer, "__init__",
                        lambda self, fp: into.append(os.readlink(f"/proc/self/fd/{fp.fileno()}")) or made(self, fp))
    backend = XlsxBackend(path)
    backend.write(backend.read(), Changes(cells=[CellUpdate("Candidates", 2, 30, "x")]))
    assert len(into) == 1 and str(into[0]).endswith(".sheetcrm-tmp") and Path(into[0]).parent == path.parent
    assert openpyxl.load_workbook(path)["Candidates"].cell(2, 30).value == "x"


def test_parts_read_on_two_threads_at_once_are_their_own_bytes(tmp_path):
    """xlsx_stream.Ahead reads a worksheet on a thread of its own while the stream's
    edits read other parts (styles) of the same package, from the same open file: no
    read may move the other's file position (os.pread; a lock where there is none)."""
    import threading

    rnd = random.Random(8)
    parts = {f"p{i}.bin": rnd.randbytes(3 << 20) for i in range(4)}
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w") as zf:
        for i, (name, data) in enumerate(parts.items()):
            zf.writestr(name, data, zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED)
    pkg = xlsx_zip._Package(src)
    errors, got = [], {}

    def read(name: str) -> None:
        try:
            for _ in range(5):
                with pkg.open(name) as part:
                    pieces = []
                    while piece := part.read(4096):
                        pieces.append(piece)
                got[name] = b"".join(pieces)
                assert got[name] == parts[name]
        except BaseException as exc:  # noqa: BLE001 - raised below, on the test's thread
            errors.append(exc)

    try:
        threads = [threading.Thread(target=read, args=(name,)) for name in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pkg.close()
    assert not errors, errors[0]
    assert got == parts
