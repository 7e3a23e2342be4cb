"""The columns of the bulk-upload spreadsheets and the words a person may type in them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.models.enums import BatchKind


@dataclass(frozen=True)
class Column:
    key: str  # the GraphQL input field and the form field id
    heading: str  # as written in the template
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        found = normalise_heading(text)
        return found == normalise_heading(self.heading) or found in {
            normalise_heading(alias) for alias in self.aliases
        }


FORENAME = Column("forename", "Forename", ("First name", "Given name"))
SURNAME = Column("surname", "Surname", ("Last name", "Family name"))
EMAIL = Column("email", "Email Address", ("Email", "E-mail address", "E-mail"))
ROLE = Column("role", "Role", ("Role at organisation",))
PUPIL_ACCESS = Column(
    "pupilAccess", "Pupil Access Level", ("Pupil access", "Pupil data access", "Access level")
)

COLUMNS: dict[BatchKind, tuple[Column, ...]] = {
    BatchKind.USERS: (FORENAME, SURNAME, EMAIL, ROLE, PUPIL_ACCESS),
    BatchKind.ADMINISTRATORS: (FORENAME, SURNAME, EMAIL),
}

SHEET_NAMES: dict[BatchKind, str] = {
    BatchKind.USERS: "User Details",
    BatchKind.ADMINISTRATORS: "Administrator Details",
}

MAX_DATA_ROWS = 100
MAX_FIELD_LENGTH = 50


def normalise_heading(text: str) -> str:
    """Headings match whatever their case and spacing (and a trailing required-field star)."""
    return re.sub(r"\s+", "", str(text)).rstrip("*").lower()
