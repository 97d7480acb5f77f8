"""One exception hierarchy for everything a user can fix.

The library raises these; the CLI (and run.py) turn them into one line on stderr
and an exit code, in one place. Messages name tabs, rows, columns and ids,
never emails or phone numbers.
"""


class SheetCRMError(Exception):
    """A problem the user can fix; its message is the one line they see."""

    exit_code = 1


class ConfigError(SheetCRMError):
    """The config file or an environment setting is wrong."""


class SchemaError(SheetCRMError):
    """A tab or a required column is missing from the workbook."""


class BackendError(SheetCRMError):
    """The workbook or sheet cannot be read or written."""


class WorkbookLockedError(BackendError):
    """The workbook is open in Excel/LibreOffice, or another sync holds it."""


class ConflictError(BackendError):
    """The workbook changed between our read and our write; nothing was written."""


class AuthError(BackendError):
    """Google credentials are missing, unreadable, or have no access."""


class NotFoundError(SheetCRMError):
    """A named thing (position, candidate, file) does not exist."""
