"""The agency directory as notices need it: each agency's name, webhook and two contacts.

`Store` has no lookup of agencies with their contacts yet, so this reads the `agencies` and
`contacts` tables of db/migrations/0001_init.sql through the store's own pool. When the
repository gains such a method, this module should shrink to a call of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kehoach.store import Store
from schemas.base import Model


class Person(Model):
    """One contact an agency named (III.14 of the plan: a leader and a focal official)."""

    name: str
    title: str
    email: str
    placeholder: bool = False


class AgencyContacts(Model):
    """An agency with where to reach it: its contacts by role and its chat webhook, if any."""

    code: str
    name: str
    webhook_url: str | None = None
    leader: Person | None = None
    focal: Person | None = None


_AGENCIES_WITH_CONTACTS = """
SELECT a.code, a.name, a.webhook_url,
       c.role, c.name AS contact_name, c.title, c.email, c.placeholder
FROM agencies a LEFT JOIN contacts c ON c.agency_code = a.code
WHERE a.code = ANY($1::text[])
"""


async def agencies_with_contacts(store: Store, codes: Iterable[str]) -> dict[str, AgencyContacts]:
    """The named agencies that exist, by code; an unknown code is simply absent."""
    rows = await store._pool.fetch(_AGENCIES_WITH_CONTACTS, sorted(set(codes)))
    found: dict[str, dict[str, object]] = {}
    for row in rows:
        code = row["code"]
        agency = found.setdefault(
            code, {"code": code, "name": row["name"], "webhook_url": row["webhook_url"]}
        )
        if row["role"] is not None:
            agency[row["role"]] = Person(
                name=row["contact_name"], title=row["title"], email=row["email"],
                placeholder=row["placeholder"],
            )
    return {code: AgencyContacts.model_validate(fields) for code, fields in found.items()}
