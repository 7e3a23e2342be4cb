"""Which key stages and year groups a school teaches, from its phase of education.

The phase is the one Get Information about Schools records (primary, middle deemed primary,
secondary, middle deemed secondary, 16 plus, all-through); "sixth form" is kept for 16 plus.
A school whose phase is not recorded, or that is all-through, is offered every year group.
"""

from __future__ import annotations

from server.models.enums import YEAR_GROUPS, KeyStage

PHASE_KEY_STAGES: dict[str, tuple[KeyStage, ...]] = {
    "primary": (KeyStage.KS2,),
    "middle deemed primary": (KeyStage.KS2,),
    "secondary": (KeyStage.KS4, KeyStage.KS5),
    "middle deemed secondary": (KeyStage.KS4,),
    "16 plus": (KeyStage.KS5,),
    "sixth form": (KeyStage.KS5,),
}
EVERY_KEY_STAGE = tuple(YEAR_GROUPS)


def key_stages_for(phase: str | None) -> tuple[KeyStage, ...]:
    return PHASE_KEY_STAGES.get(" ".join((phase or "").lower().replace("-", " ").split()),
                                EVERY_KEY_STAGE)


def year_groups_for(phase: str | None) -> tuple[int, ...]:
    return tuple(y for ks in key_stages_for(phase) for y in YEAR_GROUPS[ks])
