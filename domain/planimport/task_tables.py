"""Appendix task tables: one row per task, with its lead, partners and time.

Plans often put their tasks in an appendix table (STT | NHIỆM VỤ | CƠ QUAN CHỦ TRÌ | CƠ QUAN
PHỐI HỢP | THỜI GIAN HOÀN THÀNH | SẢN PHẨM …), or their targets in an indicator table (TT |
CHỈ TIÊU | ĐƠN VỊ CHỦ TRÌ, by a year named in the title or a column). A table is recognised
by its header row, which names a lead column ("chủ trì") and a task or indicator column;
`table_cells` reads the rows from either layout of the text. Group rows ("I", "I. Kinh tế
số", a row of one merged cell) number the rows under them; a row without a number of its own
that names a lead or a time continues the row above (a merged cell in the original) and is a
task of its own; a cell that stacks one entry per line for several tasks (the task cell's
sentences, the lead cell's lines, one for one) is split into those tasks.
"""

import re
from dataclasses import dataclass, field

from domain.planimport.agencies import names_a_body, sentence_subject
from domain.planimport.borderless import borderless_rows
from domain.planimport.coordination import split_bodies
from domain.planimport.deadlines import Found, find_deadlines
from domain.planimport.table_cells import (
    NUMBER_HEADING,
    Cell,
    Row,
    column_kind,
    name_goes_on,
    read_rows,
)

__all__ = ["Cell", "TableRow", "read_task_tables", "time_cell_deadlines"]


@dataclass
class TableRow:
    """A task row, its columns already picked out."""

    section: str
    task: Cell
    lead: Cell
    coordinating: list[str]
    time: Cell


def _columns(header: list[Cell]) -> dict[str, int] | None:
    """Which column is which, from a header row; None if it is not a task table's header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        kind = column_kind(cell.text)
        if kind == "target":
            found["target"] = index  # the last year column: the indicators' horizon
        elif kind is not None:
            found.setdefault(kind, index)
    return found if {"lead", "task"} <= set(found) else None


_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}|[a-zđ])[.)]?$")
_GROUP = re.compile(r"^(?P<mark>[IVX]{1,5}|[A-Z])(?:[.:)]|\s+[-–]|$)")


def _with_empty_cells(rows: list[Row]) -> list[Row]:
    """Rejoin rows an empty cell split: an empty cell looks like the end of a row, so a row
    that goes on without a row number of its own continues the one before."""
    joined: list[Row] = []
    for row in rows:
        previous = joined[-1] if joined else None
        cells = row.cells
        numbered = _NUMBER.match(cells[0].text) or _GROUP.match(cells[0].text)
        if (
            previous is not None
            and not row.exact
            and not previous.exact
            and not numbered
            and not NUMBER_HEADING.match(cells[0].text)
            and _NUMBER.match(previous.cells[0].text)
        ):
            last = previous.cells[-1].last_line
            previous.cells = [*previous.cells, Cell("", last, last), *cells]
        else:
            joined.append(Row(list(cells), row.exact))
    return joined


_HORIZON = re.compile(r"đến năm\s+20\d\d", re.IGNORECASE)
_TITLE_LINES = 15


def _title_horizon(lines: list[str], *, after: int, before: int) -> Cell | None:
    """ "… ĐẾN NĂM 2030" in the title just above a table (lines `after` < n < `before`)."""
    first = max(after + 1, before - _TITLE_LINES)
    found: Cell | None = None
    for number in range(first, before):
        window = " ".join(lines[number - 1 : number + 1]).replace("*", "")
        match = _HORIZON.search(window)
        if match and match.start() < len(lines[number - 1].replace("*", "")):
            found = Cell(match.group(0), number, number, [match.group(0)])
    return found


def _group_mark(row: Row, columns: dict[str, int]) -> str | None:
    """The mark of a group row ("I", "A", "" for an unnumbered one), None for a task row. In
    an exact row a group fills one merged cell (its text repeated in each column it spans,
    as a .docx gives it) or leaves the lead and time columns empty."""
    texts = [c.text for c in row.cells if c.text]
    if not texts:
        return None
    mark = _GROUP.match(texts[0])
    if row.exact:
        lead, time = _cell(row, columns, "lead"), _cell(row, columns, "time")
        empty = not (lead and lead.text) and not (time and time.text)
        if len(set(texts)) > 1 and not (empty and len(texts) <= 2):
            return None
        return mark["mark"] if mark else ("" if not row.cells[0].text else None)
    # A .docx repeats a merged cell's text in every column it spans.
    merged = len(set(texts[1:])) <= 1
    return mark["mark"] if mark and (len(row.cells) <= 3 or merged) else None


def _cell(row: Row, columns: dict[str, int], name: str) -> Cell | None:
    index = columns.get(name)
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _items(cell: Cell) -> list[Cell]:
    """A cell's entries where it stacks several, one sentence each, each opening a line."""
    items: list[Cell] = []
    for offset, line in enumerate(cell.lines):
        opens = line[:1].isupper() or line[:1] in "-+•"
        if not items or (opens and re.search(r"[.;:]$", items[-1].text)):
            items.append(Cell(line, cell.first_line + offset, cell.first_line + offset, [line]))
        else:
            last = items[-1]
            end = cell.first_line + offset
            items[-1] = Cell(f"{last.text} {line}", last.first_line, end, [*last.lines, line])
    return items


