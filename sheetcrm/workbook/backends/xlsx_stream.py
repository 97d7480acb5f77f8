"""A worksheet's XML edited as a stream (issue 20): only the rows that change are parsed.

A 100,000-candidate workbook has a Pipeline part of ~115 MB of XML; as an lxml tree
that is several GiB. Here the part is read in chunks and copied to the output as it
is, except runs of consecutive rows that need an edit (a cell update, a formula whose
stored result may be stale): each run's bytes are parsed on their own, inside a copy
of the worksheet's own root tag (so every namespace prefix means what it meant),
edited by the caller, serialised and spliced back. At most one chunk and one run are
in memory at a time.

The scanner looks for ``<row``/``</row>`` in the bytes, which is exact for XML that has
no comments, CDATA sections, processing instructions, DOCTYPE or prefixed elements
inside ``sheetData`` (what Excel, LibreOffice and openpyxl write). Anything else
raises :class:`Unstreamable` and the caller edits that part as a whole tree.
"""
from __future__ import annotations

import bisect
import contextlib
import itertools
import operator
import queue
import re
import threading
from collections.abc import Callable, Sequence
from typing import IO, Self

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNK = 1 << 22
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, remove_blank_text=False)
_DECLARED = re.compile(rb'^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)["\']')
_ROOT = re.compile(rb'<worksheet(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*>')
_SHEET_DATA = re.compile(rb"<sheetData(?:\s[^>]*)?>")
# A row's tag (``<row ...>``, to its first ">") and, in group 1, the number of its first
# r="..." (None: the tag has none), in one match: no second search per row (issue 20).
_ROW_TAG = re.compile(rb'<row(?=[\s/>])(?:[^>]*?\sr\s*=\s*["\'](\d+)["\'])?[^>]*>')
_ODD = re.compile(rb"<[!?]|<[A-Za-z_][\w.-]*:[A-Za-z_]")  # comment, CDATA, PI, DOCTYPE, a prefixed element
# _ODD in parts each searched for by its first bytes, which the regex engine finds
# quickly (_ODD itself is tried at every "<": 3.7 ns a byte, 0.6 CPU s of a 100,000-
# candidate write); a prefixed element's name is checked at each colon before a letter
# that is not xml:space's (issue 20).
_MARKUP = (re.compile(rb"<!"), re.compile(rb"<\?"))
_COLON = re.compile(rb":(?<! xml:)[A-Za-z_]")
_PREFIX = re.compile(rb"<[A-Za-z_][\w.-]*")  # a name before a colon: the prefix of an element
_DIMENSION = re.compile(rb'(<dimension\s[^>]*?\bref\s*=\s*")([^"]*)(")')
_FORMULA = re.compile(rb"<f[\s/>]")
_F_OR_EXT = (re.compile(rb"<f"), re.compile(rb"<extLst"))  # two searches for a literal: faster than one for either
# Where none of _MARKUP and _F_OR_EXT can be ("<!", "<?", "<f", "<e" of "<extLst"), found in
# one search: the four searches each stop at every "<" of the piece (a tag every ~10
# bytes), this one stops once per "<" for all of them; a piece it finds something in is
# searched as before (issue 20: 0.26 -> 0.14 CPU s over the 44 pieces of a 100,000-
# candidate first sync's Candidates and Pipeline parts).
_SPECIAL = re.compile(rb"<[!?ef]")
# Every "<row", with the number of those written <row r="N"> (as openpyxl and sheetcrm do).
_ANY_ROW = re.compile(rb'<row(?: r="(\d+)">)?')


def odd(piece: bytes, special: bool = True) -> bool:
    """``_ODD.search(piece) is not None``: a comment, CDATA, PI or DOCTYPE, or an
    element with a prefix, in ``piece``. ``special=False``: ``_SPECIAL`` found nothing
    in it (no comment, CDATA, PI nor DOCTYPE to look for)."""
    if special and any(markup.search(piece) for markup in _MARKUP):
        return True
    for m in _COLON.finditer(piece):
        at = m.start()
        # Only the last "<" before the colon can start its name: [\w.-] holds no "<".
        start = piece.rfind(b"<", 0, at)
        if start >= 0 and _PREFIX.fullmatch(piece, start, at):
            return True
    return False


class Unstreamable(Exception):
    """This part's XML is beyond the byte scanner; edit it as a tree instead."""


def dimension_ref(head: bytes) -> str | None:
    """The ``<dimension ref>`` in the bytes before ``sheetData`` (None: none there)."""
    m = _DIMENSION.search(head)
    return m.group(2).decode("ascii", "replace") if m else None


