"""Password fields (`read: {vault: NAME}`, secret): their values are read from the OS
keyring only for a fill, into a copy of the case that is never saved, so a password never
reaches a case file, a log or a screen."""
from __future__ import annotations

import copy
from typing import Callable

from app.cases import Case, FieldValue
from playbooks.model import Playbook

__all__ = ["vault_fields", "with_vault_values"]


def vault_fields(playbook: Playbook) -> list[tuple[str, str]]:
    """(field name, credential name) of every field read from the vault."""
    return [(f.name, f.read.vault) for f in playbook.fields
            if f.read is not None and f.read.vault is not None]


def with_vault_values(playbook: Playbook, case: Case, secret: Callable[[str], str]) -> Case:
    """`case` itself when the playbook has no password field; else a copy holding each
    password, read with `secret` (the vault's `get`: a missing credential raises the vault's
    sentence naming `deskhand vault set NAME`). Only the fields that are filled are read."""
    wanted = vault_fields(playbook)
    if not wanted:
        return case
    filled = set(playbook.filled_names())
    out = copy.copy(case)
    out.fields = dict(case.fields)
    for name, credential in wanted:
        if name in filled:
            out.fields[name] = FieldValue(secret(credential), "ok", None,
                                          {"kind": "vault", "credential": credential})
    return out
