"""Schools that share (or not) with a local authority or chain, and target writes."""

from __future__ import annotations

from datetime import UTC, datetime

from server.models import Target, YearGroupSettings
from server.models.enums import KeyStage
from server.services.audit import Actor
from server.services.webhooks import registry
from tests.factories import make_chain, make_local_authority, make_school, make_user
from tests.target_settings.helpers import make_pupils, subjects


async def share(school, year: int = 10, la: bool = True, chain: bool = False,
                key_stage: KeyStage = KeyStage.KS4) -> None:
    await YearGroupSettings.update_or_create(
        school=school, key_stage=key_stage, year_group=year,
        defaults={"aggregate_with_la": la, "aggregate_with_chain": chain},
    )


async def set_targets(school, year: int = 10, n: int = 3, grade: str = "5") -> list[Target]:
    pupils = (await make_pupils(school, year, n))[-n:]
    maths = (await subjects(KeyStage.KS4))["maths"]
    now = datetime.now(UTC)
    return [await Target.create(school=school, pupil=p, subject=maths, key_stage=KeyStage.KS4,
                                year_group=year, grade=grade, points=float(grade), updated_at=now)
            for p in pupils]


async def la_world():
    """An LA with a sharing school, a school that does not share, and a chain."""
    la = await make_local_authority()
    chain = await make_chain()
    sharing = await make_school(la=la, chain=chain)
    quiet = await make_school(la=la, chain=chain)
    await share(sharing)
    officer = await make_user(la)
    return la, chain, sharing, quiet, officer


async def hook(account, school, url: str, key_stage: KeyStage = KeyStage.KS4):
    return await registry.register(account, school.id, key_stage, url, Actor(account), True)
