"""`sheetcrm forget` (GDPR erasure): no trace of the person in any cell, counts intact,
their email/phone suppressed so a re-added row is flagged and never called."""
from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm import api, privacy, schema
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.workbook.layout import workbook_layout

from conftest import make_memory, rows_for

TODAY = "2026-11-22"
D = dt.date
EMAIL, PHONE, NAME = "Ada.L@example.com", "+44 7700 900123", "Ada Lovelace"

CANDIDATES = [
    {"candidate_id": "C-00001", "name": NAME, "email": EMAIL, "phone": PHONE, "location": "London, UK",
     "skills": "python, aws", "salary_expectation": 80000, "contact_every": "monthly",
     "last_contacted": D(2026, 3, 1), "notes": "mobile 07700 900123, prefers mornings"},
    {"candidate_id": "C-00002", "name": "Bo Brandt", "email": "bo@example.com", "skills": "python",
     "notes": "referred by Ada Lovelace (ada.l@example.com)"},
    {"candidate_id": None, "name": "A. Lovelace", "email": "ADA.L@example.com", "skills": "python"},  # entered twice
]
POSITIONS = [{"position_id": "P-1", "title": "Backend", "skills": "python, aws", "location": "Remote", "status": "open"},
             {"position_id": "P-2", "title": "Data", "skills": "python", "location": "Remote", "status": "filled"}]
PIPELINE = [
    {"candidate_id": "C-00001", "position_id": "P-2", "first_contacted": D(2026, 1, 5), "outcome": "rejected",
     "rejection_reason": "Ada asked 95k, salary negotiation failed", "decided_on": D(2026, 2, 1)},
    {"candidate_id": "C-00001", "position_id": "P-1", "first_contacted": D(2025, 6, 1), "outcome": "ghosted",
     "decided_on": D(2025, 7, 1)},
    {"candidate_id": "C-00002", "position_id": "P-2", "first_contacted": D(2026, 1, 5), "outcome": "ghosted",
     "decided_on": D(2026, 1, 20)},
]


def workbook(tmp_path, settings=None):
    settings = settings or Settings(suppression_salt="pepper")
    path = tmp_path / "agency.xlsx"
    data = {schema.CANDIDATES: rows_for(schema.CANDIDATES, CANDIDATES),
            schema.POSITIONS: rows_for(schema.POSITIONS, POSITIONS),
            schema.PIPELINE: rows_for(schema.PIPELINE, PIPELINE)}
    XlsxBackend(path).create(workbook_layout(settings, data))
    wb = openpyxl.load_workbook(path)
    ws = wb["Candidates"]
    ws.cell(1, 30, "linkedin")  # a column of their own: sheetcrm does not know it
    ws.cell(2, 30, "linkedin.example.com/in/ada-lovelace")
    log = wb.create_sheet("Call log")
    log.append(["when", "what"])
    log.append([dt.datetime(2026, 3, 1), "called Ada Lovelace on +44 (0)7700 900 123"])
    log.append([dt.datetime(2026, 3, 2), 447700900123])
    wb.save(path)
    return path, settings.replace(workbook=path)


