"""Task tables in a PDF's text layer, where nothing marks a table's cells.

A PDF printed from a word processor gives a table cell after cell, each cell's wrapped lines
in turn: "1", "Rà soát cơ chế, chính sách", "khuyến khích đầu tư.", "Sở Tài chính", "Sở Công
Thương", "Quý IV/2026". The header row names the columns and their order ("TT | Nhiệm vụ |
Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm", its cells wrapped
too); a row starts at the next row number in sequence, a group at the next Roman numeral.
Within a row a cell starts where its kind of content starts: a lead or partner cell at a
line that opens with a body's name, a time cell at a line that is only a time ("Quý
IV/2026", "Năm 2025 - 2030", "Thường xuyên"), a product cell after the time. A task whose
line opens with a body's name, or a lead wrapped before its last word, is read wrongly: the
rows are drafts for the reviewer, as every table row is.
"""

import re

from domain.planimport.agencies import names_a_body
from domain.planimport.table_cells import (
    COLUMN_WORDS,
    NUMBER_HEADING,
    Cell,
    Row,
    column_kind,
    name_goes_on,
)
from domain.planimport.text import PARAGRAPH_START, clean_line

_HEADER_LINES = 12
_ROW = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3}){0,3})[.)]?(?:\s+(?P<rest>.+))?$")
_GROUP = re.compile(r"^(?P<mark>[IVX]{1,5})[.)]?(?:\s+.+)?$")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_TIME = re.compile(
    r"^\(?(?:(?:trước|chậm nhất|trong)\s+)?(?:quý\s+[IV]{1,3}/20\d\d|tháng\s+\d{1,2}/20\d\d"
    r"|(?:(?:từ|đến)\s+)?(?:năm\s+)?20\d\d(?:\s*[-–]\s*20\d\d|\s+trở đi)?"
    r"|(?:ngày\s+)?\d{1,2}/\d{1,2}/20\d\d|thường xuyên.*|(?:hằng|hàng)\s+(?:năm|quý|tháng).*"
    r"|khi có .*)\)?\.?$",
    re.IGNORECASE,
)
_END = re.compile(r"^(?:PHỤ LỤC|Nơi nhận|KẾ HOẠCH$|QUYẾT ĐỊNH$)")
_LABELS = {
    "task": "Nhiệm vụ",
    "lead": "Chủ trì",
    "partners": "Phối hợp",
    "time": "Thời gian",
    "product": "Sản phẩm",
}


_CELL_WIDTH = 40  # a header cell's line is short: the cell is a column's width


