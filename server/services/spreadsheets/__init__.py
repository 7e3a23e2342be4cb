"""Spreadsheets: templates to download, safe reading of uploads, annotated error workbooks."""
