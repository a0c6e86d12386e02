"""`deskhand doctor` for IT and support: the system checks (runner.py, checks.py,
desktop_checks.py, report.py) and the end-to-end self-test (selftest.py). The window mode
(`--window TITLE`, `--fields`) stays in app/a11y/doctor.py."""
