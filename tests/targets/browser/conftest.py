"""The browser tests' server, browser and page fixtures, shared from tests/browser."""

from tests.browser.conftest import browser, page, server, server_database_url  # noqa: F401
