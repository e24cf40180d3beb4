"""The validators of official codes (no database needed)."""
import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    validate_credit_code,
    validate_program_code,
    validate_region_code,
    validate_school_code,
    validate_sector_code,
)

# Published codes of real companies: Huawei, Tencent, Alibaba, Bank of China.
REAL_CREDIT_CODES = ["914403001922038216", "9144030071526726XG", "91330100799655058B", "91110000802100433B"]


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return exc.value.code


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_pass(code):
    validate_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]


def mistyped(code: str, position: int) -> str:
    """The code with one character replaced by the next one of its kind (digits stay digits)."""
    alphabet = "0123456789" if 2 <= position <= 7 else CREDIT_CODE_ALPHABET
    replacement = alphabet[(alphabet.index(code[position]) + 1) % len(alphabet)]
    return code[:position] + replacement + code[position + 1 :]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_any_single_mistyped_character_fails_the_check_character(code):
    for position in range(18):
        wrong = mistyped(code, position)
        assert error_code(validate_credit_code, wrong) == "credit_code_check", wrong


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91440300192203821", id="17 characters"),
        pytest.param("9144030019220382166", id="19 characters"),
        pytest.param("", id="empty"),
        pytest.param("9144030071526726xg", id="lowercase"),
        pytest.param("91A40300192203821X", id="letter in the region code"),
        *[
            pytest.param(f"91440300{letter}922038216", id=f"forbidden letter {letter}")
            for letter in "IOZSV"
        ],
        pytest.param("914403001922038216 ", id="trailing space"),
    ],
)
def test_malformed_credit_codes_fail_the_format(code):
    assert error_code(validate_credit_code, code) == "credit_code_format"


@pytest.mark.parametrize("validator, good, bad", [
    pytest.param(validate_region_code, ["440000", "440100", "440106"], ["44010", "4401000", "44010A", " 440100"],
                 id="region code: 6 digits"),
    pytest.param(validate_school_code, ["4144010001", "0000000001"], ["414401000", "41440100011", "414401000X"],
                 id="school code: 10 digits"),
    pytest.param(validate_sector_code, ["C", "C39", "C391", "C3911", "A01", "T"],
                 ["C3", "Z39", "c39", "C39111", "39", "U"],
                 id="sector code: section letter A-T with 2-4 digits"),
    pytest.param(validate_program_code, ["460103", "510201"], ["46010", "4601030", "46010A", "46-103"],
                 id="program code: 6 digits"),
])
def test_code_validators_accept_well_formed_codes_only(validator, good, bad):
    for value in good:
        validator(value)
    for value in bad:
        with pytest.raises(ValidationError):
            validator(value)


@pytest.mark.parametrize("validator, value", [
    pytest.param(validate_credit_code, "914403001922038216\n", id="credit code"),
    pytest.param(validate_region_code, "440100\n", id="region code"),
    pytest.param(validate_school_code, "4144010001\n", id="school code"),
    pytest.param(validate_sector_code, "C39\n", id="sector code"),
    pytest.param(validate_program_code, "460103\n", id="program code"),
])
def test_code_validators_refuse_a_trailing_newline(validator, value):
    # With `$` (which also matches before a final newline) "C39\n" passed the validator and SQLite's
    # CHECK constraint, while PostgreSQL refused it with an IntegrityError: patterns end in \Z.
    try:
        validator(value)
    except ValidationError:
        return
    pytest.fail(f"{value!r} passed the validator: its pattern must anchor at the very end (\\Z or fullmatch)")
