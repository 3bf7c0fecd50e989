"""A plan's report form in the portal and the API: shown, numbers checked, kept as text."""

from urllib.parse import quote

import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from adapters.settings import Settings
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from schemas.plan import Indicator, ReportForm
from tests.factories import tiny_plan
from tests.web.helpers import csrf_of, sign_in, start_assignment, store_status
from web.app import create_app

pytestmark = pytest.mark.devserver

FOCAL = "daumoi@sngv.example"
FORM = ReportForm(
    indicators=[
        Indicator(code="tin_bai", label="Số tin, bài", unit="tin, bài", area="II.2.a"),
        Indicator(code="kinh_phi", label="Kinh phí đã sử dụng", unit="đồng"),
    ]
)


@pytest.fixture
def form_app(settings: Settings, dev_env: WorkflowEnvironment, store: Store) -> FastAPI:
    """The tiny plan whose final report is duty III.5.4, written on FORM."""
    plan = tiny_plan()
    header = plan.plan.model_copy(
        update={
            "report_form": FORM,
            "final_report": plan.plan.final_report.model_copy(update={"duty": "III.5.4"}),
        }
    )
    return create_app(
        settings=settings,
        client=dev_env.client,
        store=store,
        plan=plan.model_copy(update={"plan": header}),
    )


async def test_the_form_is_shown_checked_and_kept_as_the_reports_text(
    form_app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    page_url = f"/assignments/{quote(handle.id, safe='/')}"
    api_url = f"/api/v1/assignments/{quote(handle.id, safe='/')}"
    client = await sign_in(form_app, mailbox, FOCAL)
    page = await client.get(page_url)
    for label in ("1. Kết quả thực hiện", "Số tin, bài (tin, bài)", "Kinh phí đã sử dụng (đồng)"):
        assert label in page.text
    assert 'name="body"' not in page.text
    detail = (await client.get(api_url)).json()
    assert ["tin_bai", "kinh_phi"] == [i["code"] for i in detail["report_form"]["indicators"]]

    refused = await client.post(
        f"{page_url}/submit",
        data={
            "csrf": csrf_of(page.text),
            "part_ket_qua": "Đã đăng 12 tin, bài.",
            "figure_tin_bai": "mười hai",
        },
    )
    assert 400 == refused.status_code
    assert "Số tin, bài: “mười hai” không phải là số." in refused.text

    me = (await client.get("/api/v1/me")).json()
    wrong = await client.post(
        f"{api_url}/submit",
        json={"parts": {"ket_qua": "Đã đăng tin."}, "figures": {"kinh_phi": -5}},
        headers={"X-CSRF-Token": me["csrf_token"]},
    )
    assert 400 == wrong.status_code
    assert "không hợp lệ" in wrong.text

    sent = await client.post(
        f"{page_url}/submit",
        data={
            "csrf": csrf_of(page.text),
            "part_ket_qua": "Đã đăng 12 tin, bài.",
            "part_de_xuat": "Đề nghị bổ sung kinh phí.",
            "figure_tin_bai": "12",
            "figure_kinh_phi": "1.500.000",
        },
    )
    assert 200 == sent.status_code, sent.text
    await store_status(store, handle.id, "submitted")
    [kept] = await store.list_submissions(handle.id)
    assert "- Số tin, bài: 12 tin, bài" in kept.body
    assert "- Kinh phí đã sử dụng: 1.500.000 đồng" in kept.body
    assert "Đề nghị bổ sung kinh phí." in kept.body
