"""The 一张表单 (intake form) of a scenario: its model, checks, ID-card reading and command."""
