"""Manage benchmarks' "Custom" choice: the form fields of a subject's custom challenge level.

Fields per subject (their ids are the `field` of the errors setCustomLevel and saveBenchmarks
give): custom-kind-<code>, custom-percentile-<code>, custom-benchmark-<code>,
custom-other-<code>, custom-fine-grades-<code>. The page only reads and writes them: the
rules are the service's (services/targets/custom_levels.py), so a value this module cannot
read is passed on as missing and the service's message says what to enter.
"""

from __future__ import annotations

from collections.abc import Mapping

KINDS = {"PERCENTILE": "A percentile", "MIDPOINT": "Midway between two benchmarks",
         "OFFSET": "A benchmark plus or minus fine grades"}
BENCHMARKS = {"AVERAGE": "Average (50)", "HIGH": "High (20)", "VERY_HIGH": "Very High (5)"}
PARTS = ("kind", "percentile", "benchmark", "other", "fine-grades")


def name(part: str, code: str) -> str:
    return f"custom-{part}-{code}"


def saved_form(subject: dict) -> dict[str, str]:
    """The saved level as form values (nothing when the subject has none)."""
    level = subject.get("customLevel")
    if not level:
        return {}
    code = subject["code"]
    values = {
        "kind": level["kind"],
        "percentile": "" if level["percentile"] is None else str(level["percentile"]),
        "benchmark": level["benchmark"] or "",
        "other": level["otherBenchmark"] or "",
        "fine-grades": "" if level["fineGrades"] is None else f"{level['fineGrades']:+.1f}",
    }
    return {name(part, code): value for part, value in values.items()}


def posted(source: Mapping, code: str) -> dict[str, str]:
    """The level's fields as posted, trimmed and kept short (shown back on an error)."""
    return {name(part, code): str(source.get(name(part, code)) or "").strip()[:20]
            for part in PARTS}


def _number(text: str, kind):
    try:
        value = kind(text.replace("+", "", 1) if text.startswith("+") else text)
    except ValueError:
        return None
    return value


def level_input(form: Mapping[str, str], code: str) -> dict:
    """The CustomLevelInput for GraphQL from the posted fields (unreadable parts: null)."""
    kind = form.get(name("kind", code), "")
    benchmark = form.get(name("benchmark", code), "")
    other = form.get(name("other", code), "")
    fine = form.get(name("fine-grades", code), "").replace("−", "-")
    return {
        "kind": kind if kind in KINDS else None,
        "percentile": _number(form.get(name("percentile", code), ""), int),
        "benchmark": benchmark if benchmark in BENCHMARKS else None,
        "otherBenchmark": other if other in BENCHMARKS else None,
        "fineGrades": _number(fine, float),
    }


def missing_kind(code: str, subject_name: str) -> dict:
    return {
        "field": name("kind", code),
        "code": "CUSTOM_LEVEL_REQUIRED",
        "message": f"Choose what the custom level for {subject_name} is: a percentile, the "
        "midpoint of two benchmarks, or a benchmark plus or minus fine grades",
    }


def unchanged(form: Mapping[str, str], subject: dict) -> bool:
    """True when the form's level is the saved one (its average can be shown before saving)."""
    saved = saved_form(subject)
    if not saved:
        return False
    code = subject["code"]
    kind = form.get(name("kind", code))
    relevant = {"PERCENTILE": ("percentile",), "MIDPOINT": ("benchmark", "other"),
                "OFFSET": ("benchmark", "fine-grades")}.get(kind or "", ())
    if kind != saved[name("kind", code)]:
        return False
    for part in relevant:
        mine, theirs = form.get(name(part, code), ""), saved[name(part, code)]
        if part in ("percentile", "fine-grades"):
            number = int if part == "percentile" else float
            if _number(mine.replace("−", "-"), number) != _number(theirs, number):
                return False
        elif mine != theirs:
            return False
    return True
