"""What happens to a value between reading and typing, beyond its check: the playbook's
`transform` steps (transforms.py) and fields derived from another field (derive.py)."""
