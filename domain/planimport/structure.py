"""The outline of a plan's body: Roman sections, numbered items, letters, dashes, paragraphs.

Vietnamese administrative documents (Decree 30/2020, Appendix I) number their parts
I., 1., 1.1., a), then "-" and "+"; nothing is indented, so a paragraph's place in the
outline comes from its marker alone, and an unmarked paragraph belongs to the last heading
that is still waiting for its content.
"""

import re
from dataclasses import dataclass, field

from domain.planimport.text import Paragraph

_ROMAN = re.compile(r"^([IVX]{1,5})\s*[.:]\s*(.*)$")
_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:\.|\s*\))\s*(.*)$")
_LETTER = re.compile(r"^([a-zđ])\)\s*(.*)$")
_DASH = re.compile(r"^[-–•]\s*(.*)$")
_PLUS = re.compile(r"^\+\s*(.*)$")

PARAGRAPH_LEVEL = 9


@dataclass
class Node:
    """One part of the outline and the parts under it."""

    level: int
    marker: str
    text: str
    paragraph: Paragraph | None
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def is_heading(self) -> bool:
        """Roman sections and numbered items are headings; letters and dashes are items."""
        return self.level <= 4

    def leaves(self) -> list["Node"]:
        """The nodes under this one that have nothing under them."""
        if not self.children:
            return [self]
        found: list[Node] = []
        for child in self.children:
            found.extend(child.leaves())
        return found


def classify(paragraph: Paragraph) -> tuple[int, str, str]:
    """(level, marker, text after the marker) of one paragraph."""
    text = paragraph.text
    if match := _ROMAN.match(text):
        return 0, match.group(1), match.group(2)
    if match := _NUMBER.match(text):
        return match.group(1).count(".") + 1, match.group(1), match.group(2)
    if match := _LETTER.match(text):
        return 5, match.group(1), match.group(2)
    if match := _DASH.match(text):
        return 6, "-", match.group(1)
    if match := _PLUS.match(text):
        return 7, "+", match.group(1)
    return PARAGRAPH_LEVEL, "", text


def _takes_paragraph(node: Node) -> bool:
    """Whether an unmarked paragraph after `node` continues it (a heading still open)."""
    if node.level == PARAGRAPH_LEVEL:
        return False
    if any(child.level < PARAGRAPH_LEVEL for child in node.children):
        return False  # its bullets are done; a plain paragraph now closes the section
    return node.is_heading and is_bare_heading(node.text)


def is_bare_heading(text: str) -> bool:
    """A heading with no sentence of its own: "Sở Y tế", "Phân công nhiệm vụ:"."""
    stripped = text.rstrip()
    if not stripped or stripped.endswith(":"):
        return True
    return len(stripped.split()) <= 24 and not re.search(r"[.;]\s*$", stripped)


def outline(body: list[Paragraph]) -> Node:
    """The tree of the body's paragraphs, under a root at level -1."""
    root = Node(-1, "", "", None)
    stack = [root]
    for paragraph in body:
        level, marker, text = classify(paragraph)
        if level == PARAGRAPH_LEVEL:
            while len(stack) > 1 and not _takes_paragraph(stack[-1]):
                if stack[-1].level <= 0:
                    break
                stack.pop()
        else:
            while len(stack) > 1 and stack[-1].level >= level:
                stack.pop()
        node = Node(level, marker, text, paragraph, parent=stack[-1])
        stack[-1].children.append(node)
        if level != PARAGRAPH_LEVEL:
            stack.append(node)
    return root
