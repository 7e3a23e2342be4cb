"""Starlette endpoints: run an operation, render a page or a fragment.

Each area's module adds its routes to ROUTES here.
"""

ROUTES: list = []