def cells(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell.coordinate, cell.value


def traces(path):
    """Every cell that still holds the email, the phone (any formatting) or the name."""
    found = []
    for tab, where, value in cells(path):
        text = str(value)
        digits = re.sub(r"\D", "", text)
        if ("ada.l@example.com" in text.lower() or "7700900123" in digits or "lovelace" in text.lower()
                or re.search(r"\bada\b", text, re.I)):
            found.append((tab, where, text))
    return found


def run(args, path):
    return CliRunner().invoke(cli, ["--workbook", str(path), *args])


@pytest.fixture
def forgotten(tmp_path, monkeypatch):
    path, settings = workbook(tmp_path)
    monkeypatch.setenv("SHEETCRM_SUPPRESSION_SALT", "pepper")
    assert run(["sync", "--today", TODAY], path).exit_code == 0
    assert traces(path), "the test workbook must start with the person in it"
    before = api.analyse_workbook(settings, D(2026, 11, 22)).figures
    result = run(["forget", "--email", EMAIL, "--today", TODAY, "--yes"], path)
    return path, settings, result, before


def test_forget_leaves_no_trace_in_any_cell(forgotten):
    path, settings, result, _ = forgotten
    assert result.exit_code == 0, result.output
    assert traces(path) == []
    # A second sync has nothing to add back.
    assert run(["sync", "--today", TODAY], path).exit_code == 0
    assert traces(path) == []


def test_messages_never_show_the_email_phone_or_name(forgotten):
    _, _, result, _ = forgotten
    text = result.output.lower()
    assert "example.com" not in text and "7700" not in text and "lovelace" not in text
    assert "C-00001" in result.output and "Suppressed" in result.output


def test_id_kept_do_not_contact_set_counts_unchanged(forgotten):
    path, settings, _, before = forgotten
    ws = openpyxl.load_workbook(path)["Candidates"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header) if h}
    ada = [c.value for c in ws[2]]
    assert ada[col["candidate_id"]] == "C-00001" and ada[col["name"]] == privacy.FORGOTTEN_NAME
    assert str(ada[col["do_not_contact"]]).lower() == "yes" and ada[col["circle_back_status"]] == "never"
    assert ada[col["email"]] is None and ada[col["phone"]] is None and ada[col["notes"]] is None
    twin = [c.value for c in ws[4]]
    assert twin[col["name"]] == privacy.FORGOTTEN_NAME and twin[col["email"]] is None
    bo = [c.value for c in ws[3]]
    assert bo[col["name"]] == "Bo Brandt" and bo[col["notes"]] == "referred by (forgotten) ((forgotten))"
    pipe = openpyxl.load_workbook(path)["Pipeline"]
    assert pipe.max_row == 4 and pipe.cell(2, 1).value == "C-00001"
    assert pipe.cell(2, 8).value == "(forgotten) asked 95k, salary negotiation failed"
    after = api.analyse_workbook(settings, D(2026, 11, 22)).figures
    keys = ["position_id", "considered", "contacted", "responded", "hired", "hard_no", "soft_no", "unclassified"]
    assert after[keys].to_dict("records") == before[keys].to_dict("records")


def test_suppressed_tab_holds_salted_hashes_only(forgotten):
    path, settings, _, _ = forgotten
    ws = openpyxl.load_workbook(path)["Suppressed"]
    rows = [[c.value for c in r][:3] for r in ws.iter_rows()]
    assert rows[0] == list(schema.SUPPRESSED_COLUMNS)
    hashes = {r[0] for r in rows[1:]}
    assert hashes == {privacy.person_hash("email", "ada.l@example.com", "pepper"),
                      privacy.person_hash("phone", "+447700900123", "pepper")}
    assert {r[1] for r in rows[1:]} == {"email", "phone"}
    assert all(isinstance(r[2], dt.datetime) and r[2].date() == D(2026, 11, 22) for r in rows[1:])


def test_a_second_forget_keeps_the_earlier_hashes(forgotten):
    path, _, _, _ = forgotten
    result = run(["forget", "--candidate-id", "C-00002", "--today", TODAY, "--yes"], path)
    assert result.exit_code == 0, result.output
    hashes = [r[0].value for r in openpyxl.load_workbook(path)["Suppressed"].iter_rows(min_row=2)]
    assert len(hashes) == 3 and privacy.person_hash("email", "bo@example.com", "pepper") in hashes


def test_a_re_added_row_with_the_same_email_is_flagged_and_never_called(forgotten):
    path, settings, _, _ = forgotten
    wb = openpyxl.load_workbook(path)
    ws = wb["Candidates"]
    ws.cell(5, 2, "Ada Again")
    ws.cell(5, 3, "ada.l@EXAMPLE.com")
    ws.cell(5, 6, "python, aws")
    wb.save(path)
    assert run(["sync", "--today", TODAY], path).exit_code == 0
    analysis = api.analyse_workbook(settings, D(2026, 11, 22))
    flagged = analysis.issues[(analysis.issues["tab"] == "Candidates") & (analysis.issues["row"] == 5)]
    assert (flagged["severity"] == "error").any(), analysis.issues.to_string()
    assert "Suppressed" in " ".join(flagged["message"])
    status = openpyxl.load_workbook(path)["Candidates"].cell(5, 17).value
    assert status not in ("due", "overdue", "scheduled")
    listed = run(["report", "circle-backs", "--today", TODAY, "--format", "csv"], path).stdout
    assert "Ada Again" not in listed


