"""sheetcrm: a spreadsheet as the candidate database of a small IT-recruiting agency."""
from .config import Settings, load_settings
from .errors import SheetCRMError

__all__ = ["Settings", "load_settings", "SheetCRMError"]
__version__ = "0.1.0"
