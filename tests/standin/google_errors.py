"""Google's error answers as Google sends them, for the stand-in.

Shapes (the AIP-193 error model: ``error.details[]`` holds a ``google.rpc.ErrorInfo``
with ``reason``, ``domain`` and ``metadata``) as published in Google's API reference
(google.rpc.ErrorInfo, google.api.ErrorReason) and as seen in answers quoted in public
bug reports; the 404 body is the one recorded in
``reference/sheets-api-recorded/ClientTest.test_access_non_existing_spreadsheet.json``.
The token endpoint answers as RFC 6749 §5.2 says (``error`` / ``error_description``).
"""
from __future__ import annotations

SHEETS = "sheets.googleapis.com"
SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
# Scopes that let a token read (or read and write) a spreadsheet (Sheets API reference, "Authorization scopes").
READ_SCOPES = frozenset({SPREADSHEETS_SCOPE, "https://www.googleapis.com/auth/spreadsheets.readonly",
                         "https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/drive.readonly",
                         "https://www.googleapis.com/auth/drive.file"})
WRITE_SCOPES = frozenset({SPREADSHEETS_SCOPE, "https://www.googleapis.com/auth/drive",
                          "https://www.googleapis.com/auth/drive.file"})
METHODS = {  # request kind -> the RPC name Google puts in ErrorInfo.metadata.method
    "get": "google.apps.sheets.v4.SpreadsheetsService.GetSpreadsheet",
    "batchUpdate": "google.apps.sheets.v4.SpreadsheetsService.BatchUpdateSpreadsheet",
    "values:batchGet": "google.apps.sheets.v4.SpreadsheetsService.BatchGetValues",
    "values:batchUpdate": "google.apps.sheets.v4.SpreadsheetsService.BatchUpdateValues",
    "values.get": "google.apps.sheets.v4.SpreadsheetsService.GetValues",
    "values.update": "google.apps.sheets.v4.SpreadsheetsService.UpdateValues",
}


def _error(code: int, status: str, message: str, details: list[dict] | None = None,
           legacy_reason: str | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if legacy_reason:  # the older "errors" list some front ends still add
        error["errors"] = [{"message": message, "domain": "global", "reason": legacy_reason}]
    error["status"] = status
    if details:
        error["details"] = details
    return {"error": error}


def service_disabled(project: str, service: str = SHEETS, title: str = "Google Sheets API") -> dict:
    """The API is not enabled in the Cloud project the credentials belong to."""
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={project}"
    message = (f"{title} has not been used in project {project} before or it is disabled. Enable it by visiting "
               f"{url} then retry. If you enabled this API recently, wait a few minutes for the action to "
               "propagate to our systems and retry.")
    return _error(403, "PERMISSION_DENIED", message, [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
         "metadata": {"consumer": f"projects/{project}", "service": service, "activationUrl": url,
                      "containerInfo": project, "serviceTitle": title}},
        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Google developers console API activation", "url": url}]},
    ])


def scope_insufficient(kind: str) -> dict:
    """The access token was granted without a Sheets scope (e.g. gcloud's default ADC scopes)."""
    return _error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.", [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
         "domain": "googleapis.com", "metadata": {"service": SHEETS, "method": METHODS.get(kind, METHODS["get"])}},
    ], legacy_reason="insufficientPermissions")


def permission_denied() -> dict:
    """The sheet exists but is not shared with the caller (or only for reading, on a write)."""
    return _error(403, "PERMISSION_DENIED", "The caller does not have permission")


def not_found() -> dict:
    return _error(404, "NOT_FOUND", "Requested entity was not found.")


def rate_limited(project: str, kind: str) -> dict:
    """429 as Sheets sends it: per-minute quota, usually without a Retry-After header."""
    write = kind in ("batchUpdate", "values:batchUpdate", "values.update")
    metric, limit = ("write_requests", "WriteRequestsPerMinutePerUser") if write else ("read_requests", "ReadRequestsPerMinutePerUser")
    words = "Write requests" if write else "Read requests"
    message = (f"Quota exceeded for quota metric '{words}' and limit '{words} per minute per user' of service "
               f"'{SHEETS}' for consumer 'project_number:{project}'.")
    return _error(429, "RESOURCE_EXHAUSTED", message, [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
         "metadata": {"service": SHEETS, "consumer": f"projects/{project}", "quota_metric": f"{SHEETS}/{metric}",
                      "quota_limit": limit, "quota_limit_value": "60", "quota_location": "global"}},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [
            {"description": "Request a higher quota limit.",
             "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
    ])


# -- the OAuth token endpoint (RFC 6749 §5.2) ---------------------------------------------------
TOKEN_EXPIRED = (400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
KEY_DELETED = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
TOKEN_UNAVAILABLE = (503, {"error": "temporarily_unavailable", "error_description": "The service is unavailable."})

# A 200 answer that is not Google's: what a company proxy or a hotel Wi-Fi login serves.
LOGIN_PAGE = ("<!DOCTYPE html><html><head><title>Sign in to continue</title></head>"
              "<body><form action=\"/login\"><p>Please sign in to use the network.</p></form></body></html>")