@pytest.mark.parametrize("args,message", [
    (["--email", "nobody@example.com"], "no Candidates row has that email"),
    (["--phone", "+44 7700 900999"], "no Candidates row has that phone number"),
    (["--candidate-id", "C-09999"], "no Candidates row has candidate_id C-09999"),
    (["--phone", "not a phone"], "--phone is not a phone number"),
])
def test_nobody_found_is_one_line_and_changes_nothing(tmp_path, args, message):
    path, _ = workbook(tmp_path)
    before = path.read_bytes()
    result = run(["forget", *args], path)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert "nobody@example.com" not in result.output and "900999" not in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("args", [[], ["--email", "a@example.com", "--candidate-id", "C-00001"]])
def test_exactly_one_way_to_name_the_person(tmp_path, args):
    path, _ = workbook(tmp_path)
    result = run(["forget", *args], path)
    assert result.exit_code == 2 and "exactly one" in result.output


def test_forget_by_phone_in_memory_finds_the_twin_through_the_email():
    settings = Settings(suppression_salt="pepper")
    backend = make_memory(settings, candidates=CANDIDATES, positions=POSITIONS, pipeline=PIPELINE)
    result = api.forget_person(settings, D(2026, 11, 22), phone="07700 900123", backend=backend)
    assert result.rows == 2 and result.hashes_added == 2 and not result.warnings
    grid = backend.tabs["Candidates"]
    assert grid[1][1] == privacy.FORGOTTEN_NAME and grid[3][1] == privacy.FORGOTTEN_NAME
    assert grid[3][0] and grid[3][0].startswith("C-")  # the twin got its id from the sync


def test_refuses_without_a_salt_and_changes_nothing():
    """Case 9 (issue 14): it used to warn after the fact; now it refuses before writing."""
    from sheetcrm.errors import ConfigError

    settings = Settings()
    backend = make_memory(settings, candidates=CANDIDATES[:1], positions=POSITIONS)
    before = [list(r) for r in backend.tabs["Candidates"]]
    with pytest.raises(ConfigError, match="suppression_salt"):
        api.forget_person(settings, D(2026, 11, 22), candidate_id="C-00001", backend=backend)
    assert backend.tabs["Candidates"] == before


def test_forget_through_google_sheets_leaves_no_trace(gsheet, google):
    settings = Settings(suppression_salt="pepper")
    tabs = make_memory(settings, candidates=CANDIDATES, positions=POSITIONS, pipeline=PIPELINE).tabs
    tabs["Call log"] = [["when", "what"], ["2026-03-01", "called Ada Lovelace on +44 (0)7700 900 123"]]
    key, backend = gsheet(tabs)
    result = api.forget_person(settings, D(2026, 11, 22), email=EMAIL, backend=backend)
    assert result.rows == 2 and result.hashes_added == 2
    snapshot = backend.read()
    left = [(t, v) for t, sheet in snapshot.tabs.items() for r in sheet.values for v in r
            if v is not None and ("lovelace" in str(v).lower() or "ada.l@" in str(v).lower()
                                  or "7700900123" in re.sub(r"\D", "", str(v)))]
    assert left == []
    stored = [str(v) for tab in google.book(key).tabs for row in tab.grid for v in row if v is not None]
    stored += [f for tab in google.book(key).tabs for f in tab.formulas.values()]  # what the stand-in keeps
    words = ("ada lovelace", "lovelace", "ada.l@example.com")
    assert [v for v in stored if any(w in v.lower() for w in words) or "7700900123" in re.sub(r"\D", "", v)] == []
    suppressed = snapshot.find("Suppressed").values
    assert suppressed[0][:3] == list(schema.SUPPRESSED_COLUMNS) and len(suppressed) == 3
    candidates = snapshot.find("Candidates").values
    assert candidates[1][0] == "C-00001" and candidates[1][1] == privacy.FORGOTTEN_NAME


