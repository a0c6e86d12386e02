"""Signed playbook packs (业务流程包): build, sign, verify, install, and the trust the
library re-checks on every load. docs/packs.md is IT's guide."""
