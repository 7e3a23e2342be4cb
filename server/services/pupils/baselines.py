"""Fallback baselines for pupils without prior attainment (docs/BASELINES.md).

A school enters a pupil's standardised score (mean 100, SD 15, e.g. CAT4 mean SAS) one at a
time here, or imports it in the pupil spreadsheet's "Standardised score" column
(services.pupils.importing). The estimates engine equates it onto the key stage's
prior-attainment scale only when the pupil has no prior attainment of their own
(services.estimates.baselines); a pupil with neither gets no estimate and no target, and
is listed by `year_group_baselines`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from server.models import Pupil
from server.services.accounts.audit import Actor, record
from server.services.errors import UserInputError
from server.services.estimates import baselines
from server.services.pupils.errors import StandardisedScoreErrorCode
from server.services.pupils.importing import prepopulate_new_pupils


@dataclass(frozen=True)
class ScoreSet:
    pupil: Pupil
    changed: bool
    prepopulated: int  # targets pre-population wrote for the pupil's year group


def parse_score(text: str | None) -> float | None:
    """The score as typed: None for blank (remove it); UserInputError (field "score")."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        score = float(value)
    except ValueError:
        score = float("nan")
    message = baselines.check_score(score)
    if message:
        raise UserInputError(message, field="score", code=StandardisedScoreErrorCode.OUT_OF_RANGE)
    return round(score, 1)


async def set_standardised_score(school_id: int, upn: str, text: str | None, actor: Actor
                                 ) -> ScoreSet:
    """Set (or, blank, remove) a current pupil's standardised score, audited; then the year
    group's pre-population runs, as after an import, so the pupil gets their targets."""
    score = parse_score(text)
    wanted = (upn or "").replace(" ", "").upper()[:13]
    pupil = await Pupil.filter(school_id=school_id, upn=wanted, left_at__isnull=True).first()
    if pupil is None:
        raise UserInputError(f"No current pupil of the school has the UPN {wanted or '(blank)'}",
                             field="upn", code=StandardisedScoreErrorCode.NOT_FOUND)
    before = pupil.standardised_score
    if before == score:
        return ScoreSet(pupil, False, 0)
    async with in_transaction() as connection:
        # One conditional statement: the row still belongs to the school and is current.
        updated = await Pupil.filter(id=pupil.id, school_id=school_id, left_at__isnull=True
                                     ).using_db(connection).update(standardised_score=score)
        if updated != 1:
            raise UserInputError("This pupil has just left the school or been removed",
                                 field="upn", code=StandardisedScoreErrorCode.NOT_FOUND)
        await record(actor, "pupils.standardised_score", school_id,
                     before={"standardisedScore": before}, after={"standardisedScore": score},
                     detail={"upn": pupil.upn}, connection=connection)
    pupil.standardised_score = score
    written = await prepopulate_new_pupils(school_id, [pupil.year_group], actor)
    return ScoreSet(pupil, True, written)


@dataclass(frozen=True)
class YearGroupBaselines:
    """A year group's current pupils without prior attainment of their own."""

    on_standardised_score: list[Pupil]  # estimated from their standardised score (flagged)
    without_baseline: list[Pupil]  # neither: no estimate, no pre-populated target


async def year_group_baselines(school_id: int, year_group: int) -> YearGroupBaselines:
    """One statement: pupils by surname, forename and UPN."""
    pupils = await Pupil.filter(
        school_id=school_id, year_group=year_group, left_at__isnull=True,
        prior_attainment__isnull=True,
    ).order_by("surname", "forename", "upn", "id")
    return YearGroupBaselines(
        on_standardised_score=[p for p in pupils if p.standardised_score is not None],
        without_baseline=[p for p in pupils if p.standardised_score is None],
    )
