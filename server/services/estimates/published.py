"""JCQ's published national outcomes for summer 2019, by subject (docs/CALIBRATION-2019.md).

Cumulative percentages of results at or above each grade, as JCQ published them in
"Provisional GCSE (Full Course) Results - June 2019" and "Provisional GCE A Level Results -
June 2019", CUMULATIVE PERCENTAGES of Subject Results by Grade and by Gender, copied to one
decimal from the spreadsheets FFT Education Datalab republishes (SOURCES). The UK GCSE
tables give only the three grades the 9-1 and A*-G scales share (7/A, 4/C, 1/G); the A level
tables give every grade. Maths and English Language are taken from the UK 16-year-olds table,
since their all-candidates figures are dominated by post-16 resits.
"""

from collections.abc import Mapping
from dataclasses import dataclass

_FFT = "https://github.com/FFTEduDatalab/resultsday/blob"
SOURCES = {
    "all": (
        "JCQ, Provisional GCSE (Full Course) Results - June 2019 (All UK Candidates), "
        f"cumulative percentages by subject and gender: {_FFT}/"
        "c7b180433ecac6afaa789573c00749b7ed84b834/data/source/gcse/gcse_2019_uk_keygrades.xlsx"
    ),
    "16": (
        "JCQ, Provisional GCSE (Full Course) Results - June 2019 (UK, candidates aged 16), "
        f"cumulative percentages by subject and gender: {_FFT}/"
        "c7b180433ecac6afaa789573c00749b7ed84b834/data/source/gcse/gcse_2019_16_keygrades.xlsx"
    ),
    "a level": (
        "JCQ, Provisional GCE A Level Results - June 2019 (All UK Candidates), cumulative "
        f"percentages by subject and gender: {_FFT}/"
        "676f2b921cbfc9462a42f850c7226f13b5dcd88a/data/source/a-level/alevel_2019_uk.xlsx"
    ),
}


@dataclass(frozen=True)
class Published:
    """One subject's row: JCQ's name, the table used, entries and cumulative percentages.

    `all`, `female` and `male` map a grade's points (9-1: 7, 4, 1; A level: A*=6 ... E=1)
    to the percentage of results at that grade or above.
    """

    jcq_name: str
    table: str
    entries: int
    entries_aged_16: int | None
    all: Mapping[int, float]
    female: Mapping[int, float]
    male: Mapping[int, float]

    @property
    def source(self) -> str:
        return SOURCES[self.table]


