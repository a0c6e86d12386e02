"""Local checks of every field type, and correction guided by check digits.

Pure Python: no Qt, no display, no network (the GB/T 2260 table ships in data/areas.tsv).

    check_value(field_type, value, alternatives=None) -> FieldCheck     the one entry point
    validate_*(value) -> list[str]                                     problems; [] = valid
    correct(value, validator, alternatives) -> CorrectionResult
    cross_check(fields, types, roles) -> list[CrossProblem]
"""
from __future__ import annotations

from app.checks.correct import (
    CONFUSION_GROUPS,
    CorrectionResult,
    confusion_alternatives,
    correct,
)
from app.checks.credit_code import (
    credit_check_char,
    credit_code_warnings,
    inspect_credit_code,
    org_code_check_char,
    validate_credit_code,
)
from app.checks.cross import CrossProblem, cross_check, sex_of, suggest_roles
from app.checks.dates import inspect_date, parse_date, validate_date
from app.checks.errors import AreaDataError, CheckError, InvalidValueError
from app.checks.field import FIELD_TYPES, FieldCheck, check_value
from app.checks.id_number import (
    IdInfo,
    id_check_char,
    id_number_warnings,
    inspect_id_number,
    parse_id_number,
    validate_id_number,
)
from app.checks.phone import normalize_phone, parse_phone, validate_phone
from app.checks.postcode import inspect_postcode, validate_postcode

__all__ = [
    "AreaDataError", "CONFUSION_GROUPS", "CheckError", "CorrectionResult", "CrossProblem",
    "FIELD_TYPES", "FieldCheck", "IdInfo", "InvalidValueError", "check_value",
    "confusion_alternatives", "correct", "credit_check_char", "credit_code_warnings",
    "cross_check", "id_check_char", "id_number_warnings", "inspect_credit_code", "inspect_date",
    "inspect_id_number", "inspect_postcode", "normalize_phone", "org_code_check_char",
    "parse_date", "parse_id_number", "parse_phone", "sex_of", "suggest_roles",
    "validate_credit_code", "validate_date", "validate_id_number", "validate_phone",
    "validate_postcode",
]
