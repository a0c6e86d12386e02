"""The sandbox: sample sources, sample approval clients, the reference registry service
and the demo — for the demo, the tests and the benchmarks.

A leaf (DESIGN.md §3): product code never imports it; only app/cli.py's entries of
`deskhand demo` and `deskhand registry serve` do, inside a function. tests/test_layering.py
enforces that.
"""
