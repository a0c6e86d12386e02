"""What an audit entry may hold: masked values only (PIPL; DESIGN.md §6)."""
from __future__ import annotations

from typing import Any

from app.privacy import mask, mask_text

__all__ = ["PERSONAL_KINDS", "mask_data", "masked_value"]

# Field types masked by their own rule (keep 4+4 or 3+4) even when mask_text would miss
# them (a phone with spaces, a 15-digit old ID number).
PERSONAL_KINDS = ("id_number", "phone")


def masked_value(value: str | None, kind: str | None) -> str | None:
    if value is None:
        return None
    if kind in PERSONAL_KINDS:
        return mask(value, kind)
    return mask_text(value)


def mask_data(data: Any, key: str | None = None) -> Any:
    """`data` with every string through mask_text; a value under a key named id_number or
    phone, or a {"type": "id_number", "value": …} mapping, masked by its type."""
    if isinstance(data, dict):
        kind = data.get("type")
        out = {str(k): mask_data(v, str(k)) for k, v in data.items()}
        if kind in PERSONAL_KINDS and isinstance(data.get("value"), str):
            out["value"] = mask(data["value"], kind)
        return out
    if isinstance(data, (list, tuple)):
        return [mask_data(v, key) for v in data]
    if isinstance(data, str):
        return mask(data, key) if key in PERSONAL_KINDS else mask_text(data)
    if data is None or isinstance(data, (bool, int, float)):
        return data
    return mask_text(str(data))
