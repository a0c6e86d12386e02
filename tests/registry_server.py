"""The reference registry as a subprocess, for tests (it lives in app/ because the demo
starts it too)."""
from app.sandbox.registry_service.process import AUTO, RegistryServer, RegistryServerError, SignedAuth

__all__ = ["RegistryServer", "RegistryServerError", "SignedAuth", "AUTO"]