def _one_name_a_line(lines: list[str]) -> bool:
    """Whether a cell's lines are whole names, one a line, not one name wrapped."""
    return len(lines) > 1 and all(
        line[:1].isupper() and names_a_body(line) and not name_goes_on(line) for line in lines
    )


def _stacked(task: Cell, lead: Cell, partners: Cell | None) -> list[tuple[Cell, Cell, str]]:
    """(task, lead, partners) of each task a row stacks, or one for a row of one task."""
    tasks = _items(task)
    leads = lead.lines
    count = len(tasks)
    stacked = (
        count >= 2
        and len(leads) == count
        and _one_name_a_line(leads)
        and (partners is None or not partners.text or len(partners.lines) == count)
    )
    if not stacked:
        return [(task, lead, partners.text if partners else "")]
    return [
        (
            item,
            Cell(leads[i], lead.first_line + i, lead.first_line + i, [leads[i]]),
            partners.lines[i] if partners and partners.text else "",
        )
        for i, item in enumerate(tasks)
    ]


@dataclass
class _Table:
    """What a table's rows take from the rows above them."""

    columns: dict[str, int]
    horizon: Cell | None
    group: str = ""
    number: str = ""
    previous: TableRow | None = None
    numbered: bool = True
    seen: list[TableRow] = field(default_factory=list)

    def section(self, number: str) -> str:
        number = number.rstrip(".)")
        if re.fullmatch(r"[a-zđ]", number) and self.number:
            number = f"{self.number}.{number}"
        elif number:
            self.number = number
        return ".".join(p for p in ("PL", self.group, number) if p)


def _table_rows(row: Row, table: _Table) -> list[TableRow]:
    """The task rows one table row gives: none, one, or the tasks it stacks."""
    columns = table.columns
    number = row.cells[0].text if table.numbered else str(len(table.seen) + 1)
    task, lead = _cell(row, columns, "task"), _cell(row, columns, "lead")
    partners = _cell(row, columns, "partners")
    time = _cell(row, columns, "time")
    if task is None or not task.text:
        return []
    numbered = bool(_NUMBER.match(number))
    if not numbered:
        # A row whose number cell was merged with the row above: a task of its own, whose
        # empty lead and time cells are the merged ones above.
        previous = table.previous
        if not row.exact or previous is None or row.cells[0].text:
            return []
        if not (lead and lead.text) and not (time and time.text):
            return []
        lead = lead if lead and lead.text else previous.lead
        time = time if time and time.text else previous.time
        return [_task_row(previous.section, task, lead, partners, time)]
    if lead is None or not lead.text:
        table.section(number)  # a numbered heading of the rows under it ("1", then "a)")
        return []
    section = table.section(number)
    if not (time and time.text):
        time = table.horizon
    return [
        _task_row(section, item, item_lead, Cell(more, 0, 0, [more]) if more else None, time)
        for item, item_lead, more in _stacked(task, lead, partners)
    ]