def _header(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The columns in their order and the header's last line, if a header starts at
    `start`: short lines naming a task and a lead column, then the first row ("1", "1.1")
    or the first group ("I"). "number" comes first when the table numbers its rows."""
    first = clean_line(lines[start - 1])
    numbered = bool(NUMBER_HEADING.match(first))
    if len(first) > _CELL_WIDTH or (not numbered and column_kind(first) != "task"):
        return None
    words: list[str] = []
    for number in range(start, min(start + _HEADER_LINES, len(lines) + 1)):
        line = clean_line(lines[number - 1])
        row, group = _ROW.match(line), _GROUP.match(line)
        if number > start and (row or group):
            opens = (row and row["number"] in {"1", "1.1"}) or (group and group["mark"] == "I")
            return _order(" ".join(words).lower(), numbered, number - 1) if opens else None
        if len(line) > _CELL_WIDTH or (number > start and NUMBER_HEADING.match(line)):
            return None  # not a header, or one starting further down at its "STT"
        words.append(line)
    return None


def _order(text: str, numbered: bool, end: int) -> tuple[list[str], int] | None:
    found: dict[str, int] = {}
    for kind in _LABELS:
        match = re.search(dict(COLUMN_WORDS)[kind], text)
        if match:
            found[kind] = match.start()
    if not {"task", "lead"} <= set(found):
        return None
    order = sorted(found, key=found.__getitem__)
    return (["number", *order] if numbered else order), end


def _follows(previous: tuple[int, ...] | None, number: tuple[int, ...]) -> bool:
    """Whether a row number comes next: 1 or 1.1 first, then a sibling of any level or a
    first child."""
    if previous is None:
        return number in {(1,), (1, 1)}
    if number == (*previous, 1):
        return True
    return any(number == (*previous[:i], previous[i] + 1) for i in range(len(previous)))


def _line_kind(line: str) -> str:
    if len(line) <= 60 and _TIME.match(line):
        return "time"
    if line[:1].isupper() and names_a_body(line):
        return "body"
    return "text"


def _next_column(order: list[str], at: int, line: str, cells: dict[str, list[str]]) -> int:
    """The column a row's line belongs to, from the column `at` of the line before."""
    kind = _line_kind(line)
    current = order[at]
    last = cells["lead"][-1] if current == "lead" and cells["lead"] else None
    if last is not None and (name_goes_on(last) or last.endswith(";")):
        return at  # a wrapped name, or a list of leads, goes on
    for index in range(at + 1, len(order)):
        column = order[index]
        if column in {"lead", "partners"} and kind == "body":
            return index
        if column == "time" and kind == "time":
            return index
        if column == "product" and current == "time":
            return index
    return at


_Open = tuple[str, str | None, int, list[tuple[int, str]]]
"""A row being read: its number, the text after it, its first line, its further lines."""


def _row(order: list[str], open_row: _Open) -> Row:
    number, rest, first, body = open_row
    columns = [c for c in order if c != "number"]
    cells: dict[str, list[str]] = {c: [] for c in columns}
    spans: dict[str, list[int]] = {c: [] for c in columns}
    at = 0
    if rest:
        cells[columns[0]].append(rest)
        spans[columns[0]].append(first)
    for line_number, line in body:
        at = _next_column(columns, at, line, cells)
        cells[columns[at]].append(line)
        spans[columns[at]].append(line_number)
    out = [Cell(number, first, first, [number])] if order[0] == "number" else []
    for column in columns:
        lines, numbers = cells[column], spans[column] or [first]
        out.append(Cell(" ".join(lines), numbers[0], numbers[-1], lines))
    return Row(out, exact=True)


def borderless_rows(lines: list[str]) -> list[Row]:
    """The rows of every task table laid out without cell marks, header rows included."""
    rows: list[Row] = []
    number = 1
    while number <= len(lines):
        header = _header(lines, number)
        if header is None:
            number += 1
            continue
        order, end = header
        rows.append(Row([Cell(_LABELS.get(c, "STT"), number, end, []) for c in order], exact=True))
        number = _table(lines, end + 1, order, rows)
    return rows


def _table(lines: list[str], start: int, order: list[str], rows: list[Row]) -> int:
    """Read one table's rows from `start` into `rows`; the line after the table."""
    previous: tuple[int, ...] | None = None
    groups = 0
    current: _Open | None = None
    number = start
    while number <= len(lines):
        line = clean_line(lines[number - 1].lstrip(PARAGRAPH_START))
        if _END.match(line) or _header(lines, number) is not None:
            break
        row = _ROW.match(line)
        group = _GROUP.match(line)
        key = tuple(int(p) for p in row["number"].split(".")) if row else None
        if key is not None and row is not None and _follows(previous, key):
            if current:
                rows.append(_row(order, current))
            previous = key
            current = (row["number"], row["rest"], number, [])
        elif group and groups < len(_ROMAN) and group["mark"] == _ROMAN[groups]:
            if current:
                rows.append(_row(order, current))
            current, previous, groups = None, None, groups + 1
            rows.append(Row([Cell(line, number, number, [line])], exact=True))
        elif current is not None and line:
            current[3].append((number, line))
        number += 1
    if current:
        rows.append(_row(order, current))
    return number