# Science Core and Science Additional stand for the combined science double award
# (JCQ "Science: Double Award"), taken by pupils who do not take the three sciences.
# fmt: off
GCSE_2019: dict[str, Published] = {
    "art": Published("Art and Design subjects (2)", "all", 195928, 186419,
        all={7: 22.9, 4: 75.3, 1: 99.5},
        female={7: 28.1, 4: 81.9, 1: 99.7},
        male={7: 12.5, 4: 62.1, 1: 99.1}),
    "biology": Published("Biology", "all", 177454, 170145,
        all={7: 42.4, 4: 89.7, 1: 99.2},
        female={7: 44.3, 4: 90.3, 1: 99.3},
        male={7: 40.5, 4: 89.0, 1: 99.2}),
    "business": Published("Business Studies", "all", 95801, 92500,
        all={7: 18.1, 4: 65.8, 1: 98.8},
        female={7: 21.0, 4: 68.6, 1: 99.2},
        male={7: 16.1, 4: 63.8, 1: 98.4}),
    "chemistry": Published("Chemistry", "all", 170034, 166235,
        all={7: 44.1, 4: 90.1, 1: 99.4},
        female={7: 45.3, 4: 90.7, 1: 99.4},
        male={7: 43.0, 4: 89.6, 1: 99.4}),
    "dt": Published("Design & Technology", "all", 99659, 96523,
        all={7: 19.4, 4: 63.8, 1: 98.4},
        female={7: 28.5, 4: 75.0, 1: 99.2},
        male={7: 15.5, 4: 59.1, 1: 98.1}),
    "eng-lang": Published("English", "16", 593611, 593611,
        all={7: 17.3, 4: 70.2, 1: 99.0},
        female={7: 22.5, 4: 78.0, 1: 99.6},
        male={7: 12.2, 4: 62.6, 1: 98.4}),
    "eng-lit": Published("English Literature", "all", 587051, 542954,
        all={7: 20.5, 4: 73.7, 1: 98.4},
        female={7: 26.5, 4: 81.1, 1: 99.2},
        male={7: 14.5, 4: 66.4, 1: 97.5}),
    "french": Published("French", "all", 130831, 126667,
        all={7: 24.3, 4: 70.4, 1: 98.6},
        female={7: 27.4, 4: 74.9, 1: 98.8},
        male={7: 20.1, 4: 64.2, 1: 98.3}),
    "geography": Published("Geography", "all", 265169, 259867,
        all={7: 24.9, 4: 65.8, 1: 98.4},
        female={7: 28.9, 4: 69.7, 1: 99.0},
        male={7: 21.4, 4: 62.5, 1: 97.8}),
    "german": Published("German", "all", 42791, 41507,
        all={7: 24.7, 4: 76.0, 1: 98.7},
        female={7: 27.9, 4: 80.1, 1: 99.0},
        male={7: 21.2, 4: 71.8, 1: 98.5}),
    "history": Published("History", "all", 278759, 273366,
        all={7: 25.0, 4: 64.3, 1: 97.1},
        female={7: 28.7, 4: 67.7, 1: 98.1},
        male={7: 21.0, 4: 60.5, 1: 95.9}),
    "ict": Published("ICT", "all", 9515, 8632,
        all={7: 27.2, 4: 74.8, 1: 99.0},
        female={7: 34.3, 4: 80.8, 1: 99.4},
        male={7: 23.3, 4: 71.4, 1: 98.8}),
    "maths": Published("Mathematics", "16", 591460, 591460,
        all={7: 20.2, 4: 70.8, 1: 98.0},
        female={7: 19.9, 4: 71.5, 1: 98.2},
        male={7: 20.6, 4: 70.1, 1: 97.8}),
    "music": Published("Music", "all", 38511, 37042,
        all={7: 32.7, 4: 76.7, 1: 99.1},
        female={7: 34.1, 4: 79.5, 1: 99.4},
        male={7: 30.8, 4: 73.3, 1: 98.8}),
    "pe": Published("Physical Education", "all", 89141, 86650,
        all={7: 21.7, 4: 72.4, 1: 99.8},
        female={7: 28.9, 4: 77.7, 1: 99.8},
        male={7: 17.6, 4: 69.4, 1: 99.8}),
    "physics": Published("Physics", "all", 168330, 165066,
        all={7: 44.0, 4: 90.9, 1: 99.4},
        female={7: 42.0, 4: 90.8, 1: 99.4},
        male={7: 45.9, 4: 91.1, 1: 99.4}),
    "rs": Published("Religious Studies", "all", 249022, 226677,
        all={7: 30.7, 4: 72.4, 1: 98.4},
        female={7: 37.9, 4: 79.1, 1: 99.2},
        male={7: 22.2, 4: 64.4, 1: 97.4}),
    "science-additional": Published("Science: Double Award (4)", "all", 839258, 824908,
        all={7: 7.8, 4: 55.9, 1: 97.8},
        female={7: 8.8, 4: 58.5, 1: 98.2},
        male={7: 6.8, 4: 53.4, 1: 97.5}),
    "science-core": Published("Science: Double Award (4)", "all", 839258, 824908,
        all={7: 7.8, 4: 55.9, 1: 97.8},
        female={7: 8.8, 4: 58.5, 1: 98.2},
        male={7: 6.8, 4: 53.4, 1: 97.5}),
    "spanish": Published("Spanish", "all", 102242, 97686,
        all={7: 27.7, 4: 71.1, 1: 98.2},
        female={7: 31.1, 4: 75.5, 1: 98.5},
        male={7: 23.1, 4: 65.1, 1: 97.9}),
}

