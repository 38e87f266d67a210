"""CSV cells that a spreadsheet would run as formulas are written as text, in one place.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK("https://evil.example", "Open")`,
or worse, DDE). Anything people typed can reach a CSV: a debrief's learning summary in the
evidence pack, a name in a bulk import. Every CSV we write, and every cell of an import we
show back or store, goes through `neutralise()`: such a cell gets a leading apostrophe, which
spreadsheets show as text and do not run (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would run.

    Numbers stay numbers (a negative figure is not a formula); None becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer that neutralises every cell it writes."""

    def __init__(self, stream: IO[str], **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
