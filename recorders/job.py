"""`deskhand record` and the tray's 录制业务流程 as one job, over the one case pipeline.

    job = RecordJob(pipeline, RecordRequest(output="new.yaml", source_image="card.png"))
    job.start()          # the source file read now; listening from here on
    job.wait()           # the stop key, or job.stop() (SIGINT, the tray's button)
    result = job.finish()    # recorders/outcome.py: files written, sentences for the supervisor

With `recording=` (the CLI's --recording FILE) nothing is listened to: `compile_only()`
compiles that recording.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from app.errors import DeskhandError, UsageError
from app.i18n import _
from recorders import source as src
from recorders.backends import check_session, tree_watch
from recorders.outcome import (RecordPaths, RecordResult, finish_recording, load_recording,
                               save_source_picture)
from recorders.recording import RecordedSource
from recorders.session import (DEFAULT_CAPTURE_KEY, DEFAULT_STOP_KEY, Recorder, RecorderOptions,
                               RecorderParts, checked_keys)
from recorders.tree_watch import TreeWatch

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import Pipeline

log = logging.getLogger(__name__)


@dataclass
class RecordRequest:
    output: str
    source_image: str | None = None
    source_window: str | None = None
    source_screen: bool = False
    target: str | None = None
    capture_key: str = DEFAULT_CAPTURE_KEY
    stop_key: str = DEFAULT_STOP_KEY
    answers: str | None = None
    recording: str | None = None

    @property
    def source_kind(self) -> str:
        if self.source_image:
            return src.IMAGE
        if self.source_window:
            return src.WINDOW
        return src.SCREEN if self.source_screen else src.FOCUSED


class RecordJob:
    def __init__(self, pipeline: "Pipeline", request: RecordRequest, *,
                 on_event: Callable[[int], None] | None = None,
                 on_source: Callable[[str], None] | None = None) -> None:
        given = [bool(request.source_image), bool(request.source_window), request.source_screen]
        if sum(given) > 1:
            raise UsageError(_("Name one source: --source-image, --source-window or "
                               "--source-screen."))
        checked_keys(request.capture_key, request.stop_key)     # before anything opens
        self.pipeline = pipeline
        self.request = request
        self.paths = RecordPaths.for_output(request.output)
        self.on_event = on_event
        self.on_source = on_source            # a sentence when the source was taken
        self.recorder: Recorder | None = None
        self._picture: src.SourcePicture | None = None
        self._source_error: str | None = None
        self._grabber = None
        self._tree: TreeWatch | None = None
        self._lock = threading.Lock()

    # -- without listening -------------------------------------------------------------
    def compile_only(self) -> RecordResult:
        recording = load_recording(self.request.recording)   # type: ignore[arg-type]
        return finish_recording(recording, self.paths, answers_file=self.request.answers)

    # -- listening ---------------------------------------------------------------------------
    def start(self) -> None:
        req = self.request
        if req.source_image:
            self._picture = src.picture_file(req.source_image)   # a bad file: exit 2 now
        check_session()
        desktop = self.pipeline.desktop()
        source_window = None
        if req.source_window:
            from app.capture.sources import find_window
            source_window = find_window(desktop, req.source_window).id
        try:
            a11y = self.pipeline.accessibility()
        except DeskhandError as exc:
            log.info("recording without a tree: %s", exc.message)
            a11y = None
        self._tree = tree_watch(a11y)
        self._grabber = self.pipeline.grabber()
        grabber = self._grabber
        options = RecorderOptions(capture_key=req.capture_key, stop_key=req.stop_key,
                                  source_window=source_window,
                                  source_taken=self._picture is not None,
                                  target_title=req.target, on_capture=self._capture,
                                  on_event=self.on_event)
        parts = RecorderParts(desktop, self._tree, engine=self.pipeline.engine,
                              grab=lambda x, y, w, h: grabber.grab(x, y, w, h))
        self.recorder = Recorder(parts, options)
        self.recorder.start()

    def _capture(self) -> None:
        """The capture key (on the recorder's thread, which owns the desktop connection)."""
        if self.request.source_image or self.recorder is None:
            return
        try:
            picture = src.picture_now(self.request.source_kind, self.request.source_window,
                                      self.recorder.parts.desktop, self._grabber)
        except DeskhandError as exc:
            self._source_error = exc.message
            if self.on_source:
                self.on_source(exc.message)
            return
        with self._lock:
            self._picture = picture
        self.recorder.options.source_window = picture.window_id
        self.recorder.options.source_taken = True
        if self.on_source:
            self.on_source(_("The source is taken ({width}×{height}); now fill the approval "
                             "client.", width=picture.image.width, height=picture.image.height))

    def stop(self, reason: str = "stop") -> None:
        if self.recorder is not None:
            self.recorder.stop(reason)

    def wait(self, timeout: float | None = None) -> bool:
        return self.recorder.wait(timeout) if self.recorder is not None else True

    def finish(self) -> RecordResult:
        assert self.recorder is not None
        try:
            with self._lock:
                picture = self._picture
            source: RecordedSource | None = None
            if picture is not None:
                saved = save_source_picture(picture.image, self.paths)
                source = src.recorded_source(picture, self.pipeline.engine(), saved)
            note = "" if source is not None else _(
                "The capture key was never pressed: the recording has no source.")
            recording = self.recorder.finish(source=source, note=note)
        finally:
            self.close()
        result = finish_recording(recording, self.paths, answers_file=self.request.answers,
                                  compile=source is not None)
        if source is None:
            result.sentences.insert(0, self._source_error or note)
        if self.recorder.failure is not None:
            result.sentences.insert(0, _("The recorder stopped early because of a fault "
                                         "({kind}); what was recorded until then is kept.",
                                         kind=type(self.recorder.failure).__name__))
            result.exit_code = 3
        return result

    def close(self) -> None:
        if self._tree is not None:
            self._tree.close()
        if self._grabber is not None:
            self._grabber.close()
            self._grabber = None
