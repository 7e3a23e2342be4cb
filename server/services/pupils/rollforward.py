"""Rolling a school forward to the next academic year.

Every current pupil goes up one year group in one UPDATE. Pupils whose next year group
does not exist at the school leave: the school's year groups are those of the key stages
it has current pupils in (a primary school's Year 6, an 11-16 school's Year 11, and every
Year 13 leave). Targets are never deleted: a leaver's targets, and those of a pupil moving
into another key stage (Year 11 to Year 12), are kept as history of the year group they
were set for (Target.history_academic_year); the targets of pupils staying in their key
stage move up with them. A pupil starting a new key stage has their prior attainment
cleared, as each key stage measures it on its own scale (KS5 uses the mean GCSE point
score, not the KS2 scaled score): the school imports the new figure with its pupil file.
The form posts the year it expects to leave, so a second submit is refused instead of
rolling twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import F, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from server.faultpoints import pause_point
from server.models import Organisation, Pupil, Target
from server.models.enums import YEAR_GROUPS, KeyStage
from server.services.accounts.audit import Actor, record
from server.services.errors import UserInputError
from server.services.pupils.errors import RollForwardErrorCode
from server.services.pupils.importing import (
    academic_year_label,
    key_stage_of_year,
    school_academic_year,
    school_by_id,
)


@dataclass(frozen=True)
class YearGroupMove:
    year_group: int
    key_stage: KeyStage
    pupils: int
    next_year_group: int | None  # None: these pupils leave the school
    targets: int  # current targets of these pupils

    @property
    def leaving(self) -> bool:
        return self.next_year_group is None

    @property
    def crosses_key_stage(self) -> bool:
        return (self.next_year_group is not None
                and key_stage_of_year(self.next_year_group) != self.key_stage)

    @property
    def targets_kept_as_history(self) -> bool:
        return self.leaving or self.crosses_key_stage


@dataclass(frozen=True)
class RollForwardPlan:
    from_year: int
    to_year: int
    moves: tuple[YearGroupMove, ...]

    @property
    def from_label(self) -> str:
        return academic_year_label(self.from_year)

    @property
    def to_label(self) -> str:
        return academic_year_label(self.to_year)

    @property
    def pupils_moving(self) -> int:
        return sum(m.pupils for m in self.moves if not m.leaving)

    @property
    def pupils_starting_key_stage(self) -> int:
        return sum(m.pupils for m in self.moves if m.crosses_key_stage)

    @property
    def pupils_leaving(self) -> int:
        return sum(m.pupils for m in self.moves if m.leaving)

    @property
    def targets_moving(self) -> int:
        return sum(m.targets for m in self.moves if not m.targets_kept_as_history)

    @property
    def targets_to_history(self) -> int:
        return sum(m.targets for m in self.moves if m.targets_kept_as_history)


def next_year_groups(present: set[int]) -> dict[int, int | None]:
    """Each present year group's next one at the school, None where its pupils leave."""
    key_stages = {key_stage_of_year(y) for y in present} - {None}
    offered = {y for ks in key_stages for y in YEAR_GROUPS[ks]}
    return {y: (y + 1 if y + 1 in offered else None) for y in sorted(present)}


def _current_pupils(school_id: int):
    return Pupil.filter(school_id=school_id, left_at__isnull=True)


def _current_targets(school_id: int):
    return Target.filter(school_id=school_id, history_academic_year__isnull=True)


