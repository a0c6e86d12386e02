"""What a recording leaves behind, beside the playbook it is for:

    PLAYBOOK.yaml              the draft (when the compiler is installed)
    PLAYBOOK.recording.json    the recording, always (it can be compiled again)
    PLAYBOOK.source.png        the source picture the supervisor showed

`finish_recording` saves the recording, then compiles it with recorders.compile (another
part of issue 13, imported lazily: where it is missing the recording alone is written and
the result says so) and writes the playbook. The result holds sentences for the supervisor;
the CLI prints them and the tray shows them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UsageError
from app.i18n import _
from recorders.recording import Recording, RecordingError

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordPaths:
    playbook: Path

    @classmethod
    def for_output(cls, output: str | Path) -> "RecordPaths":
        """The paths for `-o OUTPUT`; UsageError when it cannot be a playbook file."""
        p = Path(output).expanduser()
        if p.suffix.lower() not in (".yaml", ".yml"):
            raise UsageError(_("The playbook to write must be a .yaml file, not '{path}'.",
                               path=str(p)))
        if not p.parent.is_dir():
            raise UsageError(_("The folder {folder} does not exist; create it or write the "
                               "playbook somewhere else.", folder=str(p.parent)))
        if p.is_dir():
            raise UsageError(_("{path} is a folder; give a playbook file name.", path=str(p)))
        return cls(p)

    def _beside(self, suffix: str) -> Path:
        return self.playbook.with_name(self.playbook.stem + suffix)

    @property
    def recording(self) -> Path:
        return self._beside(".recording.json")

    @property
    def source(self) -> Path:
        return self._beside(".source.png")

    @property
    def answers(self) -> Path:
        return self._beside(".answers.yaml")


@dataclass
class RecordResult:
    paths: RecordPaths
    recording: Recording
    playbook_written: bool = False
    draft: Any = None                       # recorders.compile Draft
    sentences: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    exit_code: int = 0


def save_source_picture(image: "Image.Image", paths: RecordPaths) -> str:
    """Save the source picture beside the playbook; its name relative to the playbook's
    folder (as the recording keeps it)."""
    tmp = paths.source.with_name(paths.source.name + ".tmp")
    image.save(tmp, format="PNG")
    tmp.replace(paths.source)
    return paths.source.name


def load_recording(path: str | Path) -> Recording:
    try:
        return Recording.load(Path(path))
    except RecordingError as exc:
        raise UsageError(_("{problem}. Give a recording written by 'deskhand record'.",
                           problem=str(exc))) from None


def load_compiler() -> Any:
    """recorders.compile, or None while it is not installed."""
    try:
        import recorders.compile as compiler
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("recorders.compile"):
            return None
        raise
    return compiler


def load_answers(compiler: Any, path: str | Path | None) -> Any:
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise UsageError(_("The answers file {path} does not exist.", path=str(p)))
    answers = getattr(compiler, "Answers", None)
    loader = getattr(answers, "load", None) or getattr(answers, "from_file", None)
    if loader is None:
        raise UsageError(_("This Deskhand cannot read answers files yet."))
    return loader(p)


def finish_recording(recording: Recording, paths: RecordPaths, *,
                     answers_file: str | Path | None = None, compiler: Any = "load",
                     playbook_id: str | None = None, name: str | None = None,
                     compile: bool = True) -> RecordResult:
    """Save the recording beside the playbook, compile it (unless `compile` is False)
    and write the playbook."""
    recording.save(paths.recording)
    result = RecordResult(paths, recording)
    result.sentences.append(_("The recording ({count} events) is in {path}.",
                              count=len(recording.events), path=str(paths.recording)))
    if not compile:
        result.exit_code = 1
        return result
    if compiler == "load":
        compiler = load_compiler()
    if compiler is None:
        result.sentences.append(_(
            "The playbook was not written: the recording compiler (recorders/compile.py) is "
            "not installed in this Deskhand. Compile the recording later with 'deskhand "
            "record -o {playbook} --recording {recording}'.", playbook=str(paths.playbook),
            recording=str(paths.recording)))
        result.exit_code = 1
        return result
    answers = load_answers(compiler, answers_file)
    draft = compiler.compile_recording(recording, answers=answers,
                                       playbook_id=playbook_id or paths.playbook.stem, name=name)
    tmp = paths.playbook.with_name(paths.playbook.name + ".tmp")
    tmp.write_text(draft.yaml, encoding="utf-8")
    tmp.replace(paths.playbook)
    result.draft = draft
    result.playbook_written = True
    result.sentences.append(_("The playbook is in {path}: {bound} of {total} values bound to "
                              "source fields without a question.", path=str(paths.playbook),
                              bound=getattr(draft, "bound_auto", 0),
                              total=getattr(draft, "values_total", 0)))
    result.sentences.extend(str(s) for s in getattr(draft, "report", []) or [])
    result.questions = [question_text(q) for q in getattr(draft, "questions", []) or []]
    return result


def question_text(q: Any) -> str:
    from recorders.ask import question_line
    return question_line(q)
