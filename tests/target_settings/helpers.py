"""Pupils, subjects and value added for the target-setting tests."""

from __future__ import annotations

import itertools
from datetime import date

from server.models import Pupil, SchoolValueAdded, Subject
from server.models.enums import KeyStage
from server.services.catalogue import ensure_subjects

_upns = itertools.count(1)


async def subjects(key_stage: KeyStage = KeyStage.KS4) -> dict[str, Subject]:
    rows = await ensure_subjects()
    return {code: s for (ks, code), s in rows.items() if ks == key_stage}


async def make_pupils(school, year_group: int, n: int, prior: float | None = 105.0,
                      **extra) -> list[Pupil]:
    rows = []
    for i in range(n):
        k = next(_upns)
        rows.append(Pupil(
            school=school, upn=f"A{k:012d}", forename=f"Pupil{k}", surname="Test",
            gender="F" if i % 2 else "M", date_of_birth=date(2012, 1 + i % 12, 15),
            year_group=year_group, prior_attainment=prior if prior is None else prior + i % 7,
            **extra,
        ))
    await Pupil.bulk_create(rows)
    return await Pupil.filter(school=school, year_group=year_group).order_by("id")


async def value_added(school, subject: Subject, by_year: dict[int, float]) -> None:
    for year, va in by_year.items():
        await SchoolValueAdded.create(
            school=school, subject=subject, academic_year=year, value_added=va, pupils=100
        )
