"""Sharing that schools govern: approval of sharing changes and the record of outside reads."""
