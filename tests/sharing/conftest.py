import email
from email import policy
from pathlib import Path

import pytest

from server.settings import get_settings


@pytest.fixture
def outbox():
    """The emails written to the outbox folder since the test began."""
    folder = Path(get_settings().outbox_dir)
    before = set(folder.glob("*.eml")) if folder.exists() else set()

    def read():
        new = sorted(set(folder.glob("*.eml")) - before)
        return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in new]

    return read
