"""Text PostgreSQL cannot keep is a refusal, not an error to retry for ever."""

import pytest

from adapters.store import Store
from schemas.errors import StoreError
from schemas.store import Assignment


async def test_a_report_with_nul_is_refused_and_nothing_is_kept(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(StoreError) as refused:
        await store.add_submission(
            assignment_id=assignment.id, submitted_by="a@b.example", body="Báo cáo\x00có ký tự NUL."
        )
    assert "Nội dung có ký tự không lưu được." == refused.value.message_vi
    assert [] == await store.list_submissions(assignment.id)
