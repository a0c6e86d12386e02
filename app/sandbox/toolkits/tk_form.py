"""The approval form in Tk (spec.py), reporting its own state on 127.0.0.1.

    python -m app.sandbox.toolkits.tk_form [--report-port N] [--title T]

Prints `READY port=N` once the window is shown. Tk has no accessibility bridge on Linux:
the form shows in no AT-SPI tree, whatever is switched on (that is the point of having
it: a target only keystrokes can fill). Tab order is Tk's: the order the widgets were
created in, so they are created in spec.TAB_ORDER and placed in the drawing's rows.
Tk's own keys stay as they are: select-all is Ctrl+/ (Ctrl+A goes to the line start),
the two 性别 buttons are two Tab stops and Space chooses one, the drop-down opens with
Down and takes Return.
"""
from __future__ import annotations

import queue
import sys
import tkinter as tk
from tkinter import ttk
from typing import Callable

from app.sandbox.toolkits import spec
from app.sandbox.toolkits.serve import form_arguments, run_form

FONT = ("Noto Sans CJK SC", 11)
POLL_MS = 10          # how often the GUI thread takes requests from the report server


class TkForm:
    def __init__(self, root: tk.Tk, title: str) -> None:
        self.root = root
        self.title = title
        self.status_text = ""
        self.submitted: dict | None = None
        self.counter = spec.StateCounter()
        root.title(title)
        root.geometry("760x860")
        root.option_add("*Font", FONT)
        style = ttk.Style(root)
        style.configure(".", font=FONT)
        tk.Label(root, text=spec.HEADING, bg="#1f4e8c", fg="white", anchor="w", padx=16, pady=10,
                 font=(FONT[0], 14, "bold")).pack(fill="x")
        body = ttk.Frame(root, padding=16)
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)
        self.body = body
        self.vars: dict[str, tk.Variable] = {}
        self.widgets: dict[str, tk.Widget] = {}
        self.owner: dict[str, str] = {}            # Tk path name -> field name
        rows = {f.name: i for i, f in enumerate(spec.FIELDS)}
        for f in spec.FIELDS:                       # labels first: they take no focus
            if f.kind != spec.CHECK:
                ttk.Label(body, text=f"{f.label}：", anchor="e").grid(
                    row=rows[f.name], column=0, sticky="e", padx=(0, 14), pady=4)
        order = [f.name for f in spec.FIELDS if f.name not in spec.TAB_ORDER] + list(spec.TAB_ORDER)
        for name in order:                          # created in Tab order, placed in rows
            self._add(spec.BY_NAME[name], rows[name])
        bottom = ttk.Frame(body)
        bottom.grid(row=len(spec.FIELDS), column=1, sticky="ew", pady=8)
        self.status = ttk.Label(bottom, text="")
        self.status.pack(side="left")
        self.submit = ttk.Button(bottom, text=spec.SUBMIT_LABEL, command=self._on_submit)
        self.submit.pack(side="right")
        self.submit.bind("<Return>", lambda e: self._on_submit())
        self.owner[str(self.submit)] = "submit"
        self.vars["marital_status"].trace_add("write", lambda *_: self._apply_conditions())
        self._apply_conditions()

    def _add(self, f: spec.Field, row: int) -> None:
        body = self.body
        if f.kind in (spec.TEXT, spec.READONLY, spec.PASSWORD):
            var = tk.StringVar(value=f.initial)
            w = ttk.Entry(body, textvariable=var, show="*" if f.kind == spec.PASSWORD else "")
            if f.kind == spec.READONLY:
                w.state(["disabled"])
        elif f.kind == spec.MULTILINE:
            var = None
            w = tk.Text(body, height=3, wrap="char", undo=False, font=FONT)
            # Tab leaves the box (Tk's Text would insert a tab character)
            w.bind("<Tab>", lambda e: (e.widget.tk_focusNext().focus_set(), "break")[1])
            w.bind("<Shift-Tab>", lambda e: (e.widget.tk_focusPrev().focus_set(), "break")[1])
            w.bind("<ISO_Left_Tab>", lambda e: (e.widget.tk_focusPrev().focus_set(), "break")[1])
        elif f.kind == spec.RADIO:
            var = tk.StringVar(value="")
            w = ttk.Frame(body)
            for option in f.options:
                b = ttk.Radiobutton(w, text=option, value=option, variable=var)
                b.pack(side="left", padx=(0, 18))
                self.owner[str(b)] = f.name
        elif f.kind == spec.SELECT:
            var = tk.StringVar(value=spec.NONE_CHOSEN)
            w = ttk.Combobox(body, textvariable=var, state="readonly",
                             values=(spec.NONE_CHOSEN, *f.options))
        elif f.kind == spec.CHECK:
            var = tk.BooleanVar(value=False)
            w = ttk.Checkbutton(body, text=f.label, variable=var)
        else:  # pragma: no cover
            raise ValueError(f.kind)
        w.grid(row=row, column=1, sticky="ew" if f.kind != spec.CHECK else "w", pady=4)
        if var is not None:
            self.vars[f.name] = var
        self.widgets[f.name] = w
        self.owner[str(w)] = f.name

    # ------------------------------------------------------------ behaviour
    def _apply_conditions(self) -> None:
        values = self.values()
        for f in spec.FIELDS:
            if f.enabled_when is not None:
                self.widgets[f.name].state(["!disabled" if spec.is_enabled(f, values) else "disabled"])

    def _on_submit(self) -> None:
        self.submitted = self.values()
        self.status_text = spec.SUBMITTED_STATUS
        self.status.configure(text=self.status_text)

    def values(self) -> dict:
        out: dict = {}
        for f in spec.FIELDS:
            if f.kind == spec.MULTILINE:
                out[f.name] = self.widgets[f.name].get("1.0", "end-1c")
            elif f.kind == spec.SELECT:
                v = self.vars[f.name].get()
                out[f.name] = "" if v == spec.NONE_CHOSEN else v
            elif f.kind == spec.CHECK:
                out[f.name] = bool(self.vars[f.name].get())
            else:
                out[f.name] = self.vars[f.name].get()
        return out

    def enabled(self) -> dict:
        out = {}
        for f in spec.FIELDS:
            w = self.widgets[f.name]
            out[f.name] = (str(w.cget("state")) != "disabled" if isinstance(w, tk.Text)
                           else not w.instate(["disabled"]))
        return out

    def focus_path(self) -> str:
        # not focus_get(): it fails on Tk's own widgets (the drop-down's list)
        return str(self.root.tk.call("focus"))

    def focused(self) -> str | None:
        path = self.focus_path()
        while path and path not in self.owner:      # the drop-down's list is inside it
            path = path.rpartition(".")[0]
        return self.owner.get(path)

    def state(self) -> dict:
        return self.counter(spec.state_document(
            "tk", self.title, self.values(), self.enabled(), self.focused(),
            bool(self.focus_path()), self.status_text, self.submitted))

    def reset(self) -> None:
        for f in spec.FIELDS:
            if f.kind == spec.MULTILINE:
                self.widgets[f.name].delete("1.0", "end")
            elif f.kind == spec.SELECT:
                self.vars[f.name].set(spec.NONE_CHOSEN)
            elif f.kind == spec.CHECK:
                self.vars[f.name].set(False)
            else:
                self.vars[f.name].set(f.initial)
        self.submitted, self.status_text = None, ""
        self.status.configure(text="")
        self.widgets[spec.FIRST].focus_force()


def poster(root: tk.Tk) -> Callable[[Callable[[], None]], None]:
    """Hand work to the Tk thread: Tk may only be called from the thread that made it,
    so the report server queues calls and the Tk thread runs them every POLL_MS."""
    calls: queue.SimpleQueue = queue.SimpleQueue()

    def pump() -> None:
        try:
            while True:
                try:
                    call = calls.get_nowait()
                except queue.Empty:
                    break
                try:
                    call()
                except Exception as e:        # report it, keep serving
                    print(f"tk_form: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        finally:
            root.after(POLL_MS, pump)

    root.after(POLL_MS, pump)
    return calls.put


def main(argv: list[str] | None = None) -> int:
    args = form_arguments("tk", argv)
    root = tk.Tk(className="ApprovalForm")
    form = TkForm(root, args.title)
    post = poster(root)
    return run_form(args.report_port, post, form.state, form.reset, main_loop=root.mainloop,
                    later=lambda fn: root.after(50, fn),
                    focus_first=form.widgets[spec.FIRST].focus_force)


if __name__ == "__main__":
    sys.exit(main())
