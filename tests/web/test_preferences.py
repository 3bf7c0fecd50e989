"""The settings page: each person sees how notices reach them, with the role's default, and
chooses immediate or digest delivery; the choice is stored for their address."""

import pytest
from fastapi import FastAPI

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.web.helpers import csrf_of, sign_in

pytestmark = pytest.mark.devserver

FOCAL = "daumoi@sngv.example"
COORDINATOR = "daumoi@stttt.example"


async def test_the_settings_page_explains_the_digest_and_stores_the_choice(
    app: FastAPI, store: Store, mailbox: Mailbox
) -> None:
    focal = await sign_in(app, mailbox, FOCAL)
    page = await focal.get("/settings")
    assert 200 == page.status_code
    assert "bản tin buổi sáng" in page.text and "Ngoài giờ làm việc" in page.text
    assert 'value="immediate" checked' in page.text  # an agency's focal official: at once

    saved = await focal.post("/settings", data={"delivery": "digest", "csrf": csrf_of(page.text)})
    assert 200 == saved.status_code
    assert 'value="digest" checked' in saved.text
    assert {FOCAL: "digest"} == await store.delivery_preferences([FOCAL, COORDINATOR])

    wrong = await focal.post("/settings", data={"delivery": "weekly", "csrf": csrf_of(page.text)})
    assert 400 == wrong.status_code and "&#39;weekly&#39;" in wrong.text

    forged = await focal.post("/settings", data={"delivery": "immediate", "csrf": "not-it"})
    assert 403 == forged.status_code
    assert {FOCAL: "digest"} == await store.delivery_preferences([FOCAL])

    coordinator = await sign_in(app, mailbox, COORDINATOR)
    assert 'value="digest" checked' in (await coordinator.get("/settings")).text
