"""What translating the core's sentences costs (app/i18n.py): reading the zh_CN catalogue
(.po, parsed at run time, once per process) and one `_` call in each language.

    python bench/i18n.py            # the last line is one JSON object
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import i18n  # noqa: E402

SENTENCE = ("The check digit of the ID number is '{found}' but the first 17 digits give "
            "'{expected}'; a digit was misread or mistyped.")


def per_call_us(lang: str, n: int = 20000) -> float:
    with i18n.using(lang):
        i18n._(SENTENCE, found="1", expected="X")          # catalogue loaded outside the timing
        t0 = time.perf_counter()
        for _n in range(n):
            i18n._(SENTENCE, found="1", expected="X")
        return (time.perf_counter() - t0) / n * 1e6


def main() -> int:
    text = i18n.catalogue_path("zh_CN").read_text(encoding="utf-8")
    parse_ms = []
    for _n in range(20):
        t0 = time.perf_counter()
        catalogue = i18n.read_po(text)
        parse_ms.append((time.perf_counter() - t0) * 1000)
    # app.i18n's own cost: the standard modules it uses are loaded by everything anyway.
    code = ("import logging, pathlib, re, locale, threading, contextlib, time; "
            "t0 = time.perf_counter(); import app.i18n; print((time.perf_counter() - t0) * 1000)")
    imports = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                    text=True, check=True).stdout) for _n in range(5)]
    result = {
        "messages": len(catalogue),
        "catalogue_bytes": len(text.encode("utf-8")),
        "parse_ms_p50": round(statistics.median(parse_ms), 2),
        "import_ms_p50": round(statistics.median(imports), 2),
        "call_us_en": round(per_call_us("en"), 2),
        "call_us_zh_CN": round(per_call_us("zh_CN"), 2),
    }
    print(f"zh_CN catalogue: {result['messages']} messages, {result['catalogue_bytes']} bytes, "
          f"parsed in {result['parse_ms_p50']} ms (median of 20)")
    print(f"import app.i18n (beyond the standard library): {result['import_ms_p50']} ms; one _() call: "
          f"{result['call_us_en']} µs in English, {result['call_us_zh_CN']} µs in Chinese")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