def with_dimension(head: bytes, ref: str) -> bytes:
    return _DIMENSION.sub(lambda m: m.group(1) + ref.encode("ascii") + m.group(3), head, count=1)


def without_rows(src: IO[bytes]) -> tuple[bytes, bytes]:
    """A worksheet's XML before ``<sheetData>`` and after ``</sheetData>``; the rows
    between are read and dropped, never parsed."""
    buf, eof = b"", False
    while (m := _SHEET_DATA.search(buf)) is None and not eof:
        more = src.read(CHUNK)
        buf, eof = buf + more, not more
    if m is None or b"<!" in buf[:m.start()]:
        raise Unstreamable("no sheetData")
    head, buf = buf[:m.start()], buf[m.end():]
    if m.group().endswith(b"/>"):
        return head, buf + src.read()
    while (end := buf.find(b"</sheetData>")) < 0:
        if b"<!" in buf:
            raise Unstreamable("comment or CDATA in sheetData")
        more = src.read(CHUNK)
        if not more:
            raise Unstreamable("sheetData not closed")
        buf = buf[-16:] + more
    if b"<!" in buf[:end]:
        raise Unstreamable("comment or CDATA in sheetData")
    return head, buf[end + len(b"</sheetData>"):] + src.read()


class Behind:
    """``out.write`` done in order on a thread of its own, while the caller makes the
    next bytes (issue 20): a part's new XML is deflated and its CRC counted as it is
    written (xlsx_zip.Deflated), and ISA-L's and zlib's deflate and CRC release the
    GIL, so on a second core they cost the write no time (0.3 CPU s of a 100,000-
    candidate write). At most ``depth`` writes wait (memory stays bounded); what the
    thread raises is raised here, by the next ``write`` or by ``close``. ``close``
    always ends the thread; use it as a context manager."""

    def __init__(self, out: IO[bytes], depth: int = 4):
        self.out, self._error = out, None
        self._queue: queue.Queue[bytes | None] = queue.Queue(depth)
        self._thread = threading.Thread(target=self._run, name="sheetcrm-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:  # after an error the rest is only drained
                try:
                    self.out.write(data)
                except BaseException as exc:  # noqa: BLE001 - handed to the writing thread, raised there (never a silent hang)
                    self._error = exc

    def write(self, data: bytes) -> int:
        if self._error is not None:
            raise self._error
        self._queue.put(bytes(data))  # bytes as they are (no copy); anything else copied
        return len(data)

    def close(self, raise_error: bool = True) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None and raise_error:
            raise self._error

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(raise_error=kind is None)  # the caller's own error is the one to see


class Ahead:
    """``src.read`` done ahead on a thread of its own, a chunk at a time, while the
    caller edits the chunk before (issue 20): reading a part of the zip is inflating
    it and checking its CRC, which ISA-L and zlib do without the GIL. At most
    ``depth`` chunks wait; what the thread raises is raised by ``read``. ``close``
    ends the thread (before ``src`` is closed); use it as a context manager."""

    def __init__(self, src: IO[bytes], size: int = CHUNK, depth: int = 2):
        self.src, self.size, self._stop = src, size, threading.Event()
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(depth)
        self._buf, self._eof = b"", False
        self._thread = threading.Thread(target=self._run, name="sheetcrm-inflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = self.src.read(self.size)
            except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, raised there (never a silent hang)
                self._queue.put(exc)
                return
            self._queue.put(chunk)
            if not chunk:
                return

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if negative); b"": the end."""
        while not self._eof and (size < 0 or len(self._buf) < size):
            chunk = self._queue.get()
            if isinstance(chunk, BaseException):
                self._eof = True
                raise chunk
            self._eof = not chunk
            self._buf = self._buf + chunk if self._buf else chunk
        if size < 0 or size >= len(self._buf):
            data, self._buf = self._buf, b""
        else:
            data, self._buf = self._buf[:size], self._buf[size:]
        return data

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():  # a put waiting for room gets it, then sees the stop
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.01)
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RowStream:
    """Copy a worksheet from ``src`` to ``out``; the rows numbered in ``touch``
    (sorted; missing ones are created empty) and, when ``formulas``, the rows holding
    a formula are handed to ``edit`` inside a ``sheetData`` element, in file order.
    ``head(bytes) -> bytes`` may change what comes before ``sheetData``. ``fast(row
    bytes or None, number)`` may give a row's new bytes without parsing it (None: it
    cannot; the row is parsed and handed to ``edit``). ``append(rows, where, numbers)``
    may do what ``fast`` does for many rows of a piece at once: ``rows[i]`` (a row's
    bytes up to its ``</row>``, written ``<row r="N">``, with no ``<f`` or ``<extLst``) made
    row ``n``'s new bytes (without ``</row>``) for each ``i``, ``n`` of ``where``,
    ``numbers``; False: not all of them (the rows are then dropped, and the piece goes
    row by row)."""

    def __init__(self, src: IO[bytes], out: IO[bytes], touch: Sequence[int],
                 edit: Callable[[etree._Element], None], formulas: bool,
                 head: Callable[[bytes], bytes] = lambda b: b,
                 fast: Callable[[bytes | None, int], bytes | None] | None = None,
                 append: Callable[[list[bytes], list[int], list[int]], bool] | None = None):
        self.src, self.out, self.edit, self.formulas, self.head_fn = src, out, edit, formulas, head
        self.fast, self.append = fast, append
        self._pos, self._run = 0, None  # in the piece at hand: copied up to; the run waiting to be parsed
        self.pending = list(reversed(touch))  # popped from the end: smallest first
        self.last = 0  # the last row number seen (rows must ascend)
        self.parsed_rows = 0  # rows parsed (the rest were copied as bytes)
        self._formulas: list[int] = []  # where formulas start in the piece at hand
        self._emit: list[bytes] = []  # the piece at hand's new bytes, written when it is done
        self._eof = False

    def _read(self) -> bytes:
        data = self.src.read(CHUNK)
        self._eof = not data
        return data

    def run(self) -> None:
        buf = self._read()
        m = None
        while True:
            m = _SHEET_DATA.search(buf)
            if m or self._eof:
                break
            buf += self._read()
        if m is None:
            raise Unstreamable("no sheetData")
        head = buf[:m.start()]
        self._check_head(head)
        self.out.write(self.head_fn(head))
        if m.group().endswith(b"/>"):  # <sheetData/>: nothing there yet
            self.out.write(b"<sheetData>")
            self._rows(b"", final=True)
            self.out.write(b"</sheetData>")
        else:
            self.out.write(m.group())
            buf = self._body(buf[m.end():])
        self.out.write(buf)
        while chunk := self._read():
            self.out.write(chunk)

    def _check_head(self, head: bytes) -> None:
        declared = _DECLARED.match(head)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
                declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
            raise Unstreamable("not UTF-8")
        root = _ROOT.search(head)
        if root is None or b"<!" in head:
            raise Unstreamable("no plain <worksheet> root")
        # Each run is parsed inside the part's own root tag: its prefixes mean what they meant.
        self._open = root.group() + b"<sheetData>"

    def _body(self, buf: bytes) -> bytes:
        """Process the rows; returns what follows them (from ``</sheetData>`` on)."""
        while True:
            end = buf.find(b"</sheetData>")
            if end >= 0:
                self._rows(buf[:end], final=True)
                return buf[end:]
            cut = buf.rfind(b"</row>")
            if cut >= 0:
                self._rows(buf[:cut + 6], final=False)
                buf = buf[cut + 6:]
            more = self._read()
            if not more:
                raise Unstreamable("sheetData not closed")
            buf += more

    def _rows(self, piece: bytes, final: bool) -> None:
        """A piece of ``sheetData`` holding only whole rows."""
        special = _SPECIAL.search(piece) is not None
        if odd(piece, special):
            raise Unstreamable("comment, CDATA or prefixed element in sheetData")
        if self.append is not None and self._plain(piece, final, special):
            return
        rows = []  # (row number, start, end)
        edge, last, find = 0, self.last, piece.find
        for m in _ROW_TAG.finditer(piece):
            number, start, tag_end = m.group(1), m.start(), m.end()
            if number is None:
                raise Unstreamable("row without a row number")
            number = int(number)
            end = tag_end if piece[tag_end - 2] == 47 else find(b"</row>", tag_end) + 6  # 47: "/>" ends the tag
            if number <= last or start < edge or end < tag_end:
                raise Unstreamable("rows out of order")
            last, edge = number, end
            rows.append((number, start, end))
        self.last = last
        # Whatever else sits between rows (whitespace) is copied, or parsed with its run.
        self._formulas = [m.start() for m in _FORMULA.finditer(piece)] if self.formulas else []
        self._splice(piece, rows, final)

    def _plain(self, piece: bytes, final: bool, special: bool = True) -> bool:
        """A piece of plain rows only (``<row r="N">`` ... ``</row>``, one after the
        other, ascending, no formula) whose rows to edit are all there and all get
        their new cells from ``append``: written with those cells added, the row
        numbers read in one search and the rows cut in one split, not row by row
        (issue 20: 280,000 rows edited in a first sync of 100,000 candidates). False:
        nothing was written, nor any state changed; ``_rows`` goes row by row.
        ``special=False``: ``_SPECIAL`` found nothing in the piece (no ``<f`` nor ``<extLst``)."""
        if not piece.endswith(b"</row>") or (special and any(tag.search(piece) for tag in _F_OR_EXT)):
            return False  # a formula's row is handed to ``edit``; ``append`` takes rows without
        rows = piece.split(b"</row>")  # each row up to its </row>, then b""
        n = len(rows) - 1
        numbers = _ANY_ROW.findall(piece)  # b"" for a <row not written as <row r="N">
        if (len(numbers) != n or not all(numbers)
                or not all(map(bytes.startswith, rows[:-1], itertools.repeat(b'<row r="')))):
            return False  # so each <row starts a row, and each row ends at the next </row>
        numbers = list(map(int, numbers))
        if numbers[0] <= self.last or not all(map(operator.lt, numbers, numbers[1:])):
            return False
        pending, last = self.pending, numbers[-1]
        k = len(pending)
        while k and pending[k - 1] <= last:
            k -= 1
        if final and k:
            return False  # rows to create after the last one
        if k < len(pending):
            todo = pending[k:]
            where = list(map(dict(zip(numbers, range(n))).get, todo))
            if None in where or not self.append(rows, where, todo):
                return False  # a row to create, or one to parse
            piece = b"</row>".join(rows)
            del pending[k:]
        self.last = last
        self.out.write(piece)
        return True

    def _splice(self, piece: bytes, rows: list[tuple[int, int, int]], final: bool) -> None:
        """Hand over the rows that need an edit (a cell to set: the next number in
        ``pending``; a formula, when ``formulas``), creating the missing ones in
        order; what the piece's new bytes are is gathered, then written in one go."""
        last_number = rows[-1][0] if rows else 0
        self._pos, self._run, self._emit = 0, None, []
        pending, formulas, unit = self.pending, self._formulas, self._unit
        if (pending and pending[-1] <= last_number) or formulas:
            for number, start, end in rows:
                while pending and pending[-1] < number:  # new rows before this one
                    unit(piece, pending.pop(), start, start)
                if pending and pending[-1] == number:
                    pending.pop()
                    unit(piece, number, start, end)
                elif formulas:
                    at = bisect.bisect_left(formulas, start)
                    if at < len(formulas) and formulas[at] < end:
                        unit(piece, number, start, end)
        if final:  # rows after the last one there
            while pending:
                unit(piece, pending.pop(), len(piece), len(piece))
        self._flush(piece)
        self._emit.append(piece[self._pos:])
        self.out.write(b"".join(self._emit))
        self._emit = []

    def _unit(self, piece: bytes, number: int, start: int, end: int) -> None:
        """Row ``number`` (``piece[start:end]``; empty: one to create at ``start``):
        its new bytes from ``fast`` if it can, else parsed with the rows around it
        that need parsing too (one run, one parse)."""
        done = self.fast(piece[start:end] if end > start else None, number) if self.fast else None
        if done is not None:
            if self._run is not None:
                self._flush(piece)
            self._emit += (piece[self._pos:start], done)
            self._pos = end
            return
        if self._run is not None and piece.find(b"<", self._run[1], start) >= 0:
            self._flush(piece)  # rows copied as they are lie between: a run of its own
        if self._run is None:
            self._emit.append(piece[self._pos:start])
            self._run = [start, start, []]
        self._run[1] = end  # the run holds what lies between its rows too (whitespace)
        if end == start:
            self._run[2].append(number)
        self._pos = end

    def _flush(self, piece: bytes) -> None:
        if self._run is not None:
            start, end, new = self._run
            self._emit.append(self._edited(piece[start:end], new))
            self._run = None

    def _edited(self, run: bytes, new: list[int]) -> bytes:
        try:
            root = etree.fromstring(self._open + run + b"</sheetData></worksheet>", _PARSER)
        except etree.XMLSyntaxError as exc:
            raise Unstreamable(f"rows are not XML ({exc})") from None
        if root.tag != f"{{{MAIN}}}worksheet" or len(root) != 1:
            raise Unstreamable("not a transitional worksheet")
        data = root[0]
        kids = list(data)
        k = 0
        for number in new:
            while k < len(kids) and int(kids[k].get("r")) < number:
                k += 1
            row = etree.SubElement(data, f"{{{MAIN}}}row", r=str(number))
            if k < len(kids):
                kids[k].addprevious(row)
        self.parsed_rows += len(data)
        self.edit(data)
        text = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        start = text.find(b"<sheetData>")
        if start < 0:
            return b""  # every row was emptied away
        return text[start + len(b"<sheetData>"):text.rindex(b"</sheetData>")]
