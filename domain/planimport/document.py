"""One import, as `kehoach plan import` and the portal both run it: a document's bytes in,
its text, the draft, the plan file (general format) with its notes and the review out."""

from dataclasses import dataclass

from domain.planimport.draft import import_plan
from domain.planimport.readers import Ocr, read_document
from domain.planimport.review import review_report
from domain.planimport.to_planfile import DraftFiles, draft_planfile
from schemas.plan import AgencyDirectory
from schemas.plan_draft import PlanDraft


@dataclass(frozen=True)
class ImportedPlan:
    """What one document gave: the text read, the draft, its files and the review."""

    text: str
    draft: PlanDraft
    files: DraftFiles
    review: str


def import_document(
    data: bytes,
    *,
    source: str,
    suffix: str,
    directory: AgencyDirectory | None,
    agencies_file: str,
    ocr: Ocr | None = None,
) -> ImportedPlan:
    """Read and import a plan document; raises NotAPlan (with a Vietnamese message) for what
    is not one."""
    text = read_document(data, suffix, ocr=ocr)
    draft = import_plan(text, source=source, directory=directory)
    files = draft_planfile(draft, directory=directory, agencies_file=agencies_file)
    return ImportedPlan(text=text, draft=draft, files=files, review=review_report(draft))
