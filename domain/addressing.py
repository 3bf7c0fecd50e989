"""Who a notice's roles mean: which contact of which agency, one entry per address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.assignment import NoticeRequest, Recipient
from schemas.store import AgencyContacts, Person

# Which contact of which agency each role means. The agency is named by a NoticeRequest field.
AgencyField = Literal["agency", "coordinator", "office", "issuer"]
ContactRole = Literal["focal", "leader"]
RECIPIENT_CONTACTS: dict[Recipient, tuple[tuple[AgencyField, ContactRole], ...]] = {
    "focal": (("agency", "focal"),),
    "leader": (("agency", "leader"),),
    "coordinator": (("coordinator", "focal"),),
    "coordinator_director": (("coordinator", "leader"),),
    "office": (("office", "focal"), ("office", "leader")),
    "vice_chairman": (("issuer", "leader"),),
}
AGENCY_ROLES: frozenset[Recipient] = frozenset({"focal", "leader"})


@dataclass(frozen=True)
class Addressee:
    """One address a notice goes to, and who is behind it."""

    role: Recipient
    contact: ContactRole
    agency: AgencyContacts
    person: Person | None  # None: the directory has no such agency or contact

    @property
    def address(self) -> str | None:
        return None if self.person is None else self.person.email


def resolve(notice: NoticeRequest, directory: dict[str, AgencyContacts]) -> list[Addressee]:
    """Who the notice's roles mean, one entry per distinct address, in the order named.

    A role whose agency or contact the directory lacks stays in the list without a person,
    so it is recorded and reported as a failed delivery instead of vanishing.
    """
    found: list[Addressee] = []
    seen: set[str] = set()
    for role in notice.recipients:
        for agency_field, contact in RECIPIENT_CONTACTS[role]:
            code: str = getattr(notice, agency_field)
            agency = directory.get(code) or AgencyContacts(code=code, name=code)
            person = agency.focal if contact == "focal" else agency.leader
            marker = person.email.lower() if person else f"{code}/{contact}"
            if marker not in seen:
                seen.add(marker)
                found.append(Addressee(role=role, contact=contact, agency=agency, person=person))
    return found
