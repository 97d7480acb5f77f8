"""Writes that survive a real office folder (issue 13 items 3, 4, 7): symlinked
workbooks, permissions and owners, read-only files, planted temp files, and paths
that are no workbook (folders, pipes, devices, CSVs, old .xls, .ods) -- each one
line naming the file and what to do, exit 1, never a hang or a traceback."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm import api
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.errors import BackendError
from sheetcrm.workbook import safe_file
from sheetcrm.workbook.backends.xlsx import XlsxBackend

TODAY = "2026-11-22"
SALT = {"SHEETCRM_SUPPRESSION_SALT": "pepper"}


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env={**SALT, **(env or {})})


def one_line_error(result, *needles: str) -> str:
    """Exit 1, one line on stderr/output, naming what it must, no traceback."""
    out = result.output.strip()
    assert result.exit_code == 1, out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "\n" not in out and "Traceback" not in out, out
    assert out.startswith("Error: "), out
    for needle in needles:
        assert needle in out, out
    return out


def without_issues_tab(path: Path) -> Path:
    """A workbook `init --upgrade` has something to add to."""
    wb = openpyxl.load_workbook(path)
    del wb["Issues"]
    wb.save(path)
    return path


# Every way sheetcrm writes a local workbook, as the command a person types.
WRITERS = {
    "sync": lambda p: run("--workbook", str(p), "sync", "--today", TODAY),
    "forget": lambda p: run("--workbook", str(p), "forget", "--candidate-id", "C-00002", "--yes", "--today", TODAY),
    "init --upgrade": lambda p: run("--workbook", str(p), "init", "--upgrade"),
    "init --force": lambda p: run("--workbook", str(p), "init", "--force", "--demo", "5", "--today", TODAY),
}


@pytest.fixture
def workbook(demo_xlsx):
    """A 12-candidate demo workbook that every writer has something to write to."""
    return lambda writer, name="demo.xlsx": (without_issues_tab if writer == "init --upgrade" else lambda p: p)(
        demo_xlsx(12, name=name))


def opens(path: Path) -> bool:
    openpyxl.load_workbook(path, read_only=True).close()
    return True


# -- links, permissions, owners ---------------------------------------------------

@pytest.mark.parametrize("writer", WRITERS)
def test_a_symlinked_workbook_stays_a_link_and_its_target_is_updated(writer, workbook, tmp_path):
    target = workbook(writer)
    shared = tmp_path / "shared drive"
    shared.mkdir()
    real = shared / "agency.xlsx"
    shutil.move(target, real)
    link = tmp_path / "agency.xlsx"
    link.symlink_to(real)
    before = real.read_bytes()
    result = WRITERS[writer](link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != before and opens(real)
    assert not [p.name for p in tmp_path.iterdir() if "sheetcrm" in p.name], "temp and lock files go beside the target"
    assert not [p.name for p in shared.iterdir() if p.name.endswith(".sheetcrm-tmp")]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o660, 0o604])
@pytest.mark.parametrize("writer", WRITERS)
def test_a_write_keeps_the_permissions(writer, mode, workbook):
    path = workbook(writer)
    os.chmod(path, mode)
    before = path.read_bytes()
    result = WRITERS[writer](path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() != before
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another user")
@pytest.mark.parametrize("writer", ["sync", "forget"])
def test_a_write_keeps_the_owner_where_it_may(writer, workbook):
    path = workbook(writer)
    os.chown(path, 4321, 4322)
    assert WRITERS[writer](path).exit_code == 0
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4322)


def test_a_new_workbook_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        assert run("--workbook", str(tmp_path / "new.xlsx"), "init").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.xlsx").stat().st_mode) == 0o640


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
@pytest.mark.parametrize("writer", WRITERS)
def test_a_read_only_workbook_is_refused_with_one_line_and_left_alone(writer, mode, workbook):
    path = workbook(writer)
    os.chmod(path, mode)
    before = path.read_bytes()
    one_line_error(WRITERS[writer](path), str(path), "read-only", "chmod u+w")
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == mode
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".sheetcrm-tmp")]


def test_a_read_only_workbook_still_reads_and_dry_runs(demo_xlsx):
    path = demo_xlsx(12)
    os.chmod(path, 0o444)
    assert run("--workbook", str(path), "sync", "--dry-run", "--today", TODAY).exit_code == 0
    assert run("--workbook", str(path), "validate", "--today", TODAY).exit_code in (0, 1)


# -- planted temp files -------------------------------------------------------------

@pytest.mark.parametrize("name", [
    ".{name}.sheetcrm-tmp",  # the fixed temp name every writer used before issue 13
    ".{name}.sheetcrm-lock.json",  # the note saying who holds the lock
    ".{name}.sheetcrm-lock.json.tmp",  # its old fixed temp name
])
@pytest.mark.parametrize("writer", ["sync", "forget"])
def test_a_planted_symlink_at_a_predictable_name_is_not_followed(writer, name, workbook, tmp_path):
    path = workbook(writer)
    victim = tmp_path / "victim.txt"
    victim.write_text("important")
    planted = path.with_name(name.format(name=path.name))
    planted.symlink_to(victim)
    result = WRITERS[writer](path)
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "important"
    assert opens(path) and not path.is_symlink()


def test_a_planted_symlink_as_the_lock_file_is_refused_not_followed(demo_xlsx, tmp_path):
    path = demo_xlsx(12)
    victim = tmp_path / "victim.txt"
    victim.write_text("important")
    path.with_name(f".{path.name}.sheetcrm-lock").symlink_to(victim)
    before = path.read_bytes()
    one_line_error(run("--workbook", str(path), "sync", "--today", TODAY), "write lock", "nothing was written")
    assert victim.read_text() == "important" and path.read_bytes() == before


def test_a_folder_at_the_old_temp_name_is_left_alone(demo_xlsx):
    path = demo_xlsx(12)
    planted = path.with_name(f".{path.name}.sheetcrm-tmp")
    planted.mkdir()
    (planted / "keep.txt").write_text("x")
    assert run("--workbook", str(path), "sync", "--today", TODAY).exit_code == 0
    assert (planted / "keep.txt").read_text() == "x" and opens(path)


def test_every_write_uses_a_fresh_temp_name(demo_xlsx, monkeypatch):
    path = demo_xlsx(12)
    seen: list[str] = []
    real = os.replace

    def spy(src, dst, *a, **k):
        seen.append(os.path.basename(src))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(safe_file.os, "replace", spy)
    backend = XlsxBackend(path)
    for day in ("2026-11-22", "2027-03-01"):
        assert run("--workbook", str(path), "sync", "--today", day).exit_code == 0
    temps = [n for n in seen if n.endswith(".sheetcrm-tmp")]
    assert len(temps) == 2 and len(set(temps)) == 2 and f".{path.name}.sheetcrm-tmp" not in temps
    assert backend.read()


def test_the_temp_file_is_flushed_to_disk_before_the_rename(demo_xlsx, monkeypatch):
    path = demo_xlsx(12)
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(safe_file.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(safe_file.os, "replace",
                        lambda a, b: (events.append(f"replace {os.path.basename(b)}"), real_replace(a, b))[1])
    assert run("--workbook", str(path), "sync", "--today", TODAY).exit_code == 0
    put = events.index(f"replace {path.name}")
    assert "fsync" in events[:put] and events[put + 1:] == ["fsync"]  # the file, then the folder's entry


def test_a_temp_file_swapped_for_a_link_before_the_rename_is_not_put_in_place(demo_xlsx, tmp_path, monkeypatch):
    path = demo_xlsx(12)
    victim = tmp_path / "victim.txt"
    victim.write_text("important")
    before = path.read_bytes()
    backend = XlsxBackend(path)
    snapshot = backend.read()

    def swap():  # someone who can write the folder, between our last look and the rename
        for tmp in path.parent.glob(f".{path.name}.*.sheetcrm-tmp"):
            tmp.unlink()
            tmp.symlink_to(victim)

    with pytest.raises(BackendError, match="replaced by someone else"):
        safe_file.replace(path, lambda fh: fh.write(b"new"), swap)
    assert path.read_bytes() == before and victim.read_text() == "important" and snapshot


# -- paths that are no workbook -------------------------------------------------------

def _ole(path: Path) -> None:
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")


def _renamed(suffix: str):
    def make(path: Path) -> None:
        api.init_workbook(Settings(workbook=path.with_suffix(".xlsx")), dt.date(2026, 11, 22))
        path.with_suffix(".xlsx").rename(path)
    return make


# name -> (file name, how to make it, words the one line must hold)
PATH_PROBLEMS = {
    "a folder": ("agency.xlsx", lambda p: p.mkdir(), "is a folder"),
    "a folder named like no workbook": ("shared", lambda p: p.mkdir(), "is a folder"),
    "an .xlsx named .xls": ("agency.xls", _renamed(".xls"), "named .xls"),
    "an .xlsx named .ods": ("agency.ods", _renamed(".ods"), "named .ods"),
    "an .xlsx named without an ending": ("agency", _renamed(""), "without the .xlsx ending"),
    "a real CSV": ("agency.csv", lambda p: p.write_text("candidate_id,name\nC-1,A\n"), "text file (CSV?)"),
    "a CSV named .xlsx": ("agency.xlsx", lambda p: p.write_text("candidate_id,name\nC-1,A\n"), "text file (CSV?)"),
    "an OLE file (.xls)": ("agency.xls", _ole, "old-format Excel file (.xls) or a password-protected"),
    "an OLE file named .xlsx": ("agency.xlsx", _ole, "password-protected workbook"),
    "an .ods": ("agency.ods", _ods, "OpenDocument spreadsheet (.ods)"),
    "an .ods named .xlsx": ("agency.xlsx", _ods, "OpenDocument spreadsheet (.ods)"),
    "a zip of something else": ("agency.xlsx", _zip, "zip file but no workbook"),
    "an empty file": ("agency.xlsx", lambda p: p.write_bytes(b""), "empty (0 bytes)"),
    "binary junk": ("agency.xlsx", lambda p: p.write_bytes(b"\x00\x01\x02junk" * 50), "not a zip package"),
    "a FIFO": ("agency.xlsx", lambda p: os.mkfifo(p), "named pipe (FIFO)"),
    "a dangling link": ("agency.xlsx", lambda p: p.symlink_to(p.with_name("gone.xlsx")), "which does not exist"),
    "a path through a file": ("file.xlsx/agency.xlsx", lambda p: p.parent.write_text("x"), "part of that path is a file"),
    "missing": ("agency.xlsx", lambda p: None, "does not exist; create it with"),
    "a missing folder": ("nowhere/agency.xlsx", lambda p: None, "does not exist"),
}


@pytest.mark.parametrize("command", [["sync", "--today", TODAY], ["validate"], ["report", "circle-backs"],
                                     ["forget", "--candidate-id", "C-00001", "--yes"], ["init", "--upgrade"]])
@pytest.mark.parametrize("case", PATH_PROBLEMS)
def test_a_path_that_is_no_workbook_is_one_line_naming_it_and_exit_1(case, command, tmp_path):
    name, make, words = PATH_PROBLEMS[case]
    path = tmp_path / name
    make(path)
    out = one_line_error(run("--workbook", str(path), *command), str(path), words)
    assert not (tmp_path / "nowhere").exists(), "a mistyped path makes no folder"
    if case == "a missing folder":
        assert "nowhere" in out


def test_dev_null_is_a_device_not_a_workbook():
    one_line_error(run("--workbook", "/dev/null", "sync", "--today", TODAY), "/dev/null", "is a device")


def test_an_empty_workbook_setting_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_error(run("sync", env={"SHEETCRM_WORKBOOK": ""}), "workbook", "empty")


@pytest.mark.parametrize("case", ["a folder", "an .xlsx named .ods", "a FIFO", "a CSV named .xlsx"])
def test_init_refuses_what_it_must_not_replace(case, tmp_path):
    name, make, _words = PATH_PROBLEMS[case]
    path = tmp_path / name
    make(path)
    first = path.stat(follow_symlinks=False) if os.path.lexists(path) else None
    result = run("--workbook", str(path), "init", "--force")
    if case == "a CSV named .xlsx":  # a regular file with the right name: --force replaces it, as asked
        assert result.exit_code == 0 and opens(path)
        return
    one_line_error(result, str(path))
    assert first is None or stat.S_IFMT(os.stat(path, follow_symlinks=False).st_mode) == stat.S_IFMT(first.st_mode)


def test_a_workbook_replaced_by_a_folder_mid_sync_is_one_line(demo_xlsx, monkeypatch):
    path = demo_xlsx(12)
    real_write = XlsxBackend._write

    def a_folder_first(self, *args, **kwargs):  # after the read, before the write
        path.unlink()
        path.mkdir()
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(XlsxBackend, "_write", a_folder_first)
    one_line_error(run("--workbook", str(path), "sync", "--today", TODAY), str(path), "is a folder")
    assert path.is_dir() and not list(path.iterdir())


def test_a_workbook_replaced_by_a_folder_during_the_rename_is_one_line(demo_xlsx, monkeypatch):
    path = demo_xlsx(12)
    real_replace = os.replace

    def folder_first(src, dst):
        Path(dst).unlink()
        Path(dst).mkdir()
        return real_replace(src, dst)

    monkeypatch.setattr(safe_file.os, "replace", folder_first)
    one_line_error(run("--workbook", str(path), "sync", "--today", TODAY), str(path), "became a folder")
    assert not list(path.parent.glob("*.sheetcrm-tmp"))


def test_temp_files_a_killed_writer_left_are_removed_once_stale(demo_xlsx, tmp_path):
    path = demo_xlsx(12)
    stale = path.with_name(f".{path.name}.k1ll3d.sheetcrm-tmp")
    fresh = path.with_name(f".{path.name}.wr1t1ng.sheetcrm-tmp")
    planted = path.with_name(f".{path.name}.l1nk.sheetcrm-tmp")
    victim = tmp_path / "victim.txt"
    victim.write_text("important")
    stale.write_bytes(b"half a zip")
    fresh.write_bytes(b"half a zip")
    planted.symlink_to(victim)
    hour_ago = stale.stat().st_mtime - 2 * safe_file.STALE_AFTER_SECONDS
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(planted, (hour_ago, hour_ago), follow_symlinks=False)
    assert run("--workbook", str(path), "sync", "--today", TODAY).exit_code == 0
    assert not stale.exists() and fresh.exists() and not os.path.lexists(planted)
    assert victim.read_text() == "important"


def test_excel_s_lock_beside_a_symlinked_workbook_s_target_is_seen(demo_xlsx, tmp_path):
    real = demo_xlsx(12)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    real.with_name("~$" + real.name).write_text("excel")
    before = real.read_bytes()
    one_line_error(run("--workbook", str(link), "sync", "--today", TODAY), "open in Excel or LibreOffice")
    assert real.read_bytes() == before


@pytest.mark.parametrize("case", ["a folder", "a FIFO", "a CSV named .xlsx"])
def test_run_py_says_what_the_path_is_and_leaves_no_lock_beside_what_is_no_file(case, tmp_path):
    name, make, words = PATH_PROBLEMS[case]
    path = tmp_path / name
    make(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCRM_")}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "run.py"), "--workbook", str(path),
                           "--once"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr, done.stderr
    locks = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(("sheetcrm-lock", "sheetcrm-run-lock")))
    assert locks == ([] if case != "a CSV named .xlsx" else [f".{name}.sheetcrm-lock", f".{name}.sheetcrm-run-lock"])
