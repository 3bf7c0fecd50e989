"""The portal's lists and counts over every plan: filtered, paged and counted in SQL.

A page asks for one page of rows and the counts it shows; nothing here fetches a whole plan
to count it in Python. Each listed row carries its label at the moment asked (LABEL_SQL, the
rule of `domain.progress.label`) and the names of its plan, duty and agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from adapters.store.base import Repository
from domain.progress import DUE_SOON
from schemas.store import (
    PAGE_LIMIT_MAX,
    AssignmentFilter,
    AssignmentPage,
    AwaitingReport,
    Decidable,
    LabelCount,
    ListedAssignment,
    PlanSummary,
)

# domain.progress.label in SQL; tests/store/test_listing.py checks that both agree.
LABEL_SQL = """(CASE
    WHEN a.status = 'accepted' THEN CASE WHEN a.outcome = 'late' THEN 'late' ELSE 'on_time' END
    WHEN a.status IN ('cancelled', 'waived') THEN a.status
    WHEN a.status = 'ended' THEN 'overdue'
    WHEN a.overdue THEN 'overdue'
    WHEN a.status = 'submitted' OR a.due_at IS NULL THEN 'in_term'
    WHEN a.due_at <= {now}::timestamptz THEN 'overdue'
    WHEN a.due_at - {now}::timestamptz <= {soon}::interval THEN 'due_soon'
    ELSE 'in_term' END)"""

# Names are joined to the page's rows only, after the page is cut (`page` is the CTE).
_NAMES = """
FROM page a
JOIN plans p ON p.id = a.plan_id
JOIN duties d ON d.plan_id = a.plan_id AND d.duty_id = a.duty_id
JOIN agencies g ON (g.directory, g.code) = (p.directory, a.agency_code)
"""
_ORDER = " ORDER BY a.due_at NULLS LAST, a.id"
GroupColumn = Literal["plan_id", "agency_code", "duty_id", "status", "period"]
ExportRow = tuple[str, str, str, str, str, str, dt.datetime | None, str, str]


class _Sql:
    """One statement's parameters, numbered as they are used."""

    def __init__(self, now: dt.datetime) -> None:
        self.args: list[Any] = []
        self._now = now
        self._label: str | None = None

    def arg(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def label(self) -> str:
        if self._label is None:
            self._label = LABEL_SQL.format(now=self.arg(self._now), soon=self.arg(DUE_SOON))
        return self._label

    def where(self, f: AssignmentFilter) -> str:
        parts = ["true"]
        for column in ("plan_id", "agency_code", "status", "period"):
            value = getattr(f, column)
            if value is not None:
                parts.append(f"a.{column} = {self.arg(value)}")
        if f.label is not None:
            parts.append(f"{self.label()} = {self.arg(f.label)}")
        if f.directory is not None:
            parts.append(self.in_directory(f.directory))
        return " AND ".join(parts)

    def in_directory(self, directory: str) -> str:
        """Assignments of the plans of one directory (province)."""
        return f"a.plan_id IN (SELECT id FROM plans WHERE directory = {self.arg(directory)})"

    def kept_counts(self, f: AssignmentFilter, grain: str) -> str:
        """The kept counts of `grain` that `f` selects, as rows the label rule reads (their
        `due_at` is the start of the deadline's day, or NULL when the label does not depend
        on the moment), with the rows themselves in place of the counts of the two days the
        moment falls in: the day of `now` and the day of `now` + DUE_SOON."""
        parts = [f"a.grain = {self.arg(grain)}"]
        for column in ("plan_id", "agency_code", "status", "directory"):
            value = getattr(f, column)
            if value is not None:
                parts.append(f"a.{column} = {self.arg(value)}")
        days = [f"deadline_day({self.arg(self._now)}::timestamptz)"]
        days.append(f"deadline_day({self.arg(self._now + DUE_SOON)}::timestamptz)")
        in_days = " OR ".join(
            f"(a.due_at >= {d} AND a.due_at < {d} + '1 day'::interval)" for d in days
        )
        counted = "a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome, a.overdue, a.due_at"
        kept = " UNION ALL ".join(  # the counts and the changes not yet folded into them
            f"SELECT a.grain, a.directory, {counted}, a.n FROM {table} a"
            for table in ("assignment_counts", "assignment_count_changes")
        )
        return (
            f"(SELECT {counted}, a.n FROM ({kept}) a WHERE {' AND '.join(parts)}"
            f" AND (a.due_at IS NULL OR a.due_at <> ALL(ARRAY[{', '.join(days)}]))"
            " UNION ALL SELECT a.plan_id, a.agency_code, a.duty_id, a.status, a.outcome,"
            f" a.overdue, a.due_at, 1 FROM assignments a WHERE {self.where(f)} AND ({in_days})"
            " AND assignment_count_day(a.status, a.overdue, a.due_at) IS NOT NULL)"
        )

    def listed(self) -> str:
        return (
            f"SELECT a.*, {self.label()} AS label, p.title AS plan_title, d.clause,"
            " d.text AS duty_text, g.name AS agency_name"
        )


# The grains of the kept counts (migration 0014) by the columns their keys hold beside
# the status and directory, smallest first: a count grouped and filtered by columns among
# them reads that grain.
_GRAINS: tuple[tuple[str, frozenset[str]], ...] = (
    ("plan", frozenset({"plan_id"})),
    ("agency", frozenset({"agency_code"})),
    ("plan_duty", frozenset({"plan_id", "duty_id"})),
    ("plan_agency", frozenset({"plan_id", "agency_code"})),
)


def _grain(f: AssignmentFilter, grouping: Sequence[GroupColumn]) -> str | None:
    """The grain of the kept counts that counts `f` grouped by `grouping` (None: count the
    rows; the counts are not kept by period)."""
    if f.period is not None or f.label is not None:
        return None
    used = {c for c in grouping if c != "status"}
    used |= {c for c in ("plan_id", "agency_code") if getattr(f, c) is not None}
    return next((name for name, held in _GRAINS if used <= held), None)


def _bounded(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, PAGE_LIMIT_MAX)), max(0, offset)


