"""The importer: document text → `PlanDraft`, refusing what is not a plan."""

from domain.planimport.body import body_range
from domain.planimport.coordination import coordinating
from domain.planimport.deadlines import Found, find_deadlines
from domain.planimport.duties import Block, read_duties
from domain.planimport.final_report import ReportClause, find_final_report
from domain.planimport.header import doc_type_index, read_header
from domain.planimport.matching import match_agency, propose_agency
from domain.planimport.names import name_key
from domain.planimport.recipients import read_recipients
from domain.planimport.refusal import NotAPlan
from domain.planimport.sourced import span_of
from domain.planimport.structure import outline
from domain.planimport.task_blocks import read_task_blocks
from domain.planimport.task_tables import TableRow, read_task_tables, time_cell_deadlines
from domain.planimport.text import Paragraph, paragraphs
from schemas.plan import AgencyDirectory
from schemas.plan_draft import (
    DraftAgency,
    DraftDeadline,
    DraftDuty,
    DraftFinalReport,
    DraftTableTask,
    PlanDraft,
    Span,
)

_REFUSE_NO_PLAN = (
    'Văn bản không có phần "KẾ HOẠCH" (tiêu đề loại văn bản); đây không phải một kế hoạch '
    "hoặc quyết định ban hành kế hoạch."
)
_REFUSE_NO_DUTIES = (
    'Không tìm thấy phần phân công nhiệm vụ ("Tổ chức thực hiện", "Phân công nhiệm vụ"…) '
    "có cơ quan nào được giao việc; không lập được bản nháp kế hoạch."
)


def _deadline(found: Found, paragraph: Paragraph, text: str, offset: int) -> DraftDeadline:
    return DraftDeadline(
        phrase=text[found.start : found.end].strip(),
        lines=span_of(paragraph, offset + found.start, offset + found.end),
        confidence=found.confidence,
        kind=found.kind,
        recurrence=found.recurrence,
        **found.values,
    )


def _agency(block: Block, directory: AgencyDirectory | None, taken: set[str]) -> DraftAgency:
    duties = []
    for unit in block.units:
        deadlines = [
            _deadline(f, part.paragraph, part.text, part.start)
            for part in (unit, *unit.objects)
            for f in find_deadlines(part.text)
        ]
        partners = [p for p in coordinating(unit.text) if name_key(p) != block.key]
        matches = [match_agency(p, directory)[0] for p in partners] if directory else []
        duties.append(
            DraftDuty(
                phrase=unit.text,
                lines=span_of(unit.paragraph, unit.start),
                confidence=0.8,
                clause=unit.clause or "?",
                coordinating=partners,
                coordinating_matches=matches,
                deadlines=deadlines,
            )
        )
    confidence = 0.9 if block.from_heading else 0.7
    match = proposal = None
    if directory is not None:
        match, score = match_agency(block.name, directory)
        confidence = min(confidence, score)
    else:
        proposal = propose_agency(block.name, taken)
    return DraftAgency(
        phrase=block.paragraph.text[block.start : block.end],
        lines=span_of(block.paragraph, block.start, block.end),
        confidence=confidence,
        name=block.name,
        sections=block.sections,
        mode="requested" if block.requested else "assigned",
        match=match,
        proposal=proposal,
        duties=duties,
    )


def _final_report(clause: ReportClause | None) -> DraftFinalReport | None:
    if clause is None:
        return None
    text = clause.paragraph.text
    recurrences = [f.recurrence for f in clause.deadlines if f.recurrence != "adhoc"]
    recurrence = (
        recurrences[0]
        if recurrences
        else ("adhoc" if clause.deadlines or clause.kind == "escalation" else None)
    )
    return DraftFinalReport(
        phrase=text[clause.start : clause.end].strip(),
        lines=span_of(clause.paragraph, clause.start, clause.end),
        confidence=min(0.9, 0.4 + clause.score / 10),
        kind=clause.kind,
        reporters=clause.reporters,
        to=clause.to,
        via=clause.via,
        recurrence=recurrence,
        deadlines=[
            _deadline(f, clause.paragraph, text[clause.start : clause.end], clause.start)
            for f in clause.deadlines
        ],
    )


def _table_task(row: TableRow, directory: AgencyDirectory | None) -> DraftTableTask:
    time = row.time.text
    deadlines = [
        DraftDeadline(
            phrase=time[f.start : f.end] or time,
            lines=Span(first_line=row.time.first_line, last_line=row.time.last_line),
            confidence=f.confidence,
            kind=f.kind,
            recurrence=f.recurrence,
            **f.values,
        )
        for f in time_cell_deadlines(time)
    ]
    match = match_agency(row.lead.text, directory)[0] if directory else None
    return DraftTableTask(
        phrase=row.task.text,
        lines=Span(first_line=row.task.first_line, last_line=row.time.last_line),
        confidence=0.8 if deadlines else 0.5,
        section=row.section,
        task=row.task.text,
        lead=row.lead.text,
        lead_match=match,
        coordinating=row.coordinating,
        time_text=time,
        deadlines=deadlines,
    )


def import_plan(text: str, *, source: str, directory: AgencyDirectory | None = None) -> PlanDraft:
    """Read a plan's text into a draft; `NotAPlan` if it has no plan's shape or no duties."""
    paras = paragraphs(text)
    found = doc_type_index(paras, len(paras))
    if found is None or found[0] != "KẾ HOẠCH":
        raise NotAPlan("no KẾ HOẠCH heading", _REFUSE_NO_PLAN)
    start, end = body_range(paras, found[1])
    header = read_header(paras, body_limit=len(paras))
    tree = outline(paras[start:end])
    reading = read_duties(tree)
    last = paras[end - 1] if end > start else None
    if last is not None and last not in reading.closing and "báo cáo" in last.text:
        reading.closing.append(last)  # "Trên đây là Kế hoạch …, báo cáo … trước ngày …./."
    if not reading.blocks:
        raise NotAPlan("no duty section with agencies", _REFUSE_NO_DUTIES)
    taken: set[str] = set()
    agencies = [_agency(b, directory, taken) for b in reading.blocks]
    return PlanDraft(
        table_tasks=[
            _table_task(row, directory)
            for row in [*read_task_blocks(tree), *read_task_tables(text)]
        ],
        source=source,
        header=header,
        duties_sections=reading.sections,
        agencies=agencies,
        final_report=_final_report(find_final_report(reading)),
        recipients=read_recipients(paras),
        line_count=text.count("\n") + 1,
    )
