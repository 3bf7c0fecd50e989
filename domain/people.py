"""Who is acting: a person's email, looked up in the plan's directory, becomes an `Actor`.

The role follows from where the plan puts the person's agency: the coordinator's leader
directs and its focal official coordinates, the issuer's leader is the Vice-Chairman who
signs, the office chases for the issuer; everyone else acts for their own agency.
"""

from schemas.assignment import Actor, Role
from schemas.errors import KehoachError
from schemas.plan import Agency, Contact, NormalizedPlan


def _role(plan: NormalizedPlan, agency: Agency, position: str) -> Role:
    header = plan.plan
    if agency.code == header.coordinator:
        return "coordinator_director" if position == "leader" else "coordinator"
    if agency.code == header.issuer and position == "leader":
        return "vice_chairman"
    if agency.code == header.office:
        return "office"
    return "leader" if position == "leader" else "focal"


def actor_for(plan: NormalizedPlan, email: str, *, source: str = "cli") -> Actor:
    """The Actor the directory makes of `email` (case-insensitive); KehoachError if absent.

    A person named both leader and focal of one agency acts as its leader (the wider
    rights); an address named by two agencies is refused, since the role would be a guess.
    """
    wanted = email.strip().lower()
    found: list[tuple[Agency, str, Contact]] = [
        (agency, position, contact)
        for agency in plan.agencies
        for position, contact in (("leader", agency.leader), ("focal", agency.focal))
        if contact.email.lower() == wanted
    ]
    if not found:
        raise KehoachError(
            f"no contact with email {email!r} in the directory of plan {plan.plan.number}",
            message_vi=f"Không có ai với địa chỉ thư {email} trong danh bạ của Kế hoạch "
            f"{plan.plan.number}.",
        )
    agencies = sorted({agency.code for agency, _, _ in found})
    if len(agencies) > 1:
        raise KehoachError(
            f"email {email!r} is a contact of several agencies: {', '.join(agencies)}",
            message_vi=f"Địa chỉ thư {email} là đầu mối của nhiều cơ quan "
            f"({', '.join(agencies)}); không xác định được vai trò.",
        )
    agency, position, contact = min(found, key=lambda f: f[1] != "leader")
    return Actor(
        email=contact.email,
        role=_role(plan, agency, position),
        agency=agency.code,
        name=contact.name,
        source=source,
    )
