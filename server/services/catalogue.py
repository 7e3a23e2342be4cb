"""The subject table, kept equal to the estimates engine's subject catalogue."""

from __future__ import annotations

from server.models import Subject
from server.models.enums import KeyStage
from server.services.estimates.subjects import SUBJECTS


async def ensure_subjects() -> dict[tuple[KeyStage, str], Subject]:
    """Create or update a Subject row for every catalogue subject; idempotent."""
    existing = {(s.key_stage, s.code): s for s in await Subject.all()}
    for order, entry in enumerate(SUBJECTS):
        key = (KeyStage(entry.key_stage.value), entry.code)
        fields = {"name": entry.name, "scale": entry.scale.code, "is_default": entry.default,
                  "sort_order": order}
        row = existing.get(key)
        if row is None:
            existing[key] = await Subject.create(key_stage=key[0], code=entry.code, **fields)
        elif any(getattr(row, name) != value for name, value in fields.items()):
            await Subject.filter(id=row.id).update(**fields)
            for name, value in fields.items():
                setattr(row, name, value)
    return existing
