"""The Qt side of Deskhand: the only package that imports PySide6 (DESIGN.md §3)."""
