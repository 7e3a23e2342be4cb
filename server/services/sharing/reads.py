"""Who read what (issue 15, item 2): every outside read of a school's targets, recorded and
listed for the school.

Recording is one INSERT per request, whatever the number of schools read (one row per school,
written together), with what the request already knows: no SELECT on the read path. The
reader's name is stored with the row, so the list still names a person whose account has gone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from tortoise import connections

from server.models import Organisation, OutsideRead
from server.models.enums import KeyStage
from server.services.audit import Actor
from server.services.errors import UserInputError
from server.services.targets import sql

AGGREGATE, PUPIL = "aggregate", "pupil"
# Through which door: a page of the site, an export, an API token, or the GraphQL API with a
# signed-in session (a person's own script or the GraphQL explorer).
PAGE, EXPORT, TOKEN, API = "page", "export", "token", "api"
DOORS = (PAGE, EXPORT, TOKEN, API)


@dataclass(frozen=True)
class SchoolRead:
    """What one request read of one school: subject codes (empty: every subject), and for a
    pupil-level read how many pupils."""

    school_id: int
    subjects: Sequence[str] = ()
    pupils: int | None = None


_COLUMNS = ("school_id, reader_id, reader_name, reader_organisation_id, read_at, level, "
            "key_stage, year_group, subjects, pupils, via")

# PostgreSQL: every school's row in one statement, the differing values as one array each.
_PG_INSERT = f"""
    INSERT INTO outside_read ({_COLUMNS})
    SELECT v.school_id, CAST(? AS INTEGER), CAST(? AS VARCHAR(101)), CAST(? AS INTEGER),
           CAST(? AS TIMESTAMPTZ), CAST(? AS VARCHAR(10)), CAST(? AS VARCHAR(3)),
           CAST(? AS INTEGER), CAST(v.subjects AS JSONB), v.pupils, CAST(? AS VARCHAR(10))
    FROM unnest(CAST(? AS INTEGER[]), CAST(? AS TEXT[]), CAST(? AS INTEGER[]))
         AS v(school_id, subjects, pupils)
"""  # noqa: S608 - only fixed column names are joined in: values are bound

# SQLite: the same from one JSON array of [school_id, subjects, pupils] rows.
_SQLITE_INSERT = f"""
    INSERT INTO outside_read ({_COLUMNS})
    SELECT json_extract(j.value, '$[0]'), ?, ?, ?, ?, ?, ?, ?, json_extract(j.value, '$[1]'),
           json_extract(j.value, '$[2]'), ?
    FROM json_each(?) AS j ORDER BY j.key
"""  # noqa: S608 - only fixed column names are joined in: values are bound


async def record(
    actor: Actor, door: str, level: str, key_stage: KeyStage, year_group: int,
    schools: Sequence[SchoolRead],
) -> None:
    """Record one request's outside reads: one statement for every school it read (no
    model instances: a hundred schools cost about what one does)."""
    account = actor.account
    if account is None or not schools:
        return
    shared = [account.id, account.full_name[:101], account.organisation_id, datetime.now(UTC),
              level, getattr(key_stage, "value", key_stage), year_group]
    codes = [sorted(set(read.subjects)) for read in schools]
    pupils = [read.pupils if level == PUPIL else None for read in schools]
    connection = connections.get("default")
    if sql.is_postgres(connection):
        await sql.execute(connection, _PG_INSERT, [
            *shared, door, [read.school_id for read in schools], [json.dumps(c) for c in codes],
            pupils])
    else:
        rows = json.dumps([[read.school_id, c, p]
                           for read, c, p in zip(schools, codes, pupils, strict=True)])
        await sql.execute(connection, _SQLITE_INSERT, [*shared, door, rows])


class PeriodErrorCode(StrEnum):
    """A refused period: the outsideReads query answers it as BAD_USER_INPUT (a query has no
    typed errors list, so this Enum reaches no schema enum)."""

    INVALID_PERIOD = "INVALID_PERIOD"


@dataclass(frozen=True)
class Period:
    """Reads from the start of `first` to the end of `last` (UTC days), both optional."""

    first: date | None = None
    last: date | None = None

    def check(self) -> Period:
        if self.first and self.last and self.first > self.last:
            raise UserInputError("The end of the period must be the same as or after its start",
                                 field="readTo", code=PeriodErrorCode.INVALID_PERIOD)
        return self

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.first, time.min, UTC) if self.first else None
        end = (datetime.combine(self.last, time.min, UTC) + timedelta(days=1)
               if self.last else None)
        return start, end


def _filtered(school_id: int, period: Period, organisation_id: int | None):
    query = OutsideRead.filter(school_id=school_id)
    start, end = period.check().bounds()
    if start is not None:
        query = query.filter(read_at__gte=start)
    if end is not None:
        query = query.filter(read_at__lt=end)
    if organisation_id is not None:
        query = query.filter(reader_organisation_id=organisation_id)
    return query


async def reads_page(
    school_id: int, period: Period, organisation_id: int | None, start: int, size: int,
) -> tuple[int, list[OutsideRead]]:
    """The school's outside reads in the period, newest first: the total and one page."""
    query = _filtered(school_id, period, organisation_id)
    total = await query.count()
    rows = await query.order_by("-read_at", "-id").offset(start).limit(size) if size else []
    return total, list(rows)


async def reading_organisations(school_id: int) -> list[Organisation]:
    """The organisations that have read the school's targets, by name (for the filter)."""
    ids = await OutsideRead.filter(school_id=school_id).distinct().values_list(
        "reader_organisation_id", flat=True
    )
    if not ids:
        return []
    return list(await Organisation.filter(id__in=list(ids)).order_by("name", "id"))


async def organisation_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {o.id: o.name for o in await Organisation.filter(id__in=list(ids))}