# A level: grade points A*=6, A=5, B=4, C=3, D=2, E=1.
A_LEVEL_2019: dict[str, Published] = {
    "art": Published("Art & Design subjects (1)", "a level", 42307, None,
        all={6: 12.2, 5: 27.8, 4: 60.3, 3: 84.7, 2: 95.5, 1: 99.0},
        female={6: 13.0, 5: 29.9, 4: 63.3, 3: 86.5, 2: 96.3, 1: 99.3},
        male={6: 9.6, 5: 21.8, 4: 51.5, 3: 79.3, 2: 93.3, 1: 98.4}),
    "biology": Published("Biology", "a level", 69196, None,
        all={6: 7.0, 5: 24.1, 4: 45.0, 3: 67.3, 2: 85.8, 1: 96.1},
        female={6: 7.3, 5: 25.0, 4: 46.1, 3: 68.3, 2: 86.5, 1: 96.3},
        male={6: 6.4, 5: 22.7, 4: 43.1, 3: 65.5, 2: 84.6, 1: 95.7}),
    "business": Published("Business Studies", "a level", 33925, None,
        all={6: 3.3, 5: 14.8, 4: 43.8, 3: 73.8, 2: 91.3, 1: 97.7},
        female={6: 4.0, 5: 16.8, 4: 45.3, 3: 74.2, 2: 91.2, 1: 97.8},
        male={6: 2.8, 5: 13.4, 4: 42.9, 3: 73.6, 2: 91.3, 1: 97.7}),
    "chemistry": Published("Chemistry", "a level", 59090, None,
        all={6: 7.6, 5: 29.1, 4: 52.3, 3: 72.2, 2: 87.2, 1: 96.1},
        female={6: 6.6, 5: 27.7, 4: 51.7, 3: 72.1, 2: 87.5, 1: 96.5},
        male={6: 8.7, 5: 30.7, 4: 52.9, 3: 72.3, 2: 86.8, 1: 95.7}),
    "computing": Published("Computing", "a level", 11124, None,
        all={6: 3.4, 5: 17.9, 4: 40.3, 3: 63.3, 2: 83.4, 1: 94.7},
        female={6: 3.7, 5: 18.7, 4: 41.6, 3: 63.1, 2: 84.0, 1: 95.3},
        male={6: 3.4, 5: 17.8, 4: 40.1, 3: 63.4, 2: 83.3, 1: 94.6}),
    "economics": Published("Economics", "a level", 30841, None,
        all={6: 6.7, 5: 28.9, 4: 57.7, 3: 80.7, 2: 93.6, 1: 98.3},
        female={6: 7.6, 5: 31.5, 4: 60.7, 3: 81.2, 2: 93.4, 1: 98.1},
        male={6: 6.3, 5: 27.8, 4: 56.5, 3: 80.5, 2: 93.7, 1: 98.4}),
    "eng-lit": Published("English Literature", "a level", 40824, None,
        all={6: 8.6, 5: 24.1, 4: 53.0, 3: 80.2, 2: 95.4, 1: 99.3},
        female={6: 8.5, 5: 24.3, 4: 53.5, 3: 80.7, 2: 95.7, 1: 99.4},
        male={6: 9.0, 5: 23.3, 4: 51.3, 3: 78.4, 2: 94.2, 1: 98.9}),
    "french": Published("French", "a level", 8355, None,
        all={6: 10.0, 5: 36.8, 4: 67.3, 3: 85.5, 2: 95.0, 1: 98.9},
        female={6: 10.0, 5: 36.5, 4: 67.0, 3: 85.8, 2: 95.2, 1: 98.9},
        male={6: 10.2, 5: 37.4, 4: 67.9, 3: 84.8, 2: 94.7, 1: 98.9}),
    "further-maths": Published("Mathematics (Further)", "a level", 14527, None,
        all={6: 24.7, 5: 53.5, 4: 73.7, 3: 86.6, 2: 94.3, 1: 97.9},
        female={6: 22.1, 5: 51.0, 4: 73.0, 3: 86.6, 2: 93.9, 1: 97.7},
        male={6: 25.8, 5: 54.5, 4: 73.9, 3: 86.6, 2: 94.4, 1: 97.9}),
    "geography": Published("Geography", "a level", 34960, None,
        all={6: 5.4, 5: 23.8, 4: 53.2, 3: 79.6, 2: 94.0, 1: 98.6},
        female={6: 7.3, 5: 29.1, 4: 59.3, 3: 83.4, 2: 95.2, 1: 99.0},
        male={6: 3.5, 5: 18.3, 4: 46.9, 3: 75.6, 2: 92.7, 1: 98.2}),
    "history": Published("History", "a level", 51438, None,
        all={6: 4.9, 5: 22.6, 4: 54.0, 3: 81.0, 2: 94.7, 1: 98.9},
        female={6: 5.2, 5: 24.0, 4: 55.7, 3: 81.7, 2: 94.9, 1: 99.0},
        male={6: 4.5, 5: 20.8, 4: 52.0, 3: 80.1, 2: 94.5, 1: 98.8}),
    "maths": Published("Mathematics", "a level", 91895, None,
        all={6: 16.5, 5: 41.0, 4: 59.1, 3: 75.6, 2: 88.8, 1: 96.8},
        female={6: 14.0, 5: 39.1, 4: 58.2, 3: 75.7, 2: 89.1, 1: 97.1},
        male={6: 18.1, 5: 42.1, 4: 59.6, 3: 75.5, 2: 88.6, 1: 96.7}),
    "physics": Published("Physics", "a level", 38958, None,
        all={6: 8.7, 5: 27.9, 4: 50.4, 3: 70.5, 2: 86.1, 1: 95.3},
        female={6: 8.5, 5: 28.7, 4: 51.5, 3: 71.4, 2: 86.6, 1: 94.9},
        male={6: 8.8, 5: 27.6, 4: 50.1, 3: 70.2, 2: 86.0, 1: 95.4}),
    "psychology": Published("Psychology", "a level", 64598, None,
        all={6: 4.2, 5: 16.6, 4: 43.1, 3: 71.0, 2: 88.8, 1: 97.1},
        female={6: 5.0, 5: 18.8, 4: 47.1, 3: 74.4, 2: 90.6, 1: 97.7},
        male={6: 2.1, 5: 10.1, 4: 31.6, 3: 60.9, 2: 83.4, 1: 95.3}),
    "rs": Published("Religious Studies", "a level", 19406, None,
        all={6: 4.3, 5: 21.9, 4: 50.5, 3: 76.7, 2: 92.1, 1: 98.2},
        female={6: 4.3, 5: 22.1, 4: 50.8, 3: 77.3, 2: 92.6, 1: 98.4},
        male={6: 4.5, 5: 21.4, 4: 49.9, 3: 75.3, 2: 91.0, 1: 97.5}),
    "sociology": Published("Sociology", "a level", 38015, None,
        all={6: 4.8, 5: 18.3, 4: 47.2, 3: 76.2, 2: 92.6, 1: 98.0},
        female={6: 5.3, 5: 19.9, 4: 49.9, 3: 78.5, 2: 93.5, 1: 98.4},
        male={6: 2.9, 5: 12.7, 4: 38.2, 3: 68.7, 2: 89.4, 1: 96.7}),
}
# fmt: on

# Entries the entry shares are worked out from (docs/CALIBRATION-2019.md): UK 16-year-olds'
# GCSE maths entries stand for the year group; A level students are all A level entries over
# 2.66 A levels a student (Wonkhe / OCR, results day 2019).
GCSE_COHORT_2019 = 591460
A_LEVEL_ENTRIES_2019 = 801002
A_LEVELS_PER_STUDENT_2019 = 2.66
A_LEVEL_STUDENTS_2019 = round(A_LEVEL_ENTRIES_2019 / A_LEVELS_PER_STUDENT_2019)
