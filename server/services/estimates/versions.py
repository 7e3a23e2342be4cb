"""Versions of the national estimates: which parameters a school's estimates come from.

The shipped parameter files (parameters/ks*.json) are each key stage's first version; an
operator loads later ones (`aspire estimates load`), which changes no school. A school's
applied version per key stage is a row of school_estimates_version, absent meaning the
shipped one. `school_versions` is the one resolution: one statement for any number of
schools, and the parameters of a loaded version are read from the database once per process
and cached under (key stage, version), so two versions' figures can never mix (a loaded
version never changes: its row is never updated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError

from server.models import EstimatesVersion
from server.models.enums import KeyStage
from server.services.errors import UserInputError
from server.services.estimates.errors import EstimatesVersionErrorCode as Code
from server.services.estimates.parameters import (
    ModelParameters,
    load_parameters,
    parameters_from_json,
    parameters_to_json,
)
from server.services.targets import sql

SHIPPED_LABEL = "Shipped national estimates"
MAX_LABEL = 100
MAX_VERSION = 20  # the model_version columns of target, target_change, estimate_summary


@dataclass(frozen=True)
class Version:
    """One version of a key stage's national estimates, as pages and the API name it."""

    key_stage: KeyStage
    version: str
    label: str
    shipped: bool
    loaded_at: datetime | None = None
    loaded_by: str | None = None

    @property
    def title(self) -> str:
        """"2026 national data (2026.3)": how pages say which version estimates come from."""
        return f"{self.label} ({self.version})"


_PARAMETERS: dict[tuple[KeyStage, str], ModelParameters] = {}
_VERSIONS: dict[tuple[KeyStage, str], Version] = {}
_ROW_IDS: dict[tuple[KeyStage, str], int] = {}  # a test database may load a name again


def _ks(key_stage: KeyStage | str) -> KeyStage:
    return KeyStage(getattr(key_stage, "value", key_stage))


def shipped_version(key_stage: KeyStage | str) -> str:
    return load_parameters(_ks(key_stage).value).version


def shipped(key_stage: KeyStage | str) -> Version:
    ks = _ks(key_stage)
    return Version(ks, shipped_version(ks), SHIPPED_LABEL, shipped=True)


def _cache(row: EstimatesVersion) -> Version:
    ks = _ks(row.key_stage)
    key = (ks, row.version)
    if key not in _VERSIONS or _ROW_IDS.get(key) != row.id:
        _ROW_IDS[key] = row.id
        _PARAMETERS[key] = parameters_from_json(row.parameters)
        _VERSIONS[key] = Version(ks, row.version, row.label, shipped=False,
                                 loaded_at=row.loaded_at, loaded_by=row.loaded_by)
    return _VERSIONS[key]


def is_known(key_stage: KeyStage | str, version: str) -> bool:
    ks = _ks(key_stage)
    return version == shipped_version(ks) or (ks, version) in _VERSIONS


def parameters_of(key_stage: KeyStage | str, version: str) -> ModelParameters:
    """The parameters of a version this process has resolved (`school_versions`, `get`)."""
    ks = _ks(key_stage)
    if version == shipped_version(ks):
        return load_parameters(ks.value)
    return _PARAMETERS[(ks, version)]


def describe(key_stage: KeyStage | str, version: str) -> Version:
    """The version's label and origin, for a version this process has resolved."""
    ks = _ks(key_stage)
    if version == shipped_version(ks):
        return shipped(ks)
    return _VERSIONS[(ks, version)]


async def _ensure_cached(ks: KeyStage, versions: Sequence[str], connection=None) -> None:
    missing = sorted({v for v in versions if not is_known(ks, v)})
    if missing:
        query = EstimatesVersion.filter(key_stage=ks, version__in=missing)
        for row in await (query.using_db(connection) if connection else query):
            _cache(row)