async def roll_forward_plan(school_id: int) -> RollForwardPlan:
    """Exactly what rolling forward would do now, per year group (two queries)."""
    school = await school_by_id(school_id)
    year = school_academic_year(school)
    pupils = await _current_pupils(school_id).annotate(n=Count("id")).group_by(
        "year_group").values("year_group", "n")
    targets = await _current_targets(school_id).filter(
        deleted_at__isnull=True, pupil__left_at__isnull=True
    ).annotate(n=Count("id")).group_by("pupil__year_group").values("pupil__year_group", "n")
    target_counts = {row["pupil__year_group"]: row["n"] for row in targets}
    counts = {row["year_group"]: row["n"] for row in pupils}
    nexts = next_year_groups(set(counts))
    moves = tuple(
        YearGroupMove(
            year_group=y, key_stage=key_stage_of_year(y) or KeyStage.KS4, pupils=counts[y],
            next_year_group=nexts[y], targets=target_counts.get(y, 0),
        )
        for y in sorted(counts) if key_stage_of_year(y) is not None
    )
    return RollForwardPlan(from_year=year, to_year=year + 1, moves=moves)


@dataclass(frozen=True)
class RollForwardResult:
    from_year: int
    to_year: int
    pupils_moved: int
    pupils_left: int
    targets_moved: int
    targets_to_history: int
    prior_attainment_cleared: int

    def as_json(self) -> dict[str, int]:
        return self.__dict__.copy()


async def roll_forward(
    school_id: int, expected_year: int, actor: Actor, today: dt.date | None = None
) -> RollForwardResult:
    """Move the school from `expected_year` to the next; refused if it is not in that year."""
    today = today or dt.date.today()
    school = await school_by_id(school_id)
    current = school_academic_year(school, today)
    if current != expected_year:
        raise UserInputError(
            f"The school is already in {academic_year_label(current)}, not "
            f"{academic_year_label(expected_year)}: it has not been rolled forward again",
            field="expectedAcademicYear", code=RollForwardErrorCode.ALREADY_ROLLED_FORWARD)
    async with in_transaction() as connection:
        # Claim the move first: of two submits, only one finds the school in that year.
        claim = Organisation.filter(id=school_id)
        claim = (claim.filter(current_academic_year=school.current_academic_year)
                 if school.current_academic_year is not None
                 else claim.filter(current_academic_year__isnull=True))
        claimed = await claim.using_db(connection).update(current_academic_year=current + 1)
        if claimed != 1:
            raise UserInputError(
                "The school has just been rolled forward by someone else: it has not been "
                "rolled forward again", field="expectedAcademicYear",
                code=RollForwardErrorCode.ALREADY_ROLLED_FORWARD)
        present = set(await _current_pupils(school_id).using_db(connection).distinct()
                      .values_list("year_group", flat=True))
        nexts = next_year_groups(present)
        leaving = [y for y, n in nexts.items() if n is None]
        crossing = [y for y, n in nexts.items()
                    if n is not None and key_stage_of_year(n) != key_stage_of_year(y)]
        staying = [y for y, n in nexts.items() if y not in leaving and y not in crossing]

        def pupils_in(year_groups: list[int]) -> Subquery:
            return Subquery(_current_pupils(school_id).filter(
                year_group__in=year_groups or [-1]).values("id"))

        to_history = await _current_targets(school_id).filter(
            pupil_id__in=pupils_in(leaving + crossing)
        ).using_db(connection).update(history_academic_year=current)
        moved_targets = await _current_targets(school_id).filter(
            pupil_id__in=pupils_in(staying)
        ).using_db(connection).update(year_group=F("year_group") + 1)
        await pause_point("pupils.roll_forward", moved_targets)
        cleared = await _current_pupils(school_id).filter(
            year_group__in=crossing or [-1]
        ).using_db(connection).update(prior_attainment=None)
        left = await _current_pupils(school_id).filter(
            year_group__in=leaving or [-1]
        ).using_db(connection).update(left_at=today)
        moved = await _current_pupils(school_id).using_db(connection).update(
            year_group=F("year_group") + 1)
        result = RollForwardResult(current, current + 1, moved, left, moved_targets, to_history,
                                   cleared)
        await record(actor, "school.roll_forward", school_id,
                     before={"academicYear": current}, after={"academicYear": current + 1},
                     detail=result.as_json(), connection=connection)
    return result

