"""The approval form in GTK 3 (spec.py), reporting its own state on 127.0.0.1.

    /usr/bin/python3 -m app.sandbox.toolkits.gtk_form [--report-port N] [--title T]

Run by Debian's python3 (python3-gi, gir1.2-gtk-3.0): the venv cannot import gi. Prints
`READY port=N` once the window is shown. Labels are tied to their boxes with
`set_mnemonic_widget` (AT-SPI `labelled-by`), except 电子邮箱 (spec.UNLABELLED). The
性别 group has a hidden third button, active when neither 男 nor 女 is chosen (a GTK
radio group always has one button active).
"""
from __future__ import annotations

import os
import sys
import warnings

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Atk", "1.0")
from gi.repository import Atk, Gdk, GLib, Gtk  # noqa: E402

from app.sandbox.toolkits import spec  # noqa: E402
from app.sandbox.toolkits.serve import form_arguments, run_form  # noqa: E402

CSS = b"""
.heading { background: #1f4e8c; color: white; padding: 10px 16px; font-size: 18px;
           font-weight: bold; }
"""


class GtkForm:
    def __init__(self, title: str, form: spec.FormSpec = spec.APPROVAL) -> None:
        self.spec = form
        self.title = title
        self.status_text = ""
        self.submitted: dict | None = None
        self.counter = spec.StateCounter()
        self.window = Gtk.Window(title=title)
        self.window.set_default_size(760, 860)
        self.window.connect("destroy", Gtk.main_quit)
        provider = Gtk.CssProvider()
        provider.load_from_data(CSS)
        Gtk.StyleContext.add_provider_for_screen(self.window.get_screen(), provider,
                                                 Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
        outer = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8)
        heading = Gtk.Label(label=form.heading, xalign=0)
        heading.get_style_context().add_class("heading")
        outer.pack_start(heading, False, False, 0)
        self.grid = Gtk.Grid(column_spacing=14, row_spacing=8, margin=16)
        outer.pack_start(self.grid, True, True, 0)
        self.window.add(outer)

        self.widgets: dict[str, Gtk.Widget] = {}     # the widget that holds each value
        self.stops: dict[str, Gtk.Widget] = {}       # the widget Tab stops at, per field
        self.owner: dict[Gtk.Widget, str] = {}       # focusable widget -> field name
        self.radios: dict[str, list] = {}            # per group: [hidden "none", options...]
        for row, field in enumerate(form.fields):
            self._add_row(row, field)
        self.status = Gtk.Label(label="", xalign=0)
        self.submit = Gtk.Button(label=form.submit)
        self.submit.connect("clicked", self._on_submit)
        self.owner[self.submit] = "submit"
        bottom = Gtk.Box(spacing=8)
        bottom.pack_start(self.status, True, True, 0)
        bottom.pack_end(self.submit, False, False, 0)
        self.grid.attach(bottom, 1, len(form.fields), 1, 1)
        # Tab order from the spec, not from the drawing (邮政编码 comes later).
        chain = [self.stops[n] for n in form.tab_order] + [bottom]
        with warnings.catch_warnings():      # deprecated, yet GTK 3's only explicit chain
            warnings.simplefilter("ignore", DeprecationWarning)
            self.grid.set_focus_chain(chain)
        for field in form.fields:   # a choice may enable another box (婚姻状况 → 配偶姓名)
            if field.kind == spec.SELECT:
                self.widgets[field.name].connect("changed", lambda *_: self._apply_conditions())
        self._apply_conditions()
        # A test's trap (tests/test_keyguard_toolkits.py): DESKHAND_FORM_SWALLOW_TAB=field
        # eats the first Tab pressed in that field, as a client busy validating it might.
        self.swallow_tab = os.environ.get("DESKHAND_FORM_SWALLOW_TAB") or None
        self.window.connect("key-press-event", self._on_key)

    def _on_key(self, _window, event) -> bool:
        if self.swallow_tab and event.keyval == Gdk.KEY_Tab and self.focused() == self.swallow_tab:
            self.swallow_tab = None
            return True
        return False

    # ------------------------------------------------------------ building
    def _add_row(self, row: int, field: spec.Field) -> None:
        label = None
        if field.kind != spec.CHECK:
            label = Gtk.Label(label=f"{field.label}：", xalign=1)
            self.grid.attach(label, 0, row, 1, 1)
        if field.kind in (spec.TEXT, spec.READONLY):
            w = Gtk.Entry(hexpand=True)
            w.set_text(field.initial)
            w.set_sensitive(field.kind != spec.READONLY)
            holder = stop = w
        elif field.kind == spec.MULTILINE:
            w = Gtk.TextView(accepts_tab=False, wrap_mode=Gtk.WrapMode.WORD_CHAR)
            holder = Gtk.ScrolledWindow(min_content_height=64, hexpand=True)
            holder.set_shadow_type(Gtk.ShadowType.IN)
            holder.add(w)
            stop = holder
        elif field.kind == spec.RADIO:
            holder = stop = Gtk.Box(spacing=18)
            none = Gtk.RadioButton(label="")           # hidden: "nothing chosen"
            none.set_no_show_all(True)
            radios = self.radios[field.name] = [none]
            for option in field.options:
                b = Gtk.RadioButton.new_with_label_from_widget(none, option)
                holder.pack_start(b, False, False, 0)
                radios.append(b)
                self.owner[b] = field.name
            holder.pack_start(none, False, False, 0)
            w = holder
            acc = holder.get_accessible()
            acc.set_role(Atk.Role.PANEL)
            acc.set_name(field.label)
        elif field.kind == spec.SELECT:
            w = Gtk.ComboBoxText()
            for option in (spec.NONE_CHOSEN, *field.options):
                w.append_text(option)
            w.set_active(0)
            holder = stop = w
        elif field.kind == spec.CHECK:
            w = Gtk.CheckButton(label=field.label)
            holder = stop = w
        else:  # pragma: no cover - the spec has no other kinds
            raise ValueError(field.kind)
        self.grid.attach(holder, 1, row, 1, 1)
        self.widgets[field.name] = w
        self.stops[field.name] = stop
        self.owner.setdefault(w, field.name)
        if label is not None and field.labelled:
            if field.kind == spec.RADIO:
                w.get_accessible().add_relationship(Atk.RelationType.LABELLED_BY,
                                                    label.get_accessible())
            else:
                label.set_mnemonic_widget(w)

    # ------------------------------------------------------------ behaviour
    def _apply_conditions(self) -> None:
        values = self.values()
        for field in self.spec.fields:
            if field.enabled_when is not None:
                self.widgets[field.name].set_sensitive(spec.is_enabled(field, values))

    def _on_submit(self, *_args) -> None:
        if self.spec.issues:
            name, number = self.spec.issues
            self.widgets[name].set_text(number)
        self.submitted = self.values()
        self.status_text = self.spec.submitted_status
        self.status.set_text(self.status_text)

    def values(self) -> dict:
        out: dict = {}
        for field in self.spec.fields:
            w = self.widgets[field.name]
            if field.kind == spec.MULTILINE:
                buf = w.get_buffer()
                out[field.name] = buf.get_text(buf.get_start_iter(), buf.get_end_iter(), True)
            elif field.kind == spec.RADIO:
                out[field.name] = next((b.get_label() for b in self.radios[field.name][1:]
                                       if b.get_active()), "")
            elif field.kind == spec.SELECT:
                text = w.get_active_text() or ""
                out[field.name] = "" if text == spec.NONE_CHOSEN else text
            elif field.kind == spec.CHECK:
                out[field.name] = bool(w.get_active())
            else:
                out[field.name] = w.get_text()
        return out

    def focused(self) -> str | None:
        w = self.window.get_focus()
        while w is not None:
            if w in self.owner:
                return self.owner[w]
            w = w.get_parent()
        return None

    def state(self) -> dict:
        enabled = {f.name: self.widgets[f.name].get_sensitive() for f in self.spec.fields}
        return self.counter(self.spec.state_document(
            "gtk", self.title, self.values(), enabled, self.focused(), self.window.is_active(),
            self.status_text, self.submitted))

    def reset(self) -> None:
        for field in self.spec.fields:
            w = self.widgets[field.name]
            if field.kind == spec.MULTILINE:
                w.get_buffer().set_text("")
            elif field.kind == spec.RADIO:
                self.radios[field.name][0].set_active(True)
            elif field.kind == spec.SELECT:
                w.set_active(0)
            elif field.kind == spec.CHECK:
                w.set_active(False)
            else:
                w.set_text(field.initial)
        self.submitted, self.status_text = None, ""
        self.status.set_text("")
        self.widgets[self.spec.first].grab_focus()


def main(argv: list[str] | None = None) -> int:
    args = form_arguments("gtk", argv)
    form = GtkForm(args.title, spec.form_spec(args.spec))
    form.window.show_all()
    form.window.present()

    def post(fn) -> None:
        GLib.idle_add(lambda: fn() and False)

    return run_form(args.report_port, post, form.state, form.reset, main_loop=Gtk.main,
                    later=post, focus_first=form.widgets[form.spec.first].grab_focus)


if __name__ == "__main__":
    sys.exit(main())
