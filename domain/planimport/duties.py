"""Agency blocks and their duty units, read from the outline of the duty sections.

An agency block is a heading that names a body (its duty units are the leaves under it,
plus any duty written on the heading's own line), or a sentence whose subject is a body
(one unit, plus the leaves under it). The same body in several blocks or sections is one
agency with all their units. A lead-in that ends in ":" is not a unit; its items are.
"""

import re
from dataclasses import dataclass, field

from domain.planimport.agencies import (
    Subject,
    further_subjects,
    heading_subject,
    names_a_body,
    sentence_subject,
)
from domain.planimport.body import is_duty_section, section_label
from domain.planimport.names import name_key
from domain.planimport.structure import PARAGRAPH_LEVEL, Node, is_bare_heading
from domain.planimport.text import Paragraph
from domain.planimport.verbs import opens_with_verb


@dataclass
class Unit:
    """One duty unit: its clause, its text and the paragraph it came from."""

    clause: str
    text: str
    paragraph: Paragraph
    start: int = 0
    objects: list["Unit"] = field(default_factory=list)  # items a lead-in lists


@dataclass
class Block:
    """The duties one agency receives, across every block and section that names it."""

    name: str
    key: str
    requested: bool
    sections: list[str]
    paragraph: Paragraph
    start: int
    end: int
    units: list[Unit] = field(default_factory=list)
    from_heading: bool = True


@dataclass
class DutyReading:
    """What the duty sections hold: the agency blocks and the closing paragraphs."""

    sections: list[str]
    blocks: list[Block]
    closing: list[Paragraph]


def _clause(node: Node) -> str:
    parts: list[str] = []
    current: Node | None = node
    while current is not None and current.level >= 0:
        if current.marker and current.marker != "-":
            parts.append(current.marker)
        current = current.parent
    return ".".join(reversed(parts))


def _lists_objects(node: Node) -> bool:
    """A lead-in ("… trình HĐND quyết định:") whose items are objects, not duties."""
    if not node.text.rstrip().endswith(":") or not node.children:
        return False
    return all(
        not child.children and not opens_with_verb(child.text) and not names_a_body(child.text)
        for child in node.children
    )


def _unit(node: Node) -> Unit:
    assert node.paragraph is not None
    return Unit(_clause(node), node.text, node.paragraph, len(node.paragraph.text) - len(node.text))


def _units_under(node: Node) -> list[Unit]:
    """The duty units at or under `node`: leaves, or a lead-in with its list of objects."""
    if _lists_objects(node):
        unit = _unit(node)
        unit.objects = [_unit(child) for child in node.children]
        return [unit]
    if not node.children:
        if node.paragraph is None or node.text.rstrip().endswith(":"):
            return []
        return [_unit(node)]
    units: list[Unit] = []
    for child in node.children:
        units.extend(_units_under(child))
    return units


def _leaf_units(node: Node) -> list[Unit]:
    """The units under an agency's heading or sentence."""
    units: list[Unit] = []
    for child in node.children:
        units.extend(_units_under(child))
    return units


def _block(subject: Subject, node: Node, section: str, *, from_heading: bool) -> Block:
    assert node.paragraph is not None
    shift = len(node.paragraph.text) - len(node.text)
    block = Block(
        subject.name,
        name_key(subject.name),
        subject.requested,
        [section],
        node.paragraph,
        shift + subject.start,
        shift + subject.end,
        from_heading=from_heading,
    )
    if subject.rest and (not from_heading or not is_bare_heading(node.text)):
        block.units.append(
            Unit(_clause(node), subject.rest, node.paragraph, shift + subject.rest_start)
        )
    block.units.extend(_leaf_units(node))
    return block


def _read_node(node: Node, section: str, found: list[Block]) -> None:
    """Find agency blocks at or under `node`."""
    if node.level == PARAGRAPH_LEVEL and node.parent is not None and node.parent.level == 0:
        return  # section-level paragraphs are read separately (closing or sole paragraph)
    subject = heading_subject(node.text) if node.is_heading and is_bare_heading(node.text) else None
    if subject is None and node.is_heading and ":" in node.text[:200]:
        subject = heading_subject(node.text)
    if subject is not None:
        found.append(_block(subject, node, section, from_heading=True))
        return
    subject = sentence_subject(node.text)
    if subject is not None:
        found.append(_block(subject, node, section, from_heading=False))
        _read_extra_subjects(node, section, found)
        return
    for child in node.children:
        _read_node(child, section, found)