async def school_versions(
    school_ids: Sequence[int], key_stage: KeyStage | str, connection=None
) -> dict[int, str]:
    """Each school's applied version of the key stage (one statement; its parameters are
    then available from `parameters_of`)."""
    ks = _ks(key_stage)
    if not school_ids:
        return {}
    statement = ("SELECT school_id, version FROM school_estimates_version "  # noqa: S608
                 f"WHERE key_stage = ? AND school_id IN ({sql.in_list(school_ids)})")
    db = connection or connections.get("default")
    found = {row["school_id"]: row["version"]
             for row in await sql.fetch(db, statement, [ks.value, *school_ids])}
    return await with_defaults(school_ids, ks, found, connection)


async def with_defaults(school_ids: Sequence[int], key_stage: KeyStage | str,
                        found: Mapping[int, str], connection=None) -> dict[int, str]:
    """Schools' applied versions from the rows read (`found`), the shipped one for schools
    without a row; the parameters of those versions are then available."""
    ks = _ks(key_stage)
    out = {s: found.get(s) or shipped_version(ks) for s in school_ids}
    await _ensure_cached(ks, list(set(out.values())), connection)
    return out


async def get(key_stage: KeyStage | str, version: str, connection=None) -> Version:
    """A version of the key stage by its name; UserInputError when none is loaded."""
    ks = _ks(key_stage)
    await _ensure_cached(ks, [version], connection)
    if not is_known(ks, version):
        raise UserInputError(f"No {ks.value} national estimates version {version!r} is loaded.",
                             field="version", code=Code.UNKNOWN_VERSION)
    return describe(ks, version)


async def list_versions(key_stage: KeyStage | str) -> list[Version]:
    """The shipped version, then every loaded one, oldest first."""
    ks = _ks(key_stage)
    rows = await EstimatesVersion.filter(key_stage=ks).order_by("loaded_at", "id")
    return [shipped(ks), *(_cache(row) for row in rows)]


def _check_label(label: str) -> str:
    text = (label or "").strip()
    if not text:
        raise UserInputError('Give the version a label, e.g. "2026 national data".',
                             field="label", code=Code.LABEL_REQUIRED)
    if len(text) > MAX_LABEL:
        raise UserInputError(f"The label must be {MAX_LABEL} characters or fewer.",
                             field="label", code=Code.LABEL_REQUIRED)
    return text


def check_parameters(data: Any) -> ModelParameters:
    """The parameters of a file to load, refused with a clear message when unusable."""
    try:
        parameters = parameters_from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise UserInputError(f"The file is not a set of model parameters: {detail}.",
                             field="file", code=Code.INVALID_PARAMETERS) from None
    version = parameters.version.strip()
    if not version or len(version) > MAX_VERSION or version != parameters.version:
        raise UserInputError(f"The version must be 1 to {MAX_VERSION} characters, without "
                             "spaces around it.", field="file", code=Code.INVALID_PARAMETERS)
    # Every subject the catalogue estimates must keep its estimates under the new version.
    missing = sorted(set(load_parameters(parameters.key_stage.value).subjects)
                     - set(parameters.subjects))
    if missing:
        raise UserInputError(f"The file has no parameters for {', '.join(missing)}.",
                             field="file", code=Code.INVALID_PARAMETERS)
    return parameters


async def load_version(data: Mapping[str, Any], label: str, loaded_by: str) -> Version:
    """Load a new version (operator): validated, stored, and applied to no school."""
    parameters = check_parameters(data)
    text = _check_label(label)
    ks = KeyStage(parameters.key_stage.value)
    duplicate = UserInputError(
        f"{ks.value} version {parameters.version} is already loaded: give the file a new "
        "version.", field="file", code=Code.DUPLICATE_VERSION)
    if parameters.version == shipped_version(ks):
        raise duplicate
    try:
        row = await EstimatesVersion.create(
            key_stage=ks, version=parameters.version, label=text,
            parameters=parameters_to_json(parameters), loaded_at=datetime.now(UTC),
            loaded_by=loaded_by[:100],
        )
    except IntegrityError:
        raise duplicate from None
    return _cache(row)
