"""Validators for the official codes the portal stores, with the database expressions that enforce
the same rules in CHECK constraints (so bad data is refused by forms, serializers and the database).
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Cast, Mod, StrIndex, Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters from this alphabet
# (digits and capitals without I, O, Z, S, V); the 18th is a check character over the first 17.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\Z"

REGION_CODE_PATTERN = r"^[0-9]{6}\Z"
SCHOOL_CODE_PATTERN = r"^[0-9]{10}\Z"
PROGRAM_CODE_PATTERN = r"^[0-9]{6}\Z"
# GB/T 4754-2017: a section letter A-T, optionally followed by a division (2 digits), group (3)
# or class (4).
SECTOR_CODE_PATTERN = r"^[A-T]([0-9]{2}|[0-9]{3}|[0-9]{4})?\Z"


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Refuse anything but a well-formed unified social credit code with a correct check character."""
    if not isinstance(value, str) or not re.fullmatch(CREDIT_CODE_PATTERN, value):
        raise ValidationError(
            _("Enter an 18-character unified social credit code (digits and capital letters, no I, O, Z, S or V)."),
            code="credit_code_format",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This unified social credit code's check character is wrong; please check for a typing error."),
            code="credit_code_check",
        )


def credit_code_check_condition(field: str) -> Q:
    """A database condition true when the field's 18th character is the GB 32100-2015 check character.

    The index of each character in the alphabet is its value (StrIndex is 1-based: subtract one).
    """
    alphabet = Value(CREDIT_CODE_ALPHABET)

    def char_value(position: int):
        return StrIndex(alphabet, Substr(F(field), position, 1)) - 1

    total = sum((char_value(i + 1) * w for i, w in enumerate(CREDIT_CODE_WEIGHTS)), Value(0))
    expected = Mod(Value(31) - Mod(total, Value(31)), Value(31))
    return Q(Exact(Cast(expected, IntegerField()), Cast(char_value(18), IntegerField())))


def code_format_condition(field: str, pattern: str) -> Q:
    return Q(**{f"{field}__regex": pattern})


validate_region_code = RegexValidator(
    REGION_CODE_PATTERN, _("A region code is the 6-digit administrative division code, e.g. 440100."), "region_code"
)
validate_school_code = RegexValidator(
    SCHOOL_CODE_PATTERN, _("A school code is the 10-digit national school identification code."), "school_code"
)
validate_program_code = RegexValidator(
    PROGRAM_CODE_PATTERN, _("A program code is the 6-digit code of the national major catalogue, e.g. 460103."),
    "program_code",
)
validate_sector_code = RegexValidator(
    SECTOR_CODE_PATTERN,
    _("A sector code is a GB/T 4754-2017 code: a section letter A–T, optionally with 2–4 digits, e.g. C39."),
    "sector_code",
)

__all__ = [
    "code_format_condition",
    "credit_code_check_char",
    "credit_code_check_condition",
    "validate_credit_code",
    "validate_program_code",
    "validate_region_code",
    "validate_school_code",
    "validate_sector_code",
]
