"""Golden replay: samples beside playbooks, a form model of the target, `deskhand test`."""
