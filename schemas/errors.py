"""kehoach's own exceptions.

    KehoachError                 anything kehoach raises on purpose
    ├── PlanError                a plan or agency file is wrong (file, line, field, value, expected)
    ├── PlanConflict             another text under the number of a running plan, not an amendment
    ├── StoreError               the PostgreSQL store refused something
    │   ├── NotFound             no such row
    │   └── Conflict             a unique key already holds another value
    ├── RuntimeStartError        the embedded runtime could not start a part
    ├── CalendarRangeError       a date outside a working calendar (schemas.calendar)
    ├── Refused                  a workflow refused an action, with its reason (client.calls)
    └── Unavailable              Temporal or the worker did not answer (client.calls)

The tree lives in the lowest layer, so every layer may raise and catch it; the last three
are defined beside the code that raises them.

Each carries an English `message` for logs and a Vietnamese `message_vi` for people.
In activities these become `temporalio.exceptions.ApplicationError` with the class name as
its type, non-retryable where retrying cannot help.
"""

from dataclasses import dataclass


class KehoachError(Exception):
    """Base of every error kehoach raises on purpose."""

    message_vi: str = "Đã xảy ra lỗi."

    def __init__(self, message: str, *, message_vi: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if message_vi is not None:
            self.message_vi = message_vi


@dataclass(frozen=True)
class PlanProblem:
    """One thing wrong in a plan file, located as precisely as the file allows."""

    file: str
    line: int | None
    field: str
    value: str
    expected: str

    def render(self) -> str:
        """file:line: field: giá trị <value>; cần <expected> (Vietnamese: people read it)."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: giá trị {self.value}; cần {self.expected}"


class PlanError(KehoachError):
    """A plan file (or its agency directory) failed validation; carries every problem found."""

    message_vi = "Tệp kế hoạch không hợp lệ."

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.problems = problems
        super().__init__(
            f"plan file invalid ({len(problems)} problem(s)): "
            + "; ".join(f"{p.file}:{p.line} {p.field}" for p in problems)
        )


class StoreError(KehoachError):
    """The store refused an operation."""

    message_vi = "Không lưu được dữ liệu."


class NotFound(StoreError):
    message_vi = "Không tìm thấy dữ liệu."


class Conflict(StoreError):
    message_vi = "Dữ liệu đã tồn tại với nội dung khác."


class RuntimeStartError(KehoachError):
    """A part of the embedded runtime did not start."""

    message_vi = "Không khởi động được hệ thống."


class PlanConflict(KehoachError):
    """A different plan file under the number of a running plan, not marked an amendment."""

    message_vi = "Kế hoạch cùng số đang chạy với nội dung khác."
