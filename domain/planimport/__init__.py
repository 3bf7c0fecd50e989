"""Read a plan document into a draft plan: rule-based, offline, every item sourced.

`import_plan(text)` is pure: text in (see `readers` for .docx/.pdf), `PlanDraft` out, or
`NotAPlan` when the text has no plan's shape. The rules follow the layout of Vietnamese
administrative documents (Decree 30/2020/NĐ-CP) and the wording plans use for duties and
deadlines; see each module.
"""

from domain.planimport.draft import import_plan
from domain.planimport.readers import read_document
from domain.planimport.refusal import NotAPlan

__all__ = ["NotAPlan", "import_plan", "read_document"]
