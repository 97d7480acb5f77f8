"""The Google path of the benchmark: sheetcrm's GSheetsBackend against the stand-in
Sheets API (``tests/standin``), next to the naive gspread way.

The stand-in runs in a process of its own (``python bench/google_path.py serve SPEC``),
so the measuring process's time and memory are the client's alone, as they would
be against Google. It holds the generated workbook (dates as the serial numbers
Google returns), answers over HTTP on 127.0.0.1, and takes one-line commands on
stdin: ``count`` (requests served so far, by kind), ``reset`` (the pristine
workbook again), ``quit``.

The naive baseline is what a first gspread script looks like: open the
spreadsheet, ``worksheet()`` + ``get_all_values()`` per tab, compute, then
``update_cell`` for every cell to write, and ``clear()`` + ``update_cell`` per
cell for each owned tab. Its requests are counted exactly; its write time is
taken on a sample of ``update_cell`` calls and scaled to the number of cells.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: import from the project root, not from bench/
    sys.path[0] = str(ROOT)

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
EPOCH = dt.date(1899, 12, 30)


class NotAvailable(RuntimeError):
    """The stand-in or the backend is missing: the gsheets rows say why."""


def _check_available() -> None:
    if not (ROOT / "tests" / "standin" / "__init__.py").exists():
        raise NotAvailable("tests/standin (the stand-in Sheets API, issue 7) does not exist yet")
    try:
        from sheetcrm.workbook.backends.gsheets import GSheetsBackend  # noqa: F401
    except ImportError as exc:
        raise NotAvailable(f"sheetcrm.workbook.backends.gsheets.GSheetsBackend cannot be imported ({exc})") from None


def google_cells(grids: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """What Google holds for a typed workbook: dates as serial numbers."""
    out = {}
    for title, rows in grids.items():
        out[title] = [[(v - EPOCH).days if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v
                       for v in row] for row in rows]
    return out


# -- the stand-in process ----------------------------------------------------------
def serve_main(spec_file: str) -> int:
    """Child process: generate the workbook, serve it, answer commands on stdin."""
    from bench import generate
    from sheetcrm.config import Settings
    from tests.standin import serve

    spec = json.loads(Path(spec_file).read_text())
    grids = google_cells(generate.workbook_grids(spec["size"], Settings(), seed=spec.get("seed", 7),
                                                 positions=spec.get("positions", 200)))
    key = f"bench-{spec['size']}"
    with serve() as google:
        google.add_book(grids, key=key)
        print(json.dumps({"url": google.url, "key": key}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "count":
                kinds: dict[str, int] = {}
                for k in list(google.log):
                    kinds[k] = kinds.get(k, 0) + 1
                print(json.dumps({"total": sum(kinds.values()), "kinds": kinds}), flush=True)
            elif cmd == "reset":
                google.add_book(grids, key=key)
                print(json.dumps({"ok": True}), flush=True)
            elif cmd == "quit":
                break
    return 0


class StandIn:
    """Client side of the stand-in process."""

    def __init__(self, proc: subprocess.Popen, url: str, key: str):
        self.proc, self.url, self.key = proc, url, key

    def _ask(self, cmd: str) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in process stopped")
        return json.loads(line)

    def request_count(self) -> int:
        return int(self._ask("count")["total"])

    def request_kinds(self) -> dict[str, int]:
        return self._ask("count")["kinds"]

    def load(self, grids: Any = None) -> None:
        """The pristine generated workbook again (the stand-in generated it itself)."""
        self._ask("reset")

    def backend(self, settings: Any) -> Any:
        from google.auth.credentials import AnonymousCredentials

        from sheetcrm.workbook.backends.gsheets import GSheetsBackend

        # A generous read timeout: the stand-in is a small Python server, and at 100,000
        # candidates one batchGet / batchUpdate carries a million cells.
        return GSheetsBackend(self.key, AnonymousCredentials(), base_url=self.url, timeout=(10.0, 900.0))


@contextlib.contextmanager
def standin(spec: dict[str, Any]) -> Iterator[StandIn]:
    _check_available()
    spec_file = Path(spec["workdir"]) / f"standin-{spec['size']}.json"
    spec_file.write_text(json.dumps(spec))
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", str(spec_file)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            raise NotAvailable(f"the stand-in process did not start (exit {proc.wait(timeout=30)})")
        info = json.loads(line)
        yield StandIn(proc, info["url"], info["key"])
    finally:
        with contextlib.suppress(Exception):
            if proc.stdin:
                proc.stdin.write("quit\n")
                proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the naive gspread way -----------------------------------------------------------
def _gspread_client(url: str) -> tuple[Any, list[int]]:
    """A plain gspread client whose requests go to the stand-in, through gspread's
    documented ``http_client`` hook; returns (client, [request count])."""
    import gspread
    from google.auth.credentials import AnonymousCredentials
    from gspread.http_client import HTTPClient

    counter = [0]

    class LocalHTTP(HTTPClient):
        def request(self, method, endpoint, params=None, data=None, json=None, files=None, headers=None):
            for host in GOOGLE_HOSTS:
                if endpoint.startswith(host):
                    endpoint = url + endpoint[len(host):]
            counter[0] += 1
            return super().request(method, endpoint, params=params, data=data, json=json, files=files,
                                   headers=headers)

    return gspread.Client(AnonymousCredentials(), http_client=functools.partial(LocalHTTP)), counter


def naive_sync_cost(stand: StandIn, settings: Any, first_sync: dict[str, Any], sample: int = 300) -> dict[str, Any]:
    """Requests and time of the naive gspread sync of the same workbook.

    ``first_sync`` is sheetcrm's measured first sync (its row): the naive script
    computes the same things, so it writes the same ``cells_written`` cells (owned
    tab cells included) and spends the same compute time (frames + analyse + plan)."""
    from sheetcrm import schema

    client, counter = _gspread_client(stand.url)
    t0 = time.perf_counter()
    sh = client.open_by_key(stand.key)
    for key in schema.INPUT_TABS:
        sh.worksheet(settings.tab_title(key)).get_all_values()
    read_seconds = time.perf_counter() - t0
    read_requests = counter[0]

    # The write cost per cell, on a sample (these sample requests are not part of the count).
    ws = sh.worksheet(settings.tab_title(schema.CANDIDATES))
    header = ws.row_values(1)
    col = header.index("row_issues") + 1 if "row_issues" in header else len(header) + 1
    t0 = time.perf_counter()
    for r in range(2, sample + 2):
        ws.update_cell(r, col, "naive per-cell write")
    per_cell = (time.perf_counter() - t0) / sample

    # Owned tabs, naively: look each up and clear it (its cells are then written one by one).
    before = counter[0]
    t0 = time.perf_counter()
    for key in (schema.SUMMARY, schema.CIRCLE_BACKS, schema.ISSUES):
        with contextlib.suppress(Exception):
            sh.worksheet(settings.tab_title(key)).clear()
    tab_seconds = time.perf_counter() - t0
    tab_requests = counter[0] - before

    cells = int(first_sync.get("cells_written") or 0)
    phases = first_sync.get("phases") or {}
    compute = sum(phases.get(k, 0.0) for k in ("frames", "analyse", "plan"))
    return {
        "baseline_requests": read_requests + tab_requests + cells,
        "baseline_seconds": read_seconds + compute + tab_seconds + per_cell * cells,
        "baseline_note": (f"per-cell gspread: {read_requests} reads + {tab_requests} tab clears + {cells:,} update_cell; "
                          f"update_cell timed on {sample} calls ({per_cell * 1000:.1f} ms each) and scaled"),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        sys.exit(serve_main(sys.argv[2]))
    print("usage: python bench/google_path.py serve SPEC.json (started by bench/measure.py)", file=sys.stderr)
    sys.exit(2)