def _task_row(
    section: str, task: Cell, lead_cell: Cell, partners: Cell | None, time: Cell | None
) -> TableRow:
    lead, more = _lead_cell(lead_cell)
    return TableRow(
        section=section,
        task=task,
        lead=lead,
        coordinating=[*more, *split_bodies(partners.text if partners else "")],
        time=time or Cell("", lead.first_line, lead.last_line),
    )


def _target_horizon(header: list[Cell], columns: dict[str, int]) -> Cell | None:
    if "target" not in columns or "time" in columns:
        return None
    cell = header[columns["target"]]
    return Cell(cell.text, cell.first_line, cell.last_line, cell.lines)


def read_task_tables(text: str) -> list[TableRow]:
    """Every row of every task table in the document; where the text marks no table cells
    (a PDF's text layer), the tables read from the layout of their lines."""
    lines = text.split("\n")
    return _task_rows(_with_empty_cells(read_rows(lines)), lines) or _task_rows(
        borderless_rows(lines), lines
    )


def _task_rows(table_rows: list[Row], lines: list[str]) -> list[TableRow]:
    found: list[TableRow] = []
    table: _Table | None = None
    last_line = 0
    for row in table_rows:
        cells = row.cells
        # A header row may follow the text before the table without a row break.
        starts = [i for i, c in enumerate(cells) if NUMBER_HEADING.match(c.text)]
        header_cells = cells[starts[-1] :] if starts else cells
        columns = _columns(header_cells)
        if columns is not None:
            top = header_cells[0].first_line
            horizon = _target_horizon(header_cells, columns) or _title_horizon(
                lines, after=last_line, before=top
            )
            table = _Table(columns, horizon, numbered=min(columns.values()) > 0)
        elif table is not None:
            mark = _group_mark(row, table.columns)
            if mark is not None:
                if mark:
                    table.group, table.number, table.previous = mark, "", None
            else:
                rows = _table_rows(row, table)
                found.extend(rows)
                table.seen.extend(rows)
                table.previous = rows[-1] if rows else table.previous
        last_line = cells[-1].last_line
    return found


def _lead_cell(cell: Cell) -> tuple[Cell, list[str]]:
    """ "Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành … thực hiện …": the lead is the
    first clause's subject, the other clauses' subjects take part. Bare names before the
    first clause with a role all lead ("Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở KH&CN theo
    dõi, báo cáo": the first two lead, the third takes part); so do names a cell stacks one
    a line."""
    text = cell.text
    if _one_name_a_line(cell.lines):
        text = "; ".join(line.rstrip(" ,;") for line in cell.lines)
    clauses = [c.strip() for c in text.split(";") if c.strip()]
    if not clauses:
        return cell, []
    names: list[str] = []
    first_role: int | None = None
    for index, clause in enumerate(clauses):
        subject = sentence_subject(clause)
        # Only a verb phrase ends the name: "… Viện Nghiên cứu phát triển Thành phố" is one.
        verbal = subject is not None and not any(w[:1].isupper() for w in subject.rest.split())
        if verbal and first_role is None:
            first_role = index
        names.append(subject.name if subject and verbal else clause)
    if first_role is None:
        return Cell(text, cell.first_line, cell.last_line, cell.lines), []  # all lead
    leading = max(first_role, 1)
    lead = "; ".join(names[:leading])
    return Cell(lead, cell.first_line, cell.last_line, [lead]), names[leading:]


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
