"""The review report: what a person should look at first in an imported draft.

Ordered by what costs most when wrong: agencies the directory does not know (a reminder to
the wrong office), then header fields not found, the final report, deadlines the plan
model cannot hold or that are vague, and finally every item the importer was unsure of.
Each line names the source lines so the reviewer can read the text beside it.
"""

from schemas.plan_draft import DraftDeadline, PlanDraft, Span

LOW = 0.7
_VAGUE = {"periodic", "month", "quarter", "year", "relative", "event"}
_KIND_VI = {
    "date": "ngày cụ thể",
    "month": "trong tháng",
    "quarter": "theo quý",
    "year": "trong năm",
    "relative": "tính từ một sự kiện",
    "recurring": "định kỳ",
    "periodic": "định kỳ (chưa rõ kỳ)",
    "adhoc": "đột xuất",
    "continuous": "thường xuyên",
    "event": "khi có sự kiện",
}
_HEADER_VI = {
    "doc_type": "loại văn bản",
    "number": "số hiệu",
    "issuer": "cơ quan ban hành",
    "issuer_as_written": "tên cơ quan như in",
    "issued_on": "ngày ban hành",
    "place": "địa danh",
    "title": "trích yếu",
    "signer_name": "người ký",
    "signer_title": "chức vụ người ký",
}


def _at(lines: Span | None) -> str:
    if lines is None:
        return "(không rõ dòng)"
    if lines.first_line == lines.last_line:
        return f"dòng {lines.first_line}"
    return f"dòng {lines.first_line}–{lines.last_line}"


def _agencies(draft: PlanDraft) -> list[str]:
    out: list[str] = []
    for agency in draft.agencies:
        if agency.match is not None and agency.match.members:
            out.append(
                f"- **{agency.name}** ({_at(agency.lines)}): nhiều cơ quan, khớp "
                f"{', '.join(agency.match.members)}; xác nhận."
            )
        elif agency.match is not None and agency.match.code is None:
            near = ", ".join(f"{c.code} {c.name} ({c.score:.0f})" for c in agency.match.candidates)
            out.append(
                f"- **{agency.name}** ({_at(agency.lines)}): không có trong danh bạ. "
                f"Gần nhất: {near or 'không có'}. Chọn một mục hoặc thêm cơ quan mới."
            )
        elif agency.proposal is not None:
            p = agency.proposal
            out.append(
                f"- **{agency.name}** ({_at(agency.lines)}): đề xuất mục danh bạ "
                f"`{p.code}` (loại `{p.kind}`); xác nhận mã, tên và loại."
            )
    return out


def _header(draft: PlanDraft) -> list[str]:
    out: list[str] = []
    for name, label in _HEADER_VI.items():
        item = getattr(draft.header, name)
        if item.value is None:
            out.append(f"- Không tìm thấy {label}.")
        elif item.confidence < LOW:
            out.append(f"- {label}: «{item.value}» ({_at(item.lines)}), cần kiểm tra.")
    return out


def _final_report(draft: PlanDraft) -> list[str]:
    report = draft.final_report
    if report is None:
        return [
            "- Không tìm thấy điều khoản báo cáo kết quả thực hiện kế hoạch; "
            "hãy ghi người nhận, cơ quan tổng hợp và hạn báo cáo."
        ]
    lines = [
        f"- {_at(report.lines)}: «{report.phrase}»",
        f"  - cơ quan báo cáo: {report.reporters or '—'}; gửi: {report.to or '—'}; "
        f"qua: {report.via or '—'}; loại: {report.kind}",
    ]
    if not any(d.kind == "date" for d in report.deadlines):
        lines.append(
            "  - Mô hình kế hoạch cần một ngày cụ thể cho báo cáo cuối: "
            "hãy đặt hạn (văn bản không nêu ngày)."
        )
    return lines


def _deadline_line(agency: str, deadline: DraftDeadline) -> str:
    return (
        f"- {agency}, {_at(deadline.lines)}: «{deadline.phrase}» → "
        f"{_KIND_VI.get(deadline.kind, deadline.kind)}"
    )


def _deadlines(draft: PlanDraft) -> list[str]:
    out: list[str] = []
    for agency in draft.agencies:
        for duty in agency.duties:
            if len(duty.deadlines) > 1:
                phrases = "; ".join(f"«{d.phrase}»" for d in duty.deadlines)
                out.append(
                    f"- {agency.name}, {_at(duty.lines)}: nhiều thời hạn trong một "
                    f"nhiệm vụ ({phrases}); mô hình giữ một, còn lại ở mục `draft`."
                )
            out.extend(
                _deadline_line(agency.name, d)
                for d in duty.deadlines
                if d.kind in _VAGUE or d.confidence < LOW
            )
    return out


def _unsure(draft: PlanDraft) -> list[str]:
    return [
        f"- {a.name} ({_at(a.lines)}): độ tin cậy {a.confidence:.2f}"
        for a in draft.agencies
        if a.confidence < LOW
    ]


def _table_tasks(draft: PlanDraft) -> list[str]:
    if not draft.table_tasks:
        return []
    lines = [
        f"- {len(draft.table_tasks)} nhiệm vụ ở bảng phụ lục hoặc ở khối «Cơ quan chủ "
        "trì / Thời gian thực hiện», giữ trong mục `draft.table_tasks` (mô hình kế hoạch "
        "chưa có mục cho chúng); cần đưa vào `duties` khi mô hình cho phép."
    ]
    for task in draft.table_tasks:
        if (
            task.lead_match is not None
            and task.lead_match.code is None
            and not task.lead_match.members
        ):
            lines.append(
                f"- {task.section} ({_at(task.lines)}): cơ quan chủ trì «{task.lead}» "
                "không có trong danh bạ."
            )
        if not task.deadlines:
            lines.append(
                f"- {task.section} ({_at(task.lines)}): không đọc được thời gian "
                f"«{task.time_text}»."
            )
    return lines


def review_report(draft: PlanDraft) -> str:
    """The Markdown review report of a draft, most costly doubts first."""
    units = sum(len(a.duties) for a in draft.agencies)
    undated = sum(1 for a in draft.agencies for d in a.duties if not d.deadlines)
    parts = [
        f"# Rà soát bản nháp kế hoạch: {draft.header.number.value or draft.source}",
        "",
        f"Nguồn: `{draft.source}` ({draft.line_count} dòng). Đọc được {len(draft.agencies)} "
        f"cơ quan/nhóm, {units} nhiệm vụ; {undated} nhiệm vụ văn bản không nêu hạn (theo dõi "
        "không hạn, hoặc điều phối viên đặt hạn). Mục phân công: "
        + (", ".join(draft.duties_sections) or "—")
        + ".",
        "",
    ]
    sections = (
        ("1. Cơ quan cần xác nhận", _agencies(draft)),
        ("2. Thông tin văn bản", _header(draft)),
        ("3. Báo cáo kết quả cuối cùng", _final_report(draft)),
        ("4. Thời hạn cần xem", _deadlines(draft)),
        ("5. Mục độ tin cậy thấp", _unsure(draft)),
        ("6. Nhiệm vụ ở bảng phụ lục và khối nhiệm vụ", _table_tasks(draft)),
        ("7. Nơi nhận", [f"- {r.name} ({_at(r.lines)})" for r in draft.recipients]),
    )
    for title, lines in sections:
        parts.extend([f"## {title}", "", *(lines or ["- Không có mục nào."]), ""])
    parts.append(
        "Khi đã xử lý các mục trên, xóa phần `draft:` khỏi tệp YAML rồi chạy `kehoach plan check`."
    )
    return "\n".join(parts) + "\n"
