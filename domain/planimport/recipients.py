"""The "Nơi nhận" list: who receives the plan, one dash line each."""

import re

from domain.planimport.body import is_recipients
from domain.planimport.sourced import span_of
from domain.planimport.text import Paragraph
from schemas.plan_draft import DraftRecipient

_ITEM = re.compile(r"^[-–•]\s*(.+?)\s*[;,.]?$")


def read_recipients(paragraphs: list[Paragraph]) -> list[DraftRecipient]:
    """Every line of the last "Nơi nhận" list, archives ("Lưu: VT") included."""
    indexes = [i for i, p in enumerate(paragraphs) if is_recipients(p)]
    if not indexes:
        return []
    found: list[DraftRecipient] = []
    for paragraph in [paragraphs[indexes[-1]], *_items_after(paragraphs, indexes[-1])]:
        found.extend(_items(paragraph))
    return found


def _items_after(paragraphs: list[Paragraph], index: int) -> list[Paragraph]:
    """Dash items a layout without blank lines split off the list's own paragraph."""
    items: list[Paragraph] = []
    for paragraph in paragraphs[index + 1 :]:
        if not _ITEM.match(paragraph.text):
            break
        items.append(paragraph)
    return items


def _items(paragraph: Paragraph) -> list[DraftRecipient]:
    found: list[DraftRecipient] = []
    offset = 0
    for line in paragraph.lines:
        start = paragraph.text.find(line, offset)
        offset = start + len(line)
        match = _ITEM.match(line)
        if match is None:
            continue
        found.append(
            DraftRecipient(
                name=match.group(1),
                phrase=line,
                lines=span_of(paragraph, start, offset),
                confidence=0.95,
            )
        )
    return found