def _read_extra_subjects(node: Node, section: str, found: list[Block]) -> None:
    assert node.paragraph is not None
    shift = len(node.paragraph.text) - len(node.text)
    for name, offset in further_subjects(node.text):
        block = Block(
            name,
            name_key(name),
            False,
            [section],
            node.paragraph,
            shift + offset,
            shift + offset + len(name),
            from_heading=False,
        )
        block.units.append(Unit(_clause(node), node.text[offset:], node.paragraph, shift + offset))
        found.append(block)


_AND_OTHERS = re.compile(
    r"\s+(?:và\s+)?(?:các\s+)?(?:cơ quan,?\s*|đơn vị,?\s*){1,2}(?:có\s+)?liên quan$"
)


def _merge_key(key: str) -> str:
    """ "các sở … và các đơn vị liên quan" is the same group as "các sở …"."""
    return _AND_OTHERS.sub("", key)


def _merge(blocks: list[Block]) -> list[Block]:
    """One block per agency: units and sections of repeated names are joined; the longer
    name of a group is kept."""
    merged: dict[str, Block] = {}
    for block in blocks:
        key = _merge_key(block.key)
        if key in merged:
            kept = merged[key]
            kept.units.extend(block.units)
            kept.sections.extend(s for s in block.sections if s not in kept.sections)
            if len(block.name) > len(kept.name):
                kept.name, kept.key = block.name, block.key
                kept.paragraph, kept.start, kept.end = block.paragraph, block.start, block.end
        else:
            merged[key] = block
    return list(merged.values())


def _section_id(section: Node, sub: Node | None) -> str:
    return section.marker if sub is None else f"{section.marker}.{sub.marker}"


def read_duties(root: Node) -> DutyReading:
    """The agency blocks of every duty section under `root`."""
    sections: list[str] = []
    blocks: list[Block] = []
    closing: list[Paragraph] = []
    for section in root.children:
        if section.level != 0:
            continue
        targets: list[Node] = []
        if is_duty_section(section):
            targets = [section]
        else:
            targets = [c for c in section.children if c.is_heading and is_duty_section(c)]
        for target in targets:
            sections.append(section_label(target))
            _read_section(target, blocks, closing)
    return DutyReading(sections, _merge(blocks), closing)


_CONTINUES = re.compile(r"^(Đồng thời|Ngoài ra|Bên cạnh đó)\b")


def _read_section(target: Node, blocks: list[Block], closing: list[Paragraph]) -> None:
    """The agency blocks of one duty section; its unmarked paragraphs after the numbered
    items close it (they are read for the final report, not as agencies)."""
    label = target.marker if target.level == 0 else _clause(target)
    found: list[Block] = []
    first_marked = next(
        (i for i, c in enumerate(target.children) if c.level != PARAGRAPH_LEVEL), None
    )
    for index, child in enumerate(target.children):
        if child.level != PARAGRAPH_LEVEL:
            _read_node(child, f"{label}.{child.marker}" if child.marker != "-" else label, found)
        elif child.paragraph is not None:
            closes = first_marked is not None and index > first_marked
            _section_paragraph(child, label, found, closing, closes=closes)
    blocks.extend(found)


def _section_paragraph(
    node: Node, label: str, found: list[Block], closing: list[Paragraph], *, closes: bool
) -> None:
    """An unmarked paragraph right under a duty section: it continues the last sentence
    block ("Đồng thời, …"), closes the section, or (in a section without numbered items)
    gives a duty to its subject."""
    assert node.paragraph is not None
    if _CONTINUES.match(node.text) and found and not found[-1].from_heading:
        found[-1].units.append(_unit(node))
        return
    subject = None if closes else sentence_subject(node.text)
    if subject is None or re.match(r"^(trong quá trình|nếu)", node.text, re.IGNORECASE):
        closing.append(node.paragraph)
        return
    found.append(_block(subject, node, label, from_heading=False))
