"""Per-task blocks: a numbered task followed by its labelled lines.

Plans that implement a law or a programme often describe each task as a block: "1. Phổ
biến, giáo dục Luật …" then "- Nội dung thực hiện: …", "- Cơ quan chủ trì: …" (or "Cơ quan
thực hiện: Sở X chủ trì …"), "- Cơ quan phối hợp: …", "- Thời gian thực hiện: …". Each block
is one task with its lead, partners and time, wherever it stands in the body.
"""

import re
from dataclasses import dataclass

from domain.planimport.agencies import sentence_subject
from domain.planimport.coordination import split_bodies
from domain.planimport.structure import Node
from domain.planimport.task_tables import Cell, TableRow

_LABEL = re.compile(
    r"^(?P<label>(?:cơ quan|đơn vị)\s+(?:chủ trì|thực hiện|phối hợp|chịu trách nhiệm)"
    r"|thời gian(?:\s+(?:thực hiện|hoàn thành))?|thời hạn(?:\s+hoàn thành)?|tiến độ"
    r"|nội dung(?:\s+thực hiện)?|sản phẩm)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)


@dataclass
class _Fields:
    lead: Cell | None = None
    partners: list[str] | None = None
    time: Cell | None = None
    task: str | None = None


def _cell(node: Node, value: str) -> Cell:
    assert node.paragraph is not None
    return Cell(value.strip(), node.paragraph.first_line, node.paragraph.last_line)


def _lead_of(value: str) -> tuple[str, list[str]]:
    """ "Sở Nội vụ chủ trì tham mưu …; Sở Tư pháp và … chủ động …": the lead is the first
    subject, the other clauses' subjects take part; a plain list of bodies all lead."""
    clauses = [c.strip() for c in value.split(";") if c.strip()]
    subjects = [sentence_subject(c) for c in clauses]
    if not clauses or subjects[0] is None:
        return value.strip(" ."), []
    others = [name for s in subjects[1:] if s is not None for name in split_bodies(s.name)]
    return subjects[0].name, others


def _fields(node: Node) -> _Fields:
    found = _Fields()
    for child in node.children:
        match = _LABEL.match(child.text)
        if match is None:
            continue
        label, value = match["label"].lower(), match["value"]
        if "phối hợp" in label:
            found.partners = split_bodies(value.strip(" ."))
        elif label.startswith(("cơ quan", "đơn vị")):
            name, others = _lead_of(value)
            found.lead = _cell(child, name)
            found.partners = (found.partners or []) + others
        elif label.startswith(("thời gian", "thời hạn", "tiến độ")):
            found.time = _cell(child, value)
        elif label.startswith("nội dung"):
            found.task = value.strip()
    return found


def _clause(node: Node) -> str:
    parts: list[str] = []
    current: Node | None = node
    while current is not None and current.level >= 0:
        if current.marker and current.marker != "-":
            parts.append(current.marker)
        current = current.parent
    return ".".join(reversed(parts))


def read_task_blocks(root: Node) -> list[TableRow]:
    """Every numbered task of the body that names its lead or its time in labelled lines."""
    rows: list[TableRow] = []
    stack = list(reversed(root.children))
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.children))
        if not node.is_heading or node.paragraph is None:
            continue
        fields = _fields(node)
        if fields.lead is None and fields.time is None:
            continue
        heading = _cell(node, node.text)
        lead = fields.lead or Cell("", heading.first_line, heading.last_line)
        rows.append(
            TableRow(
                section=_clause(node),
                task=Cell(node.text, heading.first_line, heading.last_line),
                lead=lead,
                coordinating=fields.partners or [],
                time=fields.time or Cell("", heading.first_line, heading.last_line),
            )
        )
    return rows
