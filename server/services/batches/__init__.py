"""Bulk upload: batches of users or administrators read from a spreadsheet.

checking: red and amber problems of rows; store: upload, list, edit, delete and restore;
creating: Create users, exactly once.
"""
