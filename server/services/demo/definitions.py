"""The demo data set's fixed facts: organisations, schools, sharing patterns and names.

Everything here is fictional. The local authority codes (971, 972) and URNs (99xxxx) are
outside the ranges England uses, so the demo never collides with a real school or LA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.models.enums import Editing, KeyStage, OrganisationKind, Prepopulate

SEED = 20260901
ACADEMIC_YEAR = 2026  # 2026/27: every demo school's current academic year
VALUE_ADDED_YEARS = (2023, 2024, 2025)  # the last three years, oldest first
PUPILS_PER_YEAR = 60

# Fixed moments, so that a second run finds nothing to change.
ACCOUNTS_CREATED_AT = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
PASSWORDS_SET_AT = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sharing:
    pupil_level_with_la: bool = False
    aggregate_with_la: bool = False
    aggregate_with_chain: bool = False

    def __post_init__(self) -> None:
        # DOMAIN.md: pupil-level targets with the LA imply aggregate targets with the LA.
        if self.pupil_level_with_la and not self.aggregate_with_la:
            raise ValueError("pupil-level sharing with the LA implies aggregate sharing")


NOTHING = Sharing()
PUPIL_LEVEL_WITH_LA = Sharing(pupil_level_with_la=True, aggregate_with_la=True)
AGGREGATE_WITH_LA = Sharing(aggregate_with_la=True)
AGGREGATE_WITH_CHAIN = Sharing(aggregate_with_chain=True)
EVERYTHING = Sharing(True, True, True)


@dataclass(frozen=True)
class YearGroupPlan:
    """One key stage and year group of a school that has pupils in the demo."""

    key_stage: KeyStage
    year_group: int
    sharing: Sharing
    use_target_setting: bool = True
    prepopulate: Prepopulate = Prepopulate.NO
    editing: Editing = Editing.YES

    @property
    def targets(self) -> bool:
        """Pre-populated targets (and a few teachers' changes) come with the year group."""
        return self.use_target_setting and self.prepopulate != Prepopulate.NO


@dataclass(frozen=True)
class OrganisationPlan:
    key: str
    kind: OrganisationKind
    name: str
    domain: str  # people's email addresses
    la_code: str | None = None


@dataclass(frozen=True)
class SchoolPlan:
    key: str
    name: str
    urn: str
    phase: str  # primary, secondary, sixth form
    la_key: str
    chain_key: str | None
    establishment: str  # the DfE establishment number (4 digits) used in its UPNs
    domain: str
    sharing_pattern: str  # what the demo shows with this school
    years: tuple[YearGroupPlan, ...]
    a_to_g_subjects: tuple[str, ...] = ()  # KS4 subjects graded A*-G
    not_offered: tuple[str, ...] = ()  # subjects unticked on Manage subjects
    disadvantaged_rate: float = 0.25
    eal_rate: float = 0.18
    kind: OrganisationKind = field(default=OrganisationKind.SCHOOL, init=False)


OPERATOR = OrganisationPlan(
    "operator", OrganisationKind.OPERATOR, "Aspire Open Support", "aspireopen.org.uk"
)
LOCAL_AUTHORITIES = (
    OrganisationPlan(
        "la-northshire", OrganisationKind.LOCAL_AUTHORITY, "Northshire County Council",
        "northshire.gov.uk", la_code="971",
    ),
    OrganisationPlan(
        "la-riverford", OrganisationKind.LOCAL_AUTHORITY, "Riverford City Council",
        "riverford.gov.uk", la_code="972",
    ),
)
CHAIN = OrganisationPlan(
    "chain-oakfield", OrganisationKind.ACADEMY_CHAIN, "Oakfield Learning Trust",
    "oakfieldtrust.org.uk",
)

_KS2_Y6 = KeyStage.KS2, 6
_KS4_Y10 = KeyStage.KS4, 10
_KS4_Y11 = KeyStage.KS4, 11
_KS5_Y12 = KeyStage.KS5, 12

SCHOOLS: tuple[SchoolPlan, ...] = (
    SchoolPlan(
        "st-marys", "St Mary's Church of England Primary School", "990141", "primary",
        "la-northshire", None, "3012", "stmarys-northshire.sch.uk",
        "pupil-level targets with the LA",
        (YearGroupPlan(*_KS2_Y6, PUPIL_LEVEL_WITH_LA),),
        disadvantaged_rate=0.22, eal_rate=0.12,
    ),
    SchoolPlan(
        "meadowbank", "Meadowbank Primary Academy", "990257", "primary",
        "la-riverford", "chain-oakfield", "2047", "meadowbank.sch.uk",
        "aggregate targets with the academy chain only",
        (YearGroupPlan(*_KS2_Y6, AGGREGATE_WITH_CHAIN),),
        disadvantaged_rate=0.34, eal_rate=0.31,
    ),
    SchoolPlan(
        "kingsbridge", "Kingsbridge Academy", "990318", "secondary",
        "la-northshire", "chain-oakfield", "4103", "kingsbridge-academy.sch.uk",
        "everything: pupil-level and aggregate with the LA, aggregate with the chain",
        (
            YearGroupPlan(*_KS4_Y10, EVERYTHING),
            YearGroupPlan(
                *_KS4_Y11, EVERYTHING, prepopulate=Prepopulate.BENCHMARK,
                editing=Editing.YES,
            ),
        ),
        disadvantaged_rate=0.27, eal_rate=0.15,
    ),
    SchoolPlan(
        "hawthorn", "Hawthorn High School", "990426", "secondary",
        "la-riverford", None, "4021", "hawthornhigh.sch.uk",
        "aggregate targets only with the LA",
        (
            YearGroupPlan(*_KS4_Y10, AGGREGATE_WITH_LA),
            YearGroupPlan(
                *_KS4_Y11, AGGREGATE_WITH_LA, prepopulate=Prepopulate.BENCHMARK_PLUS_ONE,
                editing=Editing.UPWARDS,
            ),
        ),
        a_to_g_subjects=("art", "dt"), not_offered=("german",),
        disadvantaged_rate=0.31, eal_rate=0.24,
    ),
    SchoolPlan(
        "riverside", "Riverside Academy", "990533", "secondary",
        "la-riverford", "chain-oakfield", "4112", "riverside-academy.sch.uk",
        "differs by year group: Y10 nothing, Y11 everything, Y12 aggregate with LA and chain",
        (
            YearGroupPlan(*_KS4_Y10, NOTHING, use_target_setting=False),
            YearGroupPlan(*_KS4_Y11, EVERYTHING),
            YearGroupPlan(
                *_KS5_Y12, Sharing(aggregate_with_la=True, aggregate_with_chain=True),
                editing=Editing.UPWARDS,
            ),
        ),
        disadvantaged_rate=0.24, eal_rate=0.20,
    ),
    SchoolPlan(
        "thornton", "Thornton Park School", "990649", "secondary",
        "la-northshire", None, "4034", "thorntonpark.sch.uk",
        "nothing shared",
        (
            YearGroupPlan(*_KS4_Y10, NOTHING),
            YearGroupPlan(*_KS4_Y11, NOTHING, editing=Editing.NO),
            YearGroupPlan(*_KS5_Y12, NOTHING),
        ),
        not_offered=("ict",),
        disadvantaged_rate=0.16, eal_rate=0.09,
    ),
    SchoolPlan(
        "ashcombe", "Ashcombe Sixth Form College", "990752", "sixth form",
        "la-northshire", None, "4600", "ashcombe.ac.uk",
        "aggregate targets only with the LA (sixth form)",
        (YearGroupPlan(*_KS5_Y12, AGGREGATE_WITH_LA),),
        disadvantaged_rate=0.18, eal_rate=0.14,
    ),
)

ORGANISATIONS: tuple[OrganisationPlan | SchoolPlan, ...] = (
    OPERATOR, *LOCAL_AUTHORITIES, CHAIN, *SCHOOLS
)

# Feeder primaries (establishment numbers) that allocated older pupils' UPNs, per LA.
FEEDER_PRIMARIES = {
    "la-northshire": ("2004", "2019", "3012", "2031", "3044"),
    "la-riverford": ("2047", "2008", "2053", "3021", "2066"),
}

FEMALE_FORENAMES = (
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Freya", "Lily", "Ella", "Sophia",
    "Emily", "Poppy", "Evie", "Isabella", "Charlotte", "Ruby", "Daisy", "Florence", "Millie",
    "Harper", "Aisha", "Zara", "Maryam", "Fatima", "Hannah", "Chloe", "Jessica", "Layla",
    "Maya", "Priya", "Amara", "Niamh", "Erin", "Zoe", "Alice", "Phoebe", "Matilda", "Rosie",
    "Imogen", "Scarlett", "Eleanor", "Sienna", "Anaya", "Ayesha", "Chantelle", "Kiera",
    "Leah", "Megan", "Nadia", "Oliwia", "Zuzanna", "Esme", "Willow", "Holly", "Lucy",
)
MALE_FORENAMES = (
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Jack",
    "Charlie", "Jacob", "Thomas", "Freddie", "Alfie", "Theo", "William", "Henry", "James",
    "Joshua", "Archie", "Ethan", "Isaac", "Mohammed", "Yusuf", "Ibrahim", "Adam", "Daniel",
    "Samuel", "Reuben", "Kai", "Tyler", "Callum", "Liam", "Ryan", "Aaron", "Dylan", "Lewis",
    "Jayden", "Kofi", "Arjun", "Rohan", "Hamza", "Bilal", "Jakub", "Filip", "Luca", "Max",
    "Finley", "Harvey", "Louis", "Elliot", "Toby", "Reggie", "Zain", "Owen",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason",
    "Mitchell", "Rose", "Davis", "Rodriguez", "Cox", "Alexander", "Morgan", "Moore", "Hughes",
    "Harris", "Ahmed", "Ali", "Hussain", "Begum", "Singh", "Kaur", "Okafor", "Mensah",
    "Adeyemi", "Nowak", "Kowalski", "Murphy", "O'Brien", "Kelly", "Walsh", "Campbell",
    "Stewart", "Anderson", "Scott", "Baker", "Turner", "Parker", "Collins", "Edwards",
    "Cooper", "King", "Lee", "Chen", "Nguyen", "Hill", "Ward", "Bennett", "Carter", "Shaw",
    "Holmes", "Fletcher", "Barker", "Pearson", "Atkinson", "Whitfield", "Lambert", "Chapman",
    "Marsh", "Hardy", "Price", "Fisher", "Gordon", "Hunt", "Lloyd", "Reid", "Bailey",
    "Osei", "Rahman", "Mahmood", "Sharma", "Das", "Ferreira", "Santos", "Costa",
)

# Words of the demo passwords (four of them, chosen from the secret key: see build.py).
PASSWORD_WORDS = (
    "amber", "anchor", "apricot", "autumn", "badger", "balloon", "beacon", "biscuit",
    "bramble", "breeze", "candle", "canyon", "cobalt", "compass", "copper", "cricket",
    "dolphin", "ember", "falcon", "fern", "fiddle", "galaxy", "garnet", "glacier", "hazel",
    "heron", "honey", "island", "jasmine", "juniper", "kettle", "lantern", "lemon", "lilac",
    "maple", "meadow", "mango", "marble", "nectar", "nutmeg", "orbit", "orchid", "otter",
    "paddle", "pebble", "pepper", "plume", "quartz", "quill", "raven", "ripple", "saffron",
    "sapphire", "sparrow", "spruce", "thimble", "thistle", "tulip", "velvet", "violet",
    "walnut", "willow", "yonder", "zephyr",
)

TEACHER_CHANGES = 6  # per year group with targets
TEACHER_REASONS_UP = (
    "Strong result in the November mock exam",
    "Moved up a set after the autumn assessment",
    "Consistently working above the benchmark in class",
    "Agreed with the pupil and parents at the target-setting meeting",
)
TEACHER_REASONS_DOWN = (
    "Long absence last year: agreed a realistic target with the pupil",
    "Started the course late after joining in Year 11",
)
