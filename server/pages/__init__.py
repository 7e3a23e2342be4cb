"""Starlette endpoints: run an operation, render a page or a fragment.

Each area is a module with a `routes` list; importing it also registers its menu items.
"""

PAGE_MODULES: tuple[str, ...] = (
    "server.pages.tokens",
    "server.pages.targets",
    "server.pages.tracking",
    "server.pages.tracking_grades",
    "server.pages.tracking_expected",
    "server.pages.tracking_uploads",
    "server.pages.outside",
    "server.pages.notifications",
    "server.pages.accounts",
    "server.pages.signup",
    "server.pages.pupils",
    "server.pages.batches",
    "server.pages.target_settings",
    "server.pages.estimates",
    "server.pages.sharing",
    "server.pages.sharing_reads",
)
