"""The tamper-evident audit log (docs/audit.md): chained entries, checkpoints outside the
log, `deskhand audit verify|export`."""
from __future__ import annotations

from app.audit.config import AuditConfig, audit_config
from app.audit.log import AuditLog, open_audit

__all__ = ["AuditConfig", "AuditLog", "audit_config", "open_audit"]