class ListingRepository(Repository):
    """The portal's lists and counts over every plan: filtered, paged and counted in SQL."""

    async def page_assignments(
        self, f: AssignmentFilter, *, now: dt.datetime, limit: int = 50, offset: int = 0
    ) -> AssignmentPage:
        """One page of the assignments `f` selects, soonest due first, and their total (from
        the kept counts where a grain serves `f`)."""
        limit, offset = _bounded(limit, offset)
        q = _Sql(now)
        where = q.where(f)
        rows = await self._pool.fetch(
            f"WITH page AS (SELECT a.* FROM assignments a WHERE {where}{_ORDER}"
            f" LIMIT {q.arg(limit)} OFFSET {q.arg(offset)}) {q.listed()} {_NAMES}{_ORDER}",
            *q.args,
        )
        [counted] = await self.count_assignments(f, now=now)
        return AssignmentPage(
            rows=[ListedAssignment.model_validate(dict(r)) for r in rows],
            total=counted.total,
            limit=limit,
            offset=offset,
        )

    async def count_assignments(
        self, f: AssignmentFilter, *, now: dt.datetime, by: Sequence[GroupColumn] = ()
    ) -> list[LabelCount]:
        """How many assignments `f` selects carry each label, per group of the `by` columns
        (one LabelCount with an empty key when `by` is empty), groups in key order."""
        [counts] = await self.count_assignment_sets(f, now=now, sets=[by])
        return counts

    async def count_assignment_sets(
        self, f: AssignmentFilter, *, now: dt.datetime, sets: Sequence[Sequence[GroupColumn]]
    ) -> list[list[LabelCount]]:
        """`count_assignments` for several groupings at once: one list of LabelCount per
        grouping, in the order asked. Groupings a grain of the kept counts serves (table
        `assignment_counts`, migration 0014) are read from it, one statement per grain;
        the others (by period, or for a period) count the rows, in one pass (GROUPING SETS).
        A chosen label keeps that label's counts of the groupings made without it."""
        whole = f.model_copy(update={"label": None})
        by_source: dict[str | None, list[int]] = {}
        for k, g in enumerate(sets):
            by_source.setdefault(_grain(whole, g), []).append(k)
        # Each grain is a statement of its own, on a connection of its own, at once.
        counted = await asyncio.gather(
            *(
                self._grouped_counts(whole, now=now, grain=grain, sets=[sets[k] for k in ks])
                for grain, ks in by_source.items()
            )
        )
        found: list[dict[tuple[str, ...], dict[str, int]]] = [{} for _ in sets]
        for ks, groups_of in zip(by_source.values(), counted, strict=True):
            for k, groups in zip(ks, groups_of, strict=True):
                found[k] = groups
        if f.label is not None:
            found = [
                {key: {f.label: c[f.label]} for key, c in groups.items() if f.label in c}
                for groups in found
            ]
        return [
            [LabelCount(key=k, counts=groups[k]) for k in sorted(groups)]
            if groups or g
            else [LabelCount(key=(), counts={})]
            for groups, g in zip(found, sets, strict=True)
        ]

    async def _grouped_counts(
        self,
        f: AssignmentFilter,
        *,
        now: dt.datetime,
        grain: str | None,
        sets: Sequence[Sequence[GroupColumn]],
    ) -> list[dict[tuple[str, ...], dict[str, int]]]:
        """Counts by label per group of each grouping, from one grain of the kept counts
        (None: from the rows), in one statement."""
        columns = sorted({c for grouping in sets for c in grouping})
        q = _Sql(now)
        label = q.label()
        source = (
            f"(SELECT a.*, 1 AS n FROM assignments a WHERE {q.where(f)})"
            if grain is None
            else q.kept_counts(f, grain)
        )
        chosen = ", ".join(f"a.{c}" for c in columns)
        grouping = f"GROUPING({chosen})" if columns else "0"
        grouping_sets = ", ".join(
            "(" + ", ".join([*(f"a.{c}" for c in g), "label"]) + ")" for g in sets
        )
        rows = await self._pool.fetch(
            f"SELECT {chosen + ', ' if columns else ''}{grouping} AS grouped, label,"
            f" sum(a.n) AS n FROM (SELECT a.*, {label} AS label FROM {source} a) a"
            f" GROUP BY GROUPING SETS ({grouping_sets}) HAVING sum(a.n) <> 0",
            *q.args,
        )
        found: list[dict[tuple[str, ...], dict[str, int]]] = [{} for _ in sets]
        for r in rows:
            # GROUPING(...) has a bit set for each column left out of the row's grouping.
            kept = {
                c for i, c in enumerate(columns) if not r["grouped"] >> (len(columns) - 1 - i) & 1
            }
            for k, g in enumerate(sets):
                if kept == set(g):
                    key = tuple(str(r[c]) for c in g)
                    found[k].setdefault(key, {})[r["label"]] = int(r["n"])
        return found

    async def plan_summaries(
        self,
        *,
        now: dt.datetime,
        counted: Sequence[LabelCount] | None = None,
        directory: str | None = None,
    ) -> list[PlanSummary]:
        """Every stored plan (of `directory`, if named) with its assignments counted by
        label, in number order; with `counted` (counts by plan_id already made for those
        plans) nothing is counted again."""
        if counted is None:
            counted = await self.count_assignments(
                AssignmentFilter(directory=directory), now=now, by=("plan_id",)
            )
        per_plan = {c.key[0]: c.counts for c in counted}
        rows = await self._pool.fetch(
            "SELECT id, title, coordinator FROM plans"
            " WHERE $1::text IS NULL OR directory = $1 ORDER BY id",
            directory,
        )
        return [
            PlanSummary(
                id=r["id"],
                title=r["title"],
                coordinator=r["coordinator"],
                counts=per_plan.get(r["id"], {}),
            )
            for r in rows
        ]

    async def plan_titles(self, *, directory: str | None = None) -> dict[str, str]:
        """Every stored plan's title (of `directory`, if named) by number, in number order
        (the plan filter's choices)."""
        rows = await self._pool.fetch(
            "SELECT id, title FROM plans WHERE $1::text IS NULL OR directory = $1 ORDER BY id",
            directory,
        )
        return {r["id"]: r["title"] for r in rows}

    async def agency_names(self, codes: Sequence[str], *, directory: str) -> dict[str, str]:
        """The names of these agency codes in one directory (a code it lacks is absent)."""
        rows = await self._pool.fetch(
            "SELECT code, name FROM agencies WHERE directory = $1 AND code = ANY($2::text[])",
            directory,
            sorted(set(codes)),
        )
        return {r["code"]: r["name"] for r in rows}

    async def page_awaiting(
        self,
        decidable: Decidable,
        *,
        now: dt.datetime,
        plan_id: str | None = None,
        directory: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[AwaitingReport], int]:
        """The submitted reports waiting for a step `decidable` decides (the workflow's
        pending step as mirrored in the store), of plans of `directory` if named (the
        person's agency code names another agency elsewhere), soonest due first, and how
        many in all."""
        limit, offset = _bounded(limit, offset)

        def waiting(q: _Sql) -> str:
            agency = q.arg(decidable.agency)
            plan = q.arg(plan_id)
            return (
                "a.status = 'submitted'"
                f" AND ({plan}::text IS NULL OR a.plan_id = {plan})"
                f" AND (a.pending_step = ANY({q.arg(sorted(decidable.anywhere))}::text[])"
                f" OR (a.pending_step = ANY({q.arg(sorted(decidable.own_agency))}::text[])"
                f" AND a.agency_code = {agency})"
                f" OR (a.pending_step = ANY({q.arg(sorted(decidable.coordinated))}::text[])"
                f" AND a.plan_id IN (SELECT id FROM plans WHERE coordinator = {agency})))"
                + ("" if directory is None else f" AND {q.in_directory(directory)}")
            )

        q = _Sql(now)
        where = waiting(q)
        page = (
            f"WITH page AS (SELECT a.* FROM assignments a WHERE {where}{_ORDER}"
            f" LIMIT {q.arg(limit)} OFFSET {q.arg(offset)})"
        )
        rows = await self._pool.fetch(
            f"{page} {q.listed()}, s.version, s.submitted_by, s.submitted_at {_NAMES}"
            " LEFT JOIN LATERAL (SELECT version, submitted_by, submitted_at FROM submissions"
            f" WHERE assignment_id = a.id ORDER BY version DESC LIMIT 1) s ON true{_ORDER}",
            *q.args,
        )
        c = _Sql(now)
        total = await self._pool.fetchval(
            f"SELECT count(*) FROM assignments a WHERE {waiting(c)}", *c.args
        )
        return [AwaitingReport.model_validate(dict(r)) for r in rows], total

    async def export_assignments(self, f: AssignmentFilter, *, now: dt.datetime) -> list[ExportRow]:
        """Every assignment `f` selects as plain tuples for the CSV and .xlsx exports: id,
        plan, agency code and name, clause, period, deadline, status, label."""
        q = _Sql(now)
        rows = await self._pool.fetch(
            f"SELECT a.id, a.plan_id, a.agency_code, g.name, d.clause, a.period, a.due_at,"
            f" a.status, {q.label()} FROM assignments a"
            " JOIN duties d ON d.plan_id = a.plan_id AND d.duty_id = a.duty_id"
            " JOIN plans p ON p.id = a.plan_id"
            " JOIN agencies g ON (g.directory, g.code) = (p.directory, a.agency_code)"
            f" WHERE {q.where(f)}{_ORDER}",
            *q.args,
        )
        return [tuple(r) for r in rows]

    async def submitted_without_step(
        self, *, limit: int = 100, skip: Sequence[str] = ()
    ) -> list[str]:
        """Submitted assignments whose pending step was never mirrored (their last event came
        before the store kept it), but those in `skip`: the portal asks their workflows once
        and records it."""
        rows = await self._pool.fetch(
            "SELECT id FROM assignments WHERE status = 'submitted' AND pending_step IS NULL"
            " AND NOT (id = ANY($2::text[])) ORDER BY id LIMIT $1",
            limit,
            list(skip),
        )
        return [r["id"] for r in rows]

    async def set_pending_step(self, id: str, step: str) -> None:
        """Record a submitted assignment's pending step if none is recorded yet (a later
        event from the workflow always wins over this)."""
        await self._pool.execute(
            "UPDATE assignments SET pending_step = $2"
            " WHERE id = $1 AND status = 'submitted' AND pending_step IS NULL",
            id,
            step,
        )