def test_a_conflict_in_the_follow_up_sync_is_a_warning_not_a_failure(monkeypatch):
    from sheetcrm.workbook import sync as sync_mod
    from sheetcrm.errors import ConflictError

    settings = Settings(suppression_salt="pepper")
    backend = make_memory(settings, candidates=CANDIDATES[:1], positions=POSITIONS)

    def busy(*args, **kwargs):
        raise ConflictError("changed")
    monkeypatch.setattr(sync_mod, "sync", busy)
    result = api.forget_person(settings, D(2026, 11, 22), candidate_id="C-00001", backend=backend)
    assert backend.tabs["Candidates"][1][1] == privacy.FORGOTTEN_NAME
    assert any("run `sheetcrm sync`" in w for w in result.warnings) and result.sync is None


# -- issue 14 cases 8 and 9: every part of the file, whoever saved it -----------------

VIKTOR = {"candidate_id": "C-00042", "name": "Viktor Cortez", "email": "viktor.cortez@example.com",
          "phone": "+44 7700 900042", "skills": "python", "location": "Remote", "last_contacted": D(2026, 1, 1)}
OTHERS = [{"candidate_id": f"C-{i:05d}", "name": f"Other Person{i}", "email": f"other{i}@example.com",
           "skills": "python", "location": "Remote", "notes": "shared note"} for i in (1, 2)]
V_PIPE = [{"candidate_id": "C-00042", "position_id": "P-2", "first_contacted": D(2026, 1, 5), "outcome": "rejected",
           "rejection_reason": "Viktor Cortez wanted more salary", "decided_on": D(2026, 2, 1)}]
PHONE_FORMS = ("+44 7700 900042", "+447700900042", "07700 900042", "07700900042", "7700900042", "7700 900042")


def viktor_workbook(path, settings):
    """A workbook where the person also lives in comments, links, formulas, names and properties."""
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName

    data = {schema.CANDIDATES: rows_for(schema.CANDIDATES, [*OTHERS, VIKTOR]),
            schema.POSITIONS: rows_for(schema.POSITIONS, POSITIONS),
            schema.PIPELINE: rows_for(schema.PIPELINE, V_PIPE)}
    XlsxBackend(path).create(workbook_layout(settings, data))
    wb = openpyxl.load_workbook(path)
    ws = wb["Candidates"]
    notes = schema.CANDIDATES_TAB.names.index("notes") + 1
    ws.cell(4, 2).comment = Comment("ask Viktor Cortez about Berlin, +44 7700 900042", "Recruiter")
    ws.cell(2, notes).comment = Comment("Viktor's old colleague; viktor.cortez@example.com knows him", "Recruiter")
    ws.cell(4, notes).value = '=HYPERLINK("mailto:viktor.cortez@example.com","write to Viktor")'
    log = wb.create_sheet("Call log")
    log.append(["when", "what"])
    log.append([dt.datetime(2026, 3, 1), "mail"])
    log["B2"].hyperlink = "mailto:viktor.cortez@example.com"
    log["C2"] = '=HYPERLINK("tel:+447700900042","call")'
    wb.defined_names["contact_of_the_week"] = DefinedName("contact_of_the_week", attr_text='"Viktor Cortez"')
    wb.properties.title = "Notes on Viktor Cortez"
    wb.properties.keywords = "viktor.cortez@example.com"
    wb.save(path)


