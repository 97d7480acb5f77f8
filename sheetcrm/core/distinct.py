"""One parse per distinct value: a column is factorised once (C speed) and each
distinct value is parsed once, so big sheets validate in seconds."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from ..values import is_blank


class Uniques(list):
    """The distinct values of one column, remembering which are blank (several checks
    ask; computed once) and whether the column mixes Python types (``mixed`` False:
    only text, numbers, booleans, dates and blanks, so no odd objects to look for)."""

    __slots__ = ("blank", "mixed")

    def __init__(self, values: Any = (), mixed: bool = True):
        super().__init__(values)
        self.blank: np.ndarray | None = None
        self.mixed = mixed


_HOMOGENEOUS = {"empty", "string", "integer", "floating", "mixed-integer-float", "boolean", "datetime", "date"}


def factorise(raw: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(codes, uniques): ``uniques[codes[i]]`` is cell i, one entry per distinct
    (type, value), so 1, 1.0 and TRUE stay apart when a column mixes them."""
    values = raw.to_numpy(dtype=object)
    if not len(values):
        return np.empty(0, dtype=np.intp), Uniques(mixed=False)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "empty" and pd.isna(values).all():  # a column nobody filled in: no hashing needed, as
        codes, uniques = pd.factorize(values[:1], use_na_sentinel=False)  # pd.factorize makes every blank one
        return np.zeros(len(values), dtype=np.intp), Uniques(uniques, mixed=False)
    if inferred in _HOMOGENEOUS:
        try:
            codes, uniques = _factorize(values)
            return codes, Uniques(uniques, mixed=False)
        except (TypeError, ValueError):
            pass
    if _apart(set(map(type, values))):
        codes, uniques = _factorize(values)
        return codes, Uniques(uniques, mixed=False)
    # Mixed column: factorise each Python type on its own, so 1, 1.0 and TRUE stay apart.
    type_codes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    codes = np.empty(len(values), dtype=np.intp)
    uniques = Uniques()
    for t, kind in enumerate(types):
        where = np.flatnonzero(type_codes == t)
        part = values[where]
        sub_codes: np.ndarray | None = None
        if kind in _FACTORISABLE:
            try:
                sub_codes, sub_uniques = _factorize(part)
                sub_uniques = list(sub_uniques)
            except (TypeError, ValueError):
                sub_codes = None
        if sub_codes is None:
            sub_codes, sub_uniques = _factorise_by_key(part)
        codes[where] = np.asarray(sub_codes, dtype=np.intp) + len(uniques)
        uniques.extend(sub_uniques)
    return codes, uniques


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, use_na_sentinel=False)`` up to the order of the uniques: every
    blank cell (None, NaN, NaT, NA) one NaN value, here the last. Faster: pandas' own way
    looks for blanks in an extra pass over the column before hashing it."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.intp)
    blank = codes < 0
    if blank.any():
        codes[blank] = len(uniques)
        uniques = np.append(np.asarray(uniques, dtype=object), np.array([np.nan], dtype=object))
    return codes, uniques


_FACTORISABLE = {str, int, float, bool, dt.date, dt.datetime, pd.Timestamp, type(None)}
# Plain types by the values they can equal: values of two families never compare equal, so a
# column whose types are all of different families factorises in one pass (its blanks become one).
_FAMILY = {bool: "number", int: "number", float: "number", str: "text", dt.date: "date", dt.datetime: "datetime",
           pd.Timestamp: "datetime", type(None): "blank"}


def _apart(types: set[type]) -> bool:
    """True when no two of ``types`` can hold equal values (e.g. dates, text, whole numbers, blanks)."""
    families = [_FAMILY.get(t) for t in types]
    return None not in families and len(set(families)) == len(families)


def _factorise_by_key(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    index: dict[Hashable, int] = {}
    uniques: list[Any] = []
    codes = np.empty(len(values), dtype=np.intp)
    for i, v in enumerate(values):
        k = _key(v)
        code = index.get(k)
        if code is None:
            code = index[k] = len(uniques)
            uniques.append(v)
        codes[i] = code
    return codes, uniques


def _key(v: Any) -> Hashable:
    """Hashable key that keeps types apart (1 vs True vs '1')."""
    if isinstance(v, float) and v != v:
        return ("nan",)
    try:
        hash(v)
        return (type(v).__name__, v)
    except Exception:
        try:
            return (type(v).__name__, repr(v))
        except Exception:
            return (type(v).__name__, id(v))


Distinct = dict[str, tuple[np.ndarray, list[Any]]]  # column -> (codes, uniques) of one raw frame


def blank_flags(uniques: list[Any]) -> list[bool]:
    return _blank_array(uniques).tolist()


def _blank_array(uniques: list[Any]) -> np.ndarray:
    known = uniques.blank if uniques.__class__ is Uniques else None
    if known is None or len(known) != len(uniques):
        known = np.array(_blank_list(uniques), dtype=bool)
        if uniques.__class__ is Uniques:
            uniques.blank = known
    return known


def _blank_list(uniques: list[Any]) -> list[bool]:
    return [u is None or (u.__class__ is str and not u.strip()) or (u.__class__ is float and u != u)
            or (u.__class__ not in _PLAIN and is_blank(u)) for u in uniques]


_PLAIN = {str, float, int, bool, dt.date, dt.datetime, type(None)}


def blank_mask(series: pd.Series, distinct: tuple[np.ndarray, list[Any]] | None = None) -> np.ndarray:
    codes, uniques = distinct if distinct is not None else factorise(series)
    flags = _blank_array(uniques)
    return flags[codes] if len(codes) else np.zeros(0, dtype=bool)


def parse_uniques(uniques: list[Any], fn: Callable[[Any], Any]) -> tuple[list[Any], list[str | None]]:
    """fn on each distinct value: (parsed or None, error text or None)."""
    parsed: list[Any] = []
    errors: list[str | None] = []
    for v, blank in zip(uniques, blank_flags(uniques)):
        if blank:
            parsed.append(None)
            errors.append(None)
            continue
        try:
            parsed.append(fn(v))
            errors.append(None)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            parsed.append(None)
            errors.append(str(exc) or "cannot be read")
    return parsed, errors


def take(uniques_out: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    arr = np.fromiter(uniques_out, dtype=object, count=len(uniques_out))  # element-wise: tuples stay tuples
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=index, dtype=object)


def map_unique(series: pd.Series, fn: Callable[[Any], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply ``fn`` once per distinct value. Returns (parsed, error message or None)."""
    codes, uniques = factorise(series)
    parsed, errors = parse_uniques(uniques, fn)
    return take(parsed, codes, series.index), take(errors, codes, series.index)
