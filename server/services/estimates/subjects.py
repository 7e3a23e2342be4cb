"""The subject catalogue: which subjects each key stage has estimates for."""

from dataclasses import dataclass

from server.services.estimates.levels import KeyStage
from server.services.estimates.scales import (
    A_LEVEL,
    GCSE_9_1,
    GCSE_A_G,
    KS2_BAND,
    KS2_SCALED_SCORE,
    Scale,
    get_scale,
)


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    key_stage: KeyStage
    scale: Scale
    default: bool = True
    formats: tuple[Scale, ...] = ()

    @property
    def grade_formats(self) -> tuple[Scale, ...]:
        """Scales a school may choose for this subject (KS4: 9–1 or A*–G)."""
        return self.formats or (self.scale,)

    def scale_for(self, grade_format: Scale | str | None) -> Scale:
        if grade_format is None:
            return self.scale
        chosen = get_scale(grade_format)
        if chosen not in self.grade_formats:
            raise ValueError(f"{self.name} is not graded on {chosen.name}")
        return chosen


def _ks2(code: str, name: str, scale: Scale = KS2_SCALED_SCORE) -> Subject:
    return Subject(code, name, KeyStage.KS2, scale)


def _ks4(code: str, name: str) -> Subject:
    return Subject(code, name, KeyStage.KS4, GCSE_9_1, formats=(GCSE_9_1, GCSE_A_G))


def _ks5(code: str, name: str, default: bool = True) -> Subject:
    return Subject(code, name, KeyStage.KS5, A_LEVEL, default=default)


SUBJECTS: tuple[Subject, ...] = (
    _ks2("reading", "Reading"),
    _ks2("writing", "Writing", KS2_BAND),
    _ks2("maths", "Mathematics"),
    _ks2("gps", "Grammar, punctuation and spelling"),
    # The twenty of the guide's Manage subjects screen, all ticked by default.
    _ks4("art", "Art and Design"),
    _ks4("biology", "Biology"),
    _ks4("business", "Business Studies"),
    _ks4("chemistry", "Chemistry"),
    _ks4("dt", "Design and Technology"),
    _ks4("eng-lang", "English Language"),
    _ks4("eng-lit", "English Literature"),
    _ks4("french", "French"),
    _ks4("geography", "Geography"),
    _ks4("german", "German"),
    _ks4("history", "History"),
    _ks4("ict", "ICT"),
    _ks4("maths", "Mathematics"),
    _ks4("music", "Music"),
    _ks4("pe", "PE"),
    _ks4("physics", "Physics"),
    _ks4("rs", "Religious Studies"),
    _ks4("science-additional", "Science Additional"),
    _ks4("science-core", "Science Core"),
    _ks4("spanish", "Spanish"),
    _ks5("art", "Art and Design"),
    _ks5("biology", "Biology"),
    _ks5("business", "Business Studies"),
    _ks5("chemistry", "Chemistry"),
    _ks5("computing", "Computer Science"),
    _ks5("economics", "Economics"),
    _ks5("eng-lit", "English Literature"),
    _ks5("french", "French", default=False),
    _ks5("further-maths", "Further Mathematics", default=False),
    _ks5("geography", "Geography"),
    _ks5("history", "History"),
    _ks5("maths", "Mathematics"),
    _ks5("physics", "Physics"),
    _ks5("psychology", "Psychology"),
    _ks5("rs", "Religious Studies"),
    _ks5("sociology", "Sociology"),
)

_BY_KEY = {(s.key_stage, s.code): s for s in SUBJECTS}


def subjects_for(key_stage: KeyStage | str) -> tuple[Subject, ...]:
    """The key stage's subjects in the order the Manage subjects screen lists them."""
    ks = KeyStage(key_stage)
    return tuple(s for s in SUBJECTS if s.key_stage == ks)


def default_subjects(key_stage: KeyStage | str) -> tuple[Subject, ...]:
    """The subjects the Defaults button ticks."""
    return tuple(s for s in subjects_for(key_stage) if s.default)


def get_subject(key_stage: KeyStage | str, code: str) -> Subject:
    try:
        return _BY_KEY[(KeyStage(key_stage), code)]
    except KeyError:
        raise ValueError(f"no {key_stage} subject {code!r}") from None