def libreoffice_saved(path):
    """The workbook as LibreOffice saves it (shared strings, its own comments and rels)."""
    import shutil

    from tests.conftest import libreoffice_convert

    shutil.move(libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML", path.parent / "lo"), path)


def shared_strings_saved(path):
    """The workbook as Excel stores text: every inline string moved into xl/sharedStrings.xml
    (this openpyxl writes inline strings only)."""
    import zipfile

    from lxml import etree

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    table: list[str] = []
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        root = etree.fromstring(parts[name])
        for c in root.iter(f"{{{main}}}c"):
            if c.get("t") == "inlineStr":
                text = "".join(c.find(f"{{{main}}}is").itertext())
                c.remove(c.find(f"{{{main}}}is"))
                c.set("t", "s")
                table.append(text)
                etree.SubElement(c, f"{{{main}}}v").text = str(len(table) - 1)
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    sst = etree.Element(f"{{{main}}}sst", count=str(len(table)), uniqueCount=str(len(table)))
    for text in table:
        etree.SubElement(etree.SubElement(sst, f"{{{main}}}si"), f"{{{main}}}t").text = text
    parts["xl/sharedStrings.xml"] = etree.tostring(sst, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def traces_in_parts(path):
    """Every part of the unzipped workbook that still holds the name, a name part
    longer than 3 letters, the email or the phone."""
    import zipfile

    words = ["viktor cortez", "viktor", "cortez", "viktor.cortez@example.com", "viktorcortez@"]
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            text = zf.read(name).decode("utf-8", "replace")
            low = text.lower()
            found += [(name, w) for w in words if w in low]
            found += [(name, p) for p in PHONE_FORMS if p in text]
    return found


@pytest.mark.parametrize("saved_by", ["sheetcrm", "openpyxl", "libreoffice"])
def test_forget_scrubs_every_part_of_the_file(tmp_path, monkeypatch, saved_by):
    path = tmp_path / "agency.xlsx"
    settings = Settings(suppression_salt="pepper", workbook=path)
    viktor_workbook(path, settings)
    monkeypatch.setenv("SHEETCRM_SUPPRESSION_SALT", "pepper")
    assert run(["sync", "--today", TODAY], path).exit_code == 0
    if saved_by == "libreoffice":  # someone opens the synced workbook and saves it
        libreoffice_saved(path)
    elif saved_by == "openpyxl":
        shared_strings_saved(path)
    if saved_by == "sheetcrm":  # a first forget already went through sheetcrm's own writer
        assert run(["forget", "--candidate-id", "C-00001", "--today", TODAY, "--yes"], path).exit_code == 0
    if saved_by != "sheetcrm":
        assert "xl/sharedStrings.xml" in {n for n, _ in traces_in_parts(path)}
    assert traces_in_parts(path), "the test workbook must start with the person in it"
    result = run(["forget", "--email", "Viktor.Cortez@example.com", "--today", TODAY, "--yes"], path)
    assert result.exit_code == 0, result.output
    assert traces_in_parts(path) == []
    wb = openpyxl.load_workbook(path)  # still a workbook, the others' cells intact
    assert wb["Candidates"].cell(2, 2).value in ("Other Person1", privacy.FORGOTTEN_NAME)
    assert wb["Candidates"].cell(3, 2).value == "Other Person2"
    assert wb["Candidates"].cell(4, 1).value == "C-00042"


def test_forget_asks_first_and_a_no_changes_nothing(tmp_path):
    path, settings = workbook(tmp_path)
    before = path.read_bytes()
    result = CliRunner(env={"SHEETCRM_SUPPRESSION_SALT": "pepper"}).invoke(
        cli, ["--workbook", str(path), "forget", "--candidate-id", "C-00001", "--today", TODAY], input="n\n")
    assert result.exit_code == 1 and "erase C-00001" in result.output and "cannot be undone" in result.output
    assert NAME not in result.output and "ada.l@" not in result.output.lower()
    assert path.read_bytes() == before


def test_forget_finds_the_person_under_an_address_variant(tmp_path):
    settings = Settings(suppression_salt="pepper")
    gmail = {**CANDIDATES[0], "email": "ada.lovelace+cv@googlemail.com"}
    backend = make_memory(settings, candidates=[gmail], positions=POSITIONS)
    result = api.forget_person(settings, D(2026, 11, 22), email="adalovelace@gmail.com", backend=backend)
    assert result.rows == 1 and backend.tabs["Candidates"][1][1] == privacy.FORGOTTEN_NAME
