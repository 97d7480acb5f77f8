"""Test support: a stand-in Google Sheets API on 127.0.0.1 (see server.py)."""
from .model import ApiError, Tab, col_letter, quote_title
from .server import Book, StandIn, serve

__all__ = ["ApiError", "Book", "StandIn", "Tab", "col_letter", "quote_title", "serve"]
