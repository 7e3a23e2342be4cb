"""Pupils and school years: importing pupils, rolling forward, value-added history."""
