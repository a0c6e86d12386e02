"""The checks' errors, defined in app/errors.py (the one exception module).

A value that fails a check is not an error: validators return their problems as sentences.
These exceptions are for callers that asked for something impossible (an unknown field
type, a role naming no field, parsing an invalid ID number).
"""
from app.errors import AreaDataError, CheckError, InvalidValueError

__all__ = ["CheckError", "InvalidValueError", "AreaDataError"]
