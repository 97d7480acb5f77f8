"""Contract: the stand-in answers the requests recorded against the real Google Sheets
API (../shared/reference/sheets-api-recorded/) as Google did, in structure and values;
only ids, timestamps and the editor's identity are allowed to differ."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

RECORDED = "reference/sheets-api-recorded"
GOOGLE = ("https://sheets.googleapis.com", "https://www.googleapis.com")
VARYING = {"spreadsheetId", "id", "sheetId", "protectedRangeId", "spreadsheetUrl", "createdTime", "modifiedTime", "editors"}
# Requests the stand-in refuses on purpose, with why: sheetcrm never asks for them.
NOT_SERVED = {
    "fields=sheets.data.rowData.values.userEnteredFormat": "grid data with field masks (cell formats) is not served",
}


def recordings(shared: Path) -> list[Path]:
    folder = shared / RECORDED
    if not folder.is_dir():
        pytest.skip(f"recorded Google traffic not found at {folder}")
    return sorted(folder.glob("*.json"))


def _names():
    from conftest import SHARED

    folder = SHARED / RECORDED
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else ["(no recordings)"]


def normalised(value):
    if isinstance(value, dict):
        return {k: ("<varies>" if k in VARYING else normalised(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def _swap_ids(text: str, ids: dict[str, str]) -> str:
    for old, new in ids.items():
        text = text.replace(old, new)
    return text


def _swap_sheet_ids(value, sheet_ids: dict[int, int]):
    if isinstance(value, dict):
        return {k: (sheet_ids.get(v, v) if k == "sheetId" else _swap_sheet_ids(v, sheet_ids)) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_sheet_ids(v, sheet_ids) for v in value]
    return value


def _learn_sheet_ids(recorded, answered, sheet_ids: dict[int, int]) -> None:
    """addSheet replies: Google's random sheetId -> the stand-in's random sheetId."""
    for rec, got in zip(recorded.get("replies", []), answered.get("replies", [])):
        if "addSheet" in rec and "addSheet" in got:
            sheet_ids[rec["addSheet"]["properties"]["sheetId"]] = got["addSheet"]["properties"]["sheetId"]


@pytest.mark.parametrize("name", _names())
def test_the_stand_in_answers_like_google(name, shared_dir, google):
    path = shared_dir / RECORDED / name
    assert path in recordings(shared_dir)
    interactions = json.loads(path.read_text())["interactions"]
    ids: dict[str, str] = {}
    sheet_ids: dict[int, int] = {}
    compared = 0
    for n, it in enumerate(interactions):
        req, rec = it["request"], it["response"]
        uri = _swap_ids(req["uri"], ids)
        for host in GOOGLE:
            uri = uri.replace(host, google.url)
        if any(marker in uri for marker in NOT_SERVED):
            continue
        body = req.get("body")
        payload = None
        if body:
            payload = _swap_sheet_ids(json.loads(_swap_ids(body, ids)), sheet_ids)
        got = requests.request(req["method"], uri, json=payload, timeout=10)
        where = f"{name} #{n} {req['method']} {req['uri'][:120]}"
        assert got.status_code == rec["status"]["code"], f"{where}: {got.text[:300]}"
        recorded_text = rec["body"]["string"]
        if not recorded_text.strip():
            assert not got.content, where
            continue
        recorded_json, answered = json.loads(recorded_text), got.json()
        assert got.headers["Content-Type"].startswith("application/json"), where
        if req["method"] == "POST" and uri.endswith("/drive/v3/files?supportsAllDrives=True"):
            ids[recorded_json["id"]] = answered["id"]
        _learn_sheet_ids(recorded_json, answered, sheet_ids)
        assert normalised(answered) == normalised(recorded_json), where
        compared += 1
    assert compared >= 2


def test_recorded_quirks_are_covered(shared_dir):
    """The quirks the README of the recordings lists appear in what we replay."""
    text = "".join(p.read_text() for p in recordings(shared_dir))
    for quirk in ("values:batchGet", "values:batchUpdate", ":batchUpdate", "SERIAL_NUMBER", "NOT_FOUND",
                  "addProtectedRange", "setDataValidation", "frozenRowCount"):
        assert quirk in text


# -- Google's error bodies (tests/standin/google_errors.py) against the published error model ------------
def _error_bodies():
    try:
        from tests.standin import google_errors as bodies
    except ModuleNotFoundError:
        from standin import google_errors as bodies
    return {
        "SERVICE_DISABLED": (403, bodies.service_disabled("123456789012")),
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT": (403, bodies.scope_insufficient("values:batchUpdate")),
        "not shared": (403, bodies.permission_denied()),
        "not found": (404, bodies.not_found()),
        "RATE_LIMIT_EXCEEDED": (429, bodies.rate_limited("123456789012", "values:batchGet")),
    }


HTTP_TO_CODE = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED"}  # google.rpc.Code mapping


@pytest.mark.parametrize("name", list(_error_bodies()))
def test_the_stand_ins_error_bodies_follow_googles_error_model(name):
    """AIP-193 / google.rpc.Status: code = the HTTP status, status = its google.rpc.Code name;
    ErrorInfo (google.rpc.ErrorInfo reference): reason UPPER_SNAKE_CASE of at most 63
    characters, a domain, metadata keys lowerCamelCase of at most 64 characters with string
    values; googleapis.com reasons name the service (google.api.ErrorReason)."""
    status, body = _error_bodies()[name]
    error = body["error"]
    assert error["code"] == status and error["status"] == HTTP_TO_CODE[status] and error["message"]
    infos = [d for d in error.get("details", []) if d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"]
    assert len(infos) <= 1
    for info in infos:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+[A-Z0-9]", info["reason"]) and len(info["reason"]) <= 63
        assert info["domain"] == "googleapis.com" and info["metadata"]["service"] == "sheets.googleapis.com"
        for key, value in info["metadata"].items():
            assert re.fullmatch(r"[a-z][a-zA-Z0-9_-]+", key) and len(key) <= 64 and isinstance(value, str)
        if info["reason"] in ("SERVICE_DISABLED", "RATE_LIMIT_EXCEEDED"):
            assert re.fullmatch(r"projects/\d+", info["metadata"]["consumer"])
        if info["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
            assert info["metadata"]["method"].startswith("google.apps.sheets.v4.SpreadsheetsService.")
    if name == "not found":  # exactly what Google answered in the recording
        assert body == {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}


def test_the_stand_ins_token_errors_follow_rfc_6749():
    """RFC 6749 §5.2: an ``error`` code from the registered list (plus the retryable
    words google-auth looks for), an optional ``error_description``."""
    try:
        from tests.standin import google_errors as bodies
    except ModuleNotFoundError:
        from standin import google_errors as bodies
    allowed = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
               "invalid_scope", "temporarily_unavailable", "server_error"}
    for status, body in (bodies.TOKEN_EXPIRED, bodies.KEY_DELETED, bodies.TOKEN_UNAVAILABLE):
        assert body["error"] in allowed and set(body) <= {"error", "error_description", "error_uri"}
        assert status == 400 or (status >= 500 and body["error"] in ("temporarily_unavailable", "server_error"))
