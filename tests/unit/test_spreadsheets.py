"""Cells a spreadsheet would run as formulas are written as text (app/spreadsheets.py)."""

from __future__ import annotations

import csv
import io

import pytest

from app.spreadsheets import SafeWriter, neutralise


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("https://evil.example","Open")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_cells_that_start_a_formula_become_text(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Dry-mop the floor", "a = b", "2026-01", "", "O'Neil"])
def test_ordinary_text_is_unchanged(cell):
    assert neutralise(cell) == cell


def test_numbers_stay_numbers_and_none_is_an_empty_cell():
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise(None) == ""


def test_the_writer_neutralises_every_cell():
    text = io.StringIO()
    writer = SafeWriter(text)
    writer.writerow(["=1+1", "fine", None, -4])
    writer.writerows([["@x", "+y"]])
    rows = list(csv.reader(io.StringIO(text.getvalue())))
    assert rows == [["'=1+1", "fine", "", "-4"], ["'@x", "'+y"]]
