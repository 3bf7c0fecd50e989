"""Load a plan file and its agency directory, check everything, and normalize.

Every problem names the file, the line, the field, the value found and what was expected,
so a coordinator can fix the YAML without reading Python. Nothing here raises anything but
`PlanError` for bad input. What is accepted but looks inconsistent (a final report due on
one date whose duty recurs monthly) comes back as warnings in the same form
(`check_plan`), for `kehoach plan check` to show.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from domain.deadlines import once_last_day
from domain.succession import cycle_through
from domain.yamllines import LineMap, load_yaml_with_lines
from schemas.errors import PlanError, PlanProblem
from schemas.plan import (
    DEADLINE_KINDS,
    AgencyDirectory,
    Contact,
    DateDeadline,
    DirectoryAgency,
    Duty,
    NormalizedDuty,
    NormalizedPlan,
    PlanFile,
    RecurringDeadline,
)

MAX_FILE_BYTES = 5_000_000
M = TypeVar("M", bound=BaseModel)

_EXPECTED_VI: dict[str, str] = {
    "missing": "trường bắt buộc (đang thiếu)",
    "extra_forbidden": "không có trường này (kiểm tra chính tả)",
    "string_type": "một chuỗi ký tự",
    "int_type": "một số nguyên",
    "int_parsing": "một số nguyên",
    "int_from_float": "một số nguyên",
    "bool_type": "true hoặc false",
    "bool_parsing": "true hoặc false",
    "date_type": "một ngày dạng YYYY-MM-DD",
    "date_parsing": "một ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "một ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "một ngày (không kèm giờ)",
    "time_type": "một giờ dạng HH:MM",
    "time_parsing": "một giờ dạng HH:MM",
    "list_type": "một danh sách",
    "dict_type": "một ánh xạ (key: value)",
    "model_type": "một ánh xạ (key: value)",
    "model_attributes_type": "một ánh xạ (key: value)",
    "too_short": "danh sách/chuỗi không rỗng",
    "union_tag_invalid": "kind là một trong: " + ", ".join(DEADLINE_KINDS),
    "union_tag_not_found": "có trường kind (" + ", ".join(DEADLINE_KINDS) + ")",
}


def _expected(error: Any) -> str:
    kind = str(error["type"])
    if kind in _EXPECTED_VI:
        return _EXPECTED_VI[kind]
    if kind == "literal_error":
        return "một trong " + str(error.get("ctx", {}).get("expected", ""))
    if kind == "string_pattern_mismatch":
        return "khớp mẫu " + str(error.get("ctx", {}).get("pattern", ""))
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return str(error["msg"]).replace("Input should be", "giá trị").strip()
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _problems_from_validation(
    exc: ValidationError, *, file: str, data: Any, lines: LineMap
) -> list[PlanProblem]:
    problems = []
    for error in exc.errors():
        path = lines.data_path(data, error["loc"])
        value = "(không có)" if error["type"] == "missing" else _show(error.get("input"))
        problems.append(
            PlanProblem(
                file=file,
                line=lines.line_of(path),
                field=LineMap.render(path) or "(gốc tệp)",
                value=value,
                expected=_expected(error),
            )
        )
    return problems


def _read_yaml(path: Path) -> tuple[Any, LineMap]:
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlanError(
                [
                    PlanProblem(
                        shown, None, "(tệp)", f"{size} byte", f"tệp nhỏ hơn {MAX_FILE_BYTES} byte"
                    )
                ]
            )
        text = path.read_text(encoding="utf-8")
    except PlanError:
        raise
    except UnicodeDecodeError as exc:
        raise PlanError(
            [PlanProblem(shown, None, "(tệp)", f"byte {exc.start}", "văn bản mã hóa UTF-8")]
        ) from None
    except OSError as exc:
        raise PlanError(
            [PlanProblem(shown, None, "(tệp)", exc.strerror or str(exc), "một tệp đọc được")]
        ) from None
    try:
        return load_yaml_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        found = str(exc.problem)
        if exc.context and exc.context_mark is not None:
            found += f" ({exc.context}, bắt đầu ở dòng {exc.context_mark.line + 1})"
        raise PlanError(
            [PlanProblem(shown, line, "(cú pháp YAML)", found, "YAML hợp lệ")]
        ) from None
    except yaml.YAMLError as exc:
        raise PlanError(
            [PlanProblem(shown, None, "(cú pháp YAML)", str(exc), "YAML hợp lệ")]
        ) from None
    except RecursionError:
        raise PlanError(
            [
                PlanProblem(
                    shown, None, "(cấu trúc)", "lồng quá sâu", "cấu trúc lồng nhau ít tầng hơn"
                )
            ]
        ) from None
    except ValueError as exc:  # duplicate keys, non-scalar keys, aliases: raised with a line
        line, field, message = exc.args
        raise PlanError(
            [
                PlanProblem(
                    shown,
                    line,
                    field,
                    message,
                    "mỗi khóa là chuỗi, xuất hiện một lần, không dùng alias",
                )
            ]
        ) from None


def _validate(model: type[M], path: Path, data: Any, lines: LineMap) -> M:
    if not isinstance(data, dict):
        raise PlanError(
            [
                PlanProblem(
                    str(path),
                    1,
                    "(gốc tệp)",
                    _show(data),
                    "một ánh xạ ở gốc tệp (plan:, agencies_file:, duties:)",
                )
            ]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlanError(
            _problems_from_validation(exc, file=str(path), data=data, lines=lines)
        ) from None


class _Checker:
    """Cross-reference checks that a single model cannot make."""

    def __init__(
        self, *, plan_path: Path, plan_lines: LineMap, dir_path: Path, dir_lines: LineMap
    ) -> None:
        self.plan_path, self.plan_lines = str(plan_path), plan_lines
        self.dir_path, self.dir_lines = str(dir_path), dir_lines
        self.problems: list[PlanProblem] = []

    def in_plan(self, path: tuple[str | int, ...], value: Any, expected: str) -> None:
        self.problems.append(
            PlanProblem(
                self.plan_path,
                self.plan_lines.line_of(path),
                LineMap.render(path),
                _show(value),
                expected,
            )
        )

    def in_directory(self, path: tuple[str | int, ...], value: Any, expected: str) -> None:
        self.problems.append(
            PlanProblem(
                self.dir_path,
                self.dir_lines.line_of(path),
                LineMap.render(path),
                _show(value),
                expected,
            )
        )


def _duplicates(values: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)


def _check_directory(directory: AgencyDirectory, check: _Checker) -> None:
    for index, code in _duplicates(a.code for a in directory.agencies):
        check.in_directory(("agencies", index, "code"), code, "mã cơ quan chưa dùng")
    for index, code in _duplicates(g.code for g in directory.groups):
        check.in_directory(("groups", index, "code"), code, "mã nhóm chưa dùng")
    known = {a.code for a in directory.agencies} | {g.code for g in directory.groups}
    for g_index, group in enumerate(directory.groups):
        for m_index, member in enumerate(group.members):
            if member not in known:
                check.in_directory(
                    ("groups", g_index, "members", m_index),
                    member,
                    "mã một cơ quan hoặc nhóm (@...) có trong danh bạ",
                )
    members = {g.code: list(g.members) for g in directory.groups}
    for g_index, group in enumerate(directory.groups):
        if _nests_itself(group.code, members):
            check.in_directory(
                ("groups", g_index, "code"),
                group.code,
                "nhóm không chứa chính nó (qua các nhóm lồng nhau)",
            )
    _check_successions(directory, check)


def _check_successions(directory: AgencyDirectory, check: _Checker) -> None:
    """A merger or renaming names an agency of this directory, of this province, and never
    leads back to the agency merged."""
    agencies = {a.code for a in directory.agencies}
    for index, agency in enumerate(directory.agencies):
        if agency.successor is None:
            continue
        path = ("agencies", index, "successor")
        province, _, code = agency.successor.rpartition("/")
        if province.strip() and province.strip() != directory.province:
            check.in_directory(
                path,
                agency.successor,
                f"cơ quan tiếp nhận trong danh bạ {directory.province}: phân công không "
                f"chuyển sang tỉnh khác ({province.strip()}); khi hợp nhất tỉnh, lập danh bạ "
                "của tỉnh mới và nạp lại các kế hoạch",
            )
        elif code.strip() not in agencies:
            check.in_directory(
                path,
                agency.successor,
                f"mã cơ quan tiếp nhận có trong danh bạ {directory.province} "
                "(thêm cơ quan mới vào agencies trước)",
            )
    successions = directory.successions()
    for index, agency in enumerate(directory.agencies):
        if agency.successor is None:
            continue
        cycle = cycle_through(agency.code, successions)
        if cycle is not None:
            check.in_directory(
                ("agencies", index, "successor"),
                agency.successor,
                "chuỗi sáp nhập, đổi tên không quay vòng về cơ quan cũ (" + " → ".join(cycle) + ")",
            )


def _nests_itself(code: str, members: dict[str, list[str]]) -> bool:
    seen: set[str] = set()
    todo = list(members.get(code, []))
    while todo:
        ref = todo.pop()
        if ref == code:
            return True
        if ref in members and ref not in seen:
            seen.add(ref)
            todo += members[ref]
    return False


def _check_plan(plan_file: PlanFile, directory: AgencyDirectory, check: _Checker) -> None:
    agencies = {a.code for a in directory.agencies}
    known = agencies | {g.code for g in directory.groups}
    plan = plan_file.plan
    final = plan.final_report
    header_refs: list[tuple[tuple[str | int, ...], str]] = [
        (("plan", "issuer"), plan.issuer),
        (("plan", "coordinator"), plan.coordinator),
        (("plan", "office"), plan.office),
        (("plan", "final_report", "recipient"), final.recipient),
        (("plan", "final_report", "via"), final.via),
    ]
    header_refs += [(("plan", "final_report", "copies", i), c) for i, c in enumerate(final.copies)]
    duty_ids = {d.id for d in plan_file.duties}
    if final.duty is not None and final.duty not in duty_ids:
        check.in_plan(
            ("plan", "final_report", "duty"), final.duty, "mã một nhiệm vụ có trong kế hoạch"
        )
    if final.duty is None and final.deadline is None:
        check.in_plan(
            ("plan", "final_report"),
            "(không có duty, deadline)",
            "final_report có duty (nhiệm vụ báo cáo) hoặc deadline",
        )
    for path, code in header_refs:
        if code not in agencies:
            check.in_plan(path, code, "mã một cơ quan có trong danh bạ")
    if isinstance(final.deadline, DateDeadline) and final.deadline.last_day() < plan.issued_on:
        check.in_plan(
            ("plan", "final_report", "deadline", "due"),
            str(final.deadline.due),
            f"một ngày sau ngày ban hành {plan.issued_on.isoformat()}",
        )
    groups = {g.code: g for g in directory.groups}
    for group_code, members in plan.resolved_groups.items():
        if group_code not in groups or not groups[group_code].open:
            check.in_plan(
                ("plan", "resolved_groups", group_code),
                group_code,
                "mã một nhóm mở (open: true) có trong danh bạ",
            )
        for m_index, member in enumerate(members):
            if member not in agencies:
                check.in_plan(
                    ("plan", "resolved_groups", group_code, m_index),
                    member,
                    "mã một cơ quan có trong danh bạ",
                )
    for index, duty_id in _duplicates(d.id for d in plan_file.duties):
        check.in_plan(("duties", index, "id"), duty_id, "mã nhiệm vụ chưa dùng")
    for d_index, duty in enumerate(plan_file.duties):
        _check_duty(duty, d_index, known=known, issued_on_check=plan.issued_on, check=check)
        if duty.report_to is not None and duty.report_to not in agencies:
            check.in_plan(
                ("duties", d_index, "report_to"), duty.report_to, "mã một cơ quan có trong danh bạ"
            )


def _deadline_paths(duty: Duty, index: int) -> list[tuple[tuple[str | int, ...], Any]]:
    if duty.deadlines:
        return [(("duties", index, "deadlines", i), rule) for i, rule in enumerate(duty.deadlines)]
    return [(("duties", index, "deadline"), duty.deadline)]


def _check_duty(
    duty: Duty, index: int, *, known: set[str], issued_on_check: Any, check: _Checker
) -> None:
    if duty.clause.split(".")[0] != duty.section:
        check.in_plan(
            ("duties", index, "section"),
            duty.section,
            f"phần đầu của clause {duty.clause} ({duty.clause.split('.')[0]})",
        )
    for field in ("lead", "coordinating", "assignees"):
        for r_index, ref in enumerate(getattr(duty, field) or []):
            if ref not in known:
                check.in_plan(
                    ("duties", index, field, r_index),
                    ref,
                    "mã một cơ quan hoặc nhóm (@...) có trong danh bạ",
                )
    for path, deadline in _deadline_paths(duty, index):
        if isinstance(deadline, DateDeadline) and deadline.last_day() < issued_on_check:
            check.in_plan(
                (*path, "due"),
                str(deadline.due),
                f"một ngày sau ngày ban hành {issued_on_check.isoformat()}",
            )


def _warnings(plan_file: PlanFile, data: Any, directory: AgencyDirectory, check: _Checker) -> None:
    """What is accepted but looks inconsistent, in the same form as a refusal."""
    plan = plan_file.plan
    final = plan.final_report
    if isinstance(data.get("plan"), dict) and "year" in data["plan"]:
        check.in_plan(
            ("plan", "year"),
            data["plan"]["year"],
            f"span: {{start: ..., end: ...}} (đang đọc là từ {plan.span.start} "
            f"đến {plan.span.end})",
        )
    duties = {d.id: (i, d) for i, d in enumerate(plan_file.duties)}
    if final.duty in duties and isinstance(final.deadline, DateDeadline):
        index, duty = duties[final.duty]
        for path, rule in _deadline_paths(duty, index):
            if isinstance(rule, RecurringDeadline):
                check.in_plan(
                    (*path, "frequency"),
                    rule.frequency,
                    f"báo cáo kết quả (final_report) có một hạn {final.deadline.due} nhưng "
                    f"nhiệm vụ {duty.id} báo cáo định kỳ {rule.frequency}: chỉ tổng hợp một "
                    "lần; bỏ final_report.deadline để tổng hợp từng kỳ",
                )
            elif isinstance(rule, DateDeadline) and rule.last_day() != final.deadline.last_day():
                check.in_plan(
                    (*path, "due"),
                    str(rule.due),
                    f"cùng hạn với final_report.deadline ({final.deadline.due})",
                )
    for index, duty in enumerate(plan_file.duties):
        for path, rule in _deadline_paths(duty, index):
            last = once_last_day(rule, plan)
            if last is not None and plan.span.end is not None and last > plan.span.end:
                check.in_plan(
                    path, str(last), f"một hạn trong thời gian kế hoạch (đến {plan.span.end})"
                )
    open_groups = {g.code for g in directory.groups if g.open} - set(plan.resolved_groups)
    for index, duty in enumerate(plan_file.duties):
        for field in ("lead", "assignees"):
            for r_index, ref in enumerate(getattr(duty, field) or []):
                if ref in open_groups:
                    check.in_plan(
                        ("duties", index, field, r_index),
                        ref,
                        "nhóm mở được xác định thành viên (plan.resolved_groups) "
                        "trước khi ban hành; chưa có thì không có phân công",
                    )


def _expand(refs: list[str], groups: dict[str, list[str]]) -> list[str]:
    """Agency codes of `refs`, groups expanded however deep they nest, in order, once each."""
    out: list[str] = []
    todo = list(reversed(refs))
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in groups:
            if ref not in seen:
                seen.add(ref)
                todo += reversed(groups[ref])
        elif ref not in out:
            out.append(ref)
    return out


def _normalize(plan_file: PlanFile, directory: AgencyDirectory) -> NormalizedPlan:
    plan = plan_file.plan
    groups = {g.code: list(plan.resolved_groups.get(g.code, g.members)) for g in directory.groups}
    duties = [
        NormalizedDuty(
            id=d.id,
            clause=d.clause,
            section=d.section,
            heading=d.heading,
            text=d.text,
            lead=_expand(list(d.lead), groups),
            coordinating=[
                code
                for code in _expand(list(d.coordinating), groups)
                if code not in _expand(list(d.lead), groups)
            ],
            assignees=_expand(list(d.assignees if d.assignees is not None else d.lead), groups),
            mode=d.mode,
            deliverable=d.deliverable,
            deadline=d.all_deadlines()[0],
            deadlines=list(d.deadlines),
            reminders=d.reminders or plan.reminders,
            escalation=d.escalation or plan.escalation,
            approval=d.approval or plan.approval,
            basis=d.basis,
            subject=d.subject,
            report_to=d.report_to,
            milestone=d.milestone,
            interpretation=d.interpretation,
        )
        for d in plan_file.duties
    ]
    return NormalizedPlan(
        plan=plan,
        agencies=[a.resolved() for a in directory.agencies],
        groups=list(directory.groups),
        duties=duties,
        successions=directory.successions(),
        province=directory.province,
    )


def _apply_contacts(directory: AgencyDirectory, contacts_file: Path) -> AgencyDirectory:
    """Replace placeholder contacts with the real ones from a configuration file.

    The file maps agency codes to `leader:` and/or `focal:` contacts.
    """
    data, lines = _read_yaml(contacts_file)
    if not isinstance(data, dict):
        raise PlanError(
            [
                PlanProblem(
                    str(contacts_file),
                    1,
                    "(gốc tệp)",
                    _show(data),
                    "ánh xạ MÃ_CƠ_QUAN: {leader: ..., focal: ...}",
                )
            ]
        )
    known = {a.code: a for a in directory.agencies}
    problems: list[PlanProblem] = []
    updated: dict[str, DirectoryAgency] = {}
    for code, entry in data.items():
        if code not in known:
            problems.append(
                PlanProblem(
                    str(contacts_file),
                    lines.line_of((code,)),
                    str(code),
                    _show(code),
                    "mã một cơ quan có trong danh bạ",
                )
            )
            continue
        changes: dict[str, Contact] = {}
        for role in ("leader", "focal"):
            if isinstance(entry, dict) and role in entry:
                try:
                    changes[role] = Contact.model_validate(entry[role])
                except ValidationError as exc:
                    problems.extend(
                        _problems_from_validation(
                            exc,
                            file=str(contacts_file),
                            data=entry[role],
                            lines=lines.under((code, role)),
                        )
                    )
        if not isinstance(entry, dict) or not set(entry) <= {"leader", "focal"}:
            problems.append(
                PlanProblem(
                    str(contacts_file),
                    lines.line_of((code,)),
                    str(code),
                    _show(entry),
                    "ánh xạ có leader: và/hoặc focal:",
                )
            )
        updated[code] = known[code].model_copy(update=changes)
    if problems:
        raise PlanError(problems)
    agencies = [updated.get(a.code, a) for a in directory.agencies]
    return directory.model_copy(update={"agencies": agencies})


def check_plan(
    path: Path, *, contacts_file: Path | None = None
) -> tuple[NormalizedPlan, list[PlanProblem]]:
    """Read, validate and normalize a plan file; raise PlanError listing every problem.
    Also return the warnings: what is accepted but looks inconsistent."""
    data, lines = _read_yaml(path)
    plan_file = _validate(PlanFile, path, data, lines)
    dir_path = path.parent / plan_file.agencies_file
    dir_data, dir_lines = _read_yaml(dir_path)
    directory = _validate(AgencyDirectory, dir_path, dir_data, dir_lines)
    check = _Checker(plan_path=path, plan_lines=lines, dir_path=dir_path, dir_lines=dir_lines)
    _check_directory(directory, check)
    _check_plan(plan_file, directory, check)
    if check.problems:
        raise PlanError(check.problems)
    _warnings(plan_file, data, directory, check)
    if contacts_file is not None:
        directory = _apply_contacts(directory, contacts_file)
    return _normalize(plan_file, directory), check.problems


def check_directory(path: Path) -> AgencyDirectory:
    """Read and check an agency directory file on its own (`kehoach directory check`);
    raise PlanError listing every problem."""
    data, lines = _read_yaml(path)
    directory = _validate(AgencyDirectory, path, data, lines)
    check = _Checker(plan_path=path, plan_lines=lines, dir_path=path, dir_lines=lines)
    _check_directory(directory, check)
    if check.problems:
        raise PlanError(check.problems)
    return directory


def load_plan(path: Path, *, contacts_file: Path | None = None) -> NormalizedPlan:
    """Read, validate and normalize a plan file; raise PlanError listing every problem."""
    return check_plan(path, contacts_file=contacts_file)[0]
