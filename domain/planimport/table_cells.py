"""Table rows as the text gives them, in the two layouts plan texts use.

- Portal and .docx text: each cell follows a line holding only "|", and a row ends with an
  empty cell ("|" then "|"). An empty cell inside a row looks the same as a row's end, so
  these rows are not `exact`: their cells may have to be rejoined.
- Markdown pipe tables: one line per row, "| 1 | Rà soát … | Sở Tài chính | | 2026 |", an
  optional rule line under the header ("|---|:---|"), "<br>" for a line break in a cell.
  Every cell keeps its column, empty or not, so these rows are `exact`.
"""

import re
from dataclasses import dataclass, field

from domain.planimport.text import PARAGRAPH_START, clean_line


@dataclass
class Cell:
    """One table cell: its text, first and last source lines, and its lines one by one (a
    cell holding several stacked entries keeps them apart)."""

    text: str
    first_line: int
    last_line: int
    lines: list[str] = field(default_factory=list)


@dataclass
class Row:
    """The cells of one row; `exact` when every column has its cell, empty ones included."""

    cells: list[Cell]
    exact: bool = False


_TARGET_YEAR = re.compile(r"^(?:chỉ tiêu\s+)?(?:(?:đến|năm)\s+)*20\d\d$", re.IGNORECASE)
COLUMN_WORDS = (
    ("product", r"sản phẩm|kết quả"),
    ("lead", r"chủ trì|cơ quan thực hiện|đơn vị thực hiện"),
    ("partners", r"phối hợp"),
    ("time", r"thời gian|thời hạn|tiến độ|lộ trình|năm hoàn thành"),
    ("task", r"nhiệm vụ|nội dung|công việc|giải pháp|chỉ tiêu|hoạt động|đề án|dự án"),
)
"""The columns of a task table, by the words of their headings, in the order they are tried:
"Sản phẩm/kết quả nhiệm vụ" is a product column, "Cơ quan chủ trì" a lead column."""


def column_kind(heading: str) -> str | None:
    """What a header cell heads: a column of `COLUMN_WORDS`, "target" for a year heading an
    indicator table's column ("Năm 2030"), or None."""
    text = heading.lower().strip()
    if _TARGET_YEAR.match(text):
        return "target"
    return next((kind for kind, words in COLUMN_WORDS if re.search(words, text)), None)


NUMBER_HEADING = re.compile(r"^(?:STT|TT|Số TT|Số thứ tự)$", re.IGNORECASE)
"""The heading of a table's row-number column."""

_GOES_ON = re.compile(r"(?:[,&(-]|\bvà|\bcác|\bcủa)\s*$")


def name_goes_on(line: str) -> bool:
    """Whether a cell's line ends inside a name that the next line finishes ("Sở Tài
    chính, các" + "sở, ngành")."""
    return bool(_GOES_ON.search(line))


_PIPE_ROW = re.compile(r"^\s*\|(?:[^|]*\|){2,}\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


_MAX_WRAPS = 8


def _logical_lines(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first, last, text) of each line, a pipe row wrapped over several lines (a PDF's or a
    mail's line length) joined back into one."""
    out: list[tuple[int, int, str]] = []
    number = 1
    while number <= len(lines):
        line = lines[number - 1].lstrip(PARAGRAPH_START)
        stripped = line.strip()
        end = number
        if stripped.startswith("|") and stripped.count("|") >= 2 and not stripped.endswith("|"):
            for ahead in range(number + 1, min(number + _MAX_WRAPS, len(lines)) + 1):
                following = lines[ahead - 1].lstrip(PARAGRAPH_START).strip()
                if not following or following == "|":
                    break
                if following.endswith("|"):
                    end = ahead
                    break
        if end > number:
            parts = (lines[n - 1].lstrip(PARAGRAPH_START).strip() for n in range(number, end + 1))
            out.append((number, end, " ".join(parts)))
        else:
            out.append((number, number, line))
        number = end + 1
    return out


def _pipe_cells(line: str, number: int, last: int) -> list[Cell]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    cells = []
    for raw in re.split(r"(?<!\\)\|", inner):
        parts = [clean_line(p) for p in _BREAK.split(raw.replace("\\|", "/"))]
        parts = [p for p in parts if p]
        cells.append(Cell(" ".join(parts), number, last, parts))
    return cells


def read_rows(lines: list[str]) -> list[Row]:
    """Every table row of the text, in order, in either layout."""
    rows: list[Row] = []
    cells: list[Cell] = []
    parts: list[str] = []
    first = 0

    def close_cell(last: int) -> None:
        nonlocal parts
        if parts:
            cells.append(Cell(" ".join(parts), first, last, parts))
            parts = []

    for number, last, raw in _logical_lines(lines):
        line = raw.lstrip(PARAGRAPH_START)
        if _PIPE_ROW.match(line) or (_PIPE_RULE.match(line) and "|" in line):
            parts = []  # prose before a pipe table is not one of its cells
            if cells:
                rows.append(Row(cells))
                cells = []
            if not _PIPE_RULE.match(line):
                rows.append(Row(_pipe_cells(line, number, last), exact=True))
            continue
        if line.strip() == "|":
            if parts:
                close_cell(number - 1)
            elif cells:
                rows.append(Row(cells))
                cells = []
            continue
        cleaned = clean_line(line)
        if cleaned:
            if not parts:
                first = number
            parts.append(cleaned)
    if cells:
        rows.append(Row(cells))
    return rows
