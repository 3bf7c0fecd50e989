"""Where the plan's own text is, and which of its sections assign duties.

The body runs from the plan's title to its closing "./." or its "Nơi nhận" (a decision that
promulgates a plan carries the plan after its own signature). The sections that assign
duties are recognised by their titles: "Tổ chức thực hiện", "Phân công nhiệm vụ / trách
nhiệm", "Nhiệm vụ cụ thể", "Chế độ báo cáo", "Tổ chức theo dõi …".
"""

import re

from domain.planimport.structure import Node
from domain.planimport.text import Paragraph

_DUTY_SECTION = re.compile(
    r"tổ chức thực hiện|phân công|trách nhiệm|nhiệm vụ cụ thể|chế độ báo cáo"
    r"|chế độ thông tin|tổ chức theo dõi|giao nhiệm vụ",
    re.IGNORECASE,
)
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_APPENDIX = re.compile(r"^(PHỤ LỤC|Phụ lục)\b")


def is_recipients(paragraph: Paragraph) -> bool:
    """Whether the paragraph is the "Nơi nhận" list."""
    return bool(_RECIPIENTS.match(paragraph.text))


def body_range(paragraphs: list[Paragraph], title_index: int) -> tuple[int, int]:
    """Indexes [start, end) of the plan's body paragraphs, after its title."""
    start = title_index + 2
    end = len(paragraphs)
    for index in range(start, len(paragraphs)):
        text = paragraphs[index].text
        if is_recipients(paragraphs[index]) or _APPENDIX.match(text):
            end = index
            break
        if re.search(r"\.\s*/\.$", text.rstrip()):  # the closing mark "./."
            end = index + 1
            break
    return start, end


def is_duty_section(node: Node) -> bool:
    """Whether a section or item title announces who does what."""
    return bool(_DUTY_SECTION.search(node.text)) and len(node.text.split()) <= 16


def section_label(node: Node) -> str:
    """ "IV. PHÂN CÔNG NHIỆM VỤ": the marker and title as written."""
    return f"{node.marker}. {node.text}".strip()
