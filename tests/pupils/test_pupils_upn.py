import pytest

from server.services.pupils_upn import upn_check_letter, validate_upn


@pytest.mark.parametrize(
    ("upn", "letter"),
    [
        ("B801200005001", "B"),  # python-stdnum's worked example of a valid UPN
        ("H801200001001", "H"),  # 8*2 + 1*4 + 2*5 + 1*10 + 1*13 = 53, 53 % 23 = 7: H
        ("A000000000000", "A"),
    ],
)
def test_check_letter_of_valid_upns(upn, letter):
    assert upn_check_letter(upn[1:]) == letter
    assert validate_upn(upn) is None


def test_temporary_upn_ending_in_a_letter():
    # The 13th character of a temporary UPN is a letter: it counts its alphabet place x 13.
    first12 = "80120000500A"  # 8*2 + 1*4 + 2*5 + 5*10 + 0*13 = 80, 80 % 23 = 11: M
    assert upn_check_letter(first12) == "M"
    assert validate_upn("M" + first12) is None


@pytest.mark.parametrize(
    ("upn", "problem"),
    [
        ("A801200005001", "check letter is wrong"),
        ("C801200005001", "check letter is wrong"),
        ("B80120000500", "13 characters (this has 12)"),
        ("B8012000050011", "13 characters (this has 14)"),
        ("", "Enter the UPN"),
        ("I801200005001", "letters I, O and S are not used"),
        ("B80120000500S", "letters I, O and S are not used"),
        ("B8012000X5001", "11 digits"),
    ],
)
def test_invalid_upns(upn, problem):
    message = validate_upn(upn)
    assert message is not None and problem in message


def test_lower_case_and_spaces_are_tolerated():
    assert validate_upn(" b801200005001 ") is None


def test_check_letter_refuses_a_wrong_shape():
    with pytest.raises(ValueError):
        upn_check_letter("80120000500")
