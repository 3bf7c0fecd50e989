"""Appendix task tables: one row per task, with its lead, partners and time.

Plans often put their tasks in an appendix table (STT | NHIỆM VỤ | CHỦ TRÌ | PHỐI HỢP |
THỜI GIAN …). In the portals' text each cell follows a "|" line and a row ends with an
empty cell; a table is recognised by its header row, which names the lead ("chủ trì") and
time ("thời gian", "tiến độ", "thời hạn") columns. Rows whose cells were merged in the
original (rowspan) arrive short and are left for the reviewer.
"""

import re
from dataclasses import dataclass

from domain.planimport.agencies import sentence_subject
from domain.planimport.coordination import split_bodies
from domain.planimport.deadlines import Found, find_deadlines
from domain.planimport.text import clean_line


@dataclass
class Cell:
    """One table cell: its text and first and last source lines."""

    text: str
    first_line: int
    last_line: int


@dataclass
class TableRow:
    """A task row, its columns already picked out."""

    section: str
    task: Cell
    lead: Cell
    coordinating: list[str]
    time: Cell


def _rows(lines: list[str], start: int) -> list[list[Cell]]:
    """Rows of cells from `start` on: a "|" line closes a cell, an empty cell a row."""
    rows: list[list[Cell]] = []
    cells: list[Cell] = []
    parts: list[str] = []
    first = 0
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() == "|":
            if parts:
                cells.append(Cell(" ".join(parts), first, number - 1))
                parts = []
            elif cells:
                rows.append(cells)
                cells = []
            continue
        cleaned = clean_line(line)
        if cleaned:
            if not parts:
                first = number
            parts.append(cleaned)
    if cells:
        rows.append(cells)
    return rows


def _columns(header: list[Cell]) -> dict[str, int] | None:
    """Which column is which, from a header row; None if it is not a task table's header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = cell.text.lower()
        if "chủ trì" in text and "lead" not in found:
            found["lead"] = index
        elif "phối hợp" in text and "partners" not in found:
            found["partners"] = index
        elif re.search(r"thời gian|thời hạn|tiến độ", text) and "time" not in found:
            found["time"] = index
        elif (
            re.search(r"nhiệm vụ|nội dung|công việc|giải pháp|chỉ tiêu", text)
            and "task" not in found
        ):
            found["task"] = index
    return found if {"lead", "task"} <= set(found) else None


_GROUP = re.compile(r"^([IVX]{1,5}|[A-Z])\.?$")


def _with_empty_cells(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Rejoin rows an empty cell split: an empty cell looks like the end of a row, so a row
    that goes on without a row number of its own continues the one before."""
    joined: list[list[Cell]] = []
    for cells in rows:
        previous = joined[-1] if joined else None
        numbered = re.match(r"^(\d{1,3}\.?|[IVX]{1,5}\.?|STT|TT)$", cells[0].text)
        if previous is not None and not numbered and re.match(r"^\d{1,3}\.?$", previous[0].text):
            gap = Cell("", previous[-1].last_line, previous[-1].last_line)
            joined[-1] = [*previous, gap, *cells]
        else:
            joined.append(cells)
    return joined


def read_task_tables(text: str) -> list[TableRow]:
    """Every row of every task table in the document."""
    lines = text.split("\n")
    rows = _with_empty_cells(_rows(lines, 1))
    found: list[TableRow] = []
    columns: dict[str, int] | None = None
    group = ""
    horizon: Cell | None = None
    for cells in rows:
        # A header row may follow the text before the table without a row break.
        starts = [i for i, c in enumerate(cells) if re.match(r"^(STT|TT|Stt)$", c.text)]
        header = _columns(cells[starts[-1] :]) if starts else _columns(cells)
        if header is not None:
            columns, group = header, ""
            # A table with no time column takes its time from its title ("… ĐẾN NĂM 2030").
            before = cells[starts[-1] - 1] if starts and starts[-1] > 0 else None
            title = (
                re.search(r"đến năm\s+20\d\d", before.text[-400:], re.IGNORECASE)
                if before
                else None
            )
            horizon = (
                Cell(title.group(0), before.last_line, before.last_line)
                if title and before
                else None
            )
            continue
        if columns is None:
            continue
        if _GROUP.match(cells[0].text) and len(cells) <= 3:
            group = cells[0].text.rstrip(".")
            continue
        needed = max(columns.values())
        if len(cells) <= needed or not re.match(r"^\d{1,3}\.?$", cells[0].text):
            continue
        lead, more = _lead_cell(cells[columns["lead"]])
        partners = cells[columns["partners"]].text if "partners" in columns else ""
        time = cells[columns["time"]] if "time" in columns else horizon
        found.append(
            TableRow(
                section=".".join(p for p in ("PL", group, cells[0].text.rstrip(".")) if p),
                task=cells[columns["task"]],
                lead=lead,
                coordinating=[*more, *split_bodies(partners)],
                time=time or Cell("", lead.first_line, lead.last_line),
            )
        )
    return found


def _lead_cell(cell: Cell) -> tuple[Cell, list[str]]:
    """ "Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành … thực hiện …": the lead is the
    first clause's subject, the other clauses' subjects take part."""
    clauses = [c.strip() for c in cell.text.split(";") if c.strip()]
    if not clauses:
        return cell, []
    names: list[str] = []
    roles = False
    for clause in clauses:
        subject = sentence_subject(clause)
        # Only a verb phrase ends the name: "… Viện Nghiên cứu phát triển Thành phố" is one.
        verbal = subject is not None and not any(w[:1].isupper() for w in subject.rest.split())
        roles = roles or verbal
        names.append(subject.name if subject and verbal else clause)
    if not roles:
        return cell, []  # "Sở Giáo dục và Đào tạo; Sở Nội vụ": both lead
    return Cell(names[0], cell.first_line, cell.last_line), names[1:]


_PERIOD = re.compile(r"(?:năm\s+)?(?P<a>20\d\d)\s*[-–]\s*(?P<b>20\d\d)", re.IGNORECASE)
_FROM = re.compile(r"(?:năm\s+)?(?P<a>20\d\d)\s+(?:trở đi|và các năm tiếp theo)", re.IGNORECASE)
_YEAR = re.compile(r"^\(?(?:(?:đến\s+)?năm\s+)?(?P<a>20\d\d)\)?\.?$", re.IGNORECASE)


def time_cell_deadlines(text: str) -> list[Found]:
    """The deadline a time cell states: "Quý IV/2025", "2026", "2025 - 2035" (a window the
    task runs through), "Thường xuyên", "Hằng năm.", "Khi có phát sinh."."""
    cell = text.strip()
    lowered = cell.lower()
    if match := _YEAR.match(cell):
        return [Found(0, len(cell), "year", "once", {"year_only": int(match["a"])}, 0.8)]
    if lowered.startswith("thường xuyên") and "định kỳ" not in lowered:
        return [Found(0, len(cell), "continuous", "continuous", {}, 0.8)]
    if match := _PERIOD.search(cell):
        return [
            Found(
                match.start(),
                match.end(),
                "continuous",
                "continuous",
                {"period_start": int(match["a"]), "period_end": int(match["b"])},
                0.7,
            )
        ]
    if match := _FROM.search(cell):
        return [
            Found(
                match.start(),
                match.end(),
                "continuous",
                "continuous",
                {"period_start": int(match["a"])},
                0.7,
            )
        ]
    if re.match(r"^khi\b", lowered):
        return [Found(0, len(cell), "adhoc", "adhoc", {}, 0.7)]
    found = [f for f in find_deadlines(cell) if f.kind != "continuous"]
    return found[:1] if found else []
