"""The estimates engine: grade scales, subjects, the national model (BENCHMARKS.md)."""
