"""The browser test of bulk upload reuses the browser tests' server, browser and page."""

from tests.browser.conftest import browser, page, school, server, server_database_url  # noqa: F401
