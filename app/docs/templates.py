"""Word templates (docxtpl): reading one, checking every placeholder against the case before
anything is rendered, and rendering it.

A placeholder names a case field: `{{ company_name }}`; filters write the Chinese forms
(app/docs/chinese.py): `{{ registered_capital|wan_yuan|amount_upper }}`,
`{{ application_date|date_upper }}`. A repeating group is a table row repeated per row of
the group: `{%tr for s in shareholders %}` … `{{ s.name }}` … `{%tr endfor %}`.

    env = template_environment()
    info = read_template(path, env)          TemplateError: not a Word file, bad placeholders
    missing = info.missing(context)          [(placeholder, field)] the case cannot fill
    values = info.values(context)            [(placeholder, field names, value)] for the manifest
    info.render(context, out_path)           the .docx written

A context is {field: text} plus {group: [{field: text}]} (app/docs/context.py builds it).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, StrictUndefined, TemplateError as JinjaError, meta, nodes
from jinja2.exceptions import TemplateSyntaxError, UndefinedError

from app.docs import chinese
from app.errors import FormValueError, TemplateError
from app.i18n import _

__all__ = ["template_environment", "read_template", "TemplateInfo", "Placeholder", "FILTERS"]

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024    # a form template is 20-60 KB; pictures make it larger

# Filter name → function; the names are what template authors write after `|`.
FILTERS: dict[str, Callable[[Any], Any]] = {
    "date_upper": chinese.date_upper,        # 二〇二六年十二月四日
    "date_cn": chinese.date_digits,          # 2026年12月4日
    "amount_upper": chinese.amount_upper,    # 壹拾万零叁仟肆佰伍拾叁元整
    "amount": chinese.amount_digits,         # 103,453.00
    "wan_yuan": chinese.wan_to_yuan,         # 100 (万元) → 1000000.00 (元)
}


def template_environment() -> Environment:
    """Jinja as docxtpl uses it, with the Chinese forms as filters; an undefined name is an
    error, never an empty box."""
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


@dataclass
class Placeholder:
    text: str                       # as written: "{{ s.name }}"
    expr: nodes.Node
    loop: dict[str, str]            # loop variable → group, for placeholders inside a loop
    fields: list[str]               # "company_name", "shareholders.name"


@dataclass
class TemplateInfo:
    path: Path
    env: Environment
    source: str                     # the document's XML with its tags joined (docxtpl's patch)
    declared: set[str]              # docxtpl's undeclared variables: the case fields named
    placeholders: list[Placeholder] = field(default_factory=list)
    group_fields: dict[str, set[str]] = field(default_factory=dict)   # group → row fields used
    loops: dict[str, str] = field(default_factory=dict)               # group → its loop tag

    def missing(self, context: dict[str, Any]) -> list[tuple[str, str]]:
        """(placeholder, field) for each field the case lacks or holds no value for."""
        found: list[tuple[str, str]] = []
        for name in sorted(self.declared):
            if name in self.group_fields:
                rows = context.get(name)
                if not isinstance(rows, list):
                    found.append((self.loops.get(name, name), name))
                    continue
                for attr in sorted(self.group_fields[name]):
                    for i, row in enumerate(rows, 1):
                        if row.get(attr) is None:
                            found.append((self._shown(f"{name}.{attr}"), f"{name}[{i}].{attr}"))
            elif context.get(name) is None:
                found.append((self._shown(name), name))
        return found

    def _shown(self, field_name: str) -> str:
        for p in self.placeholders:
            if field_name in p.fields:
                return p.text
        group = field_name.split(".")[0]
        return self.loops.get(group, "{{ " + field_name + " }}")

    def values(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        """Every placeholder's value as it will be written, with the fields it came from (a
        placeholder in a loop once per row). FormValueError names template and placeholder."""
        rows: list[dict[str, Any]] = []
        for p in self.placeholders:
            compiled = self.env.from_string(nodes.Template([nodes.Output([p.expr])]))
            groups = list(p.loop.items())
            per_row: list[dict[str, Any]] = [{}]
            if groups:
                var, group = groups[-1]
                rows_of = context.get(group) or []
                per_row = [{var: row, "loop": {"index": i, "index0": i - 1, "first": i == 1,
                                               "last": i == len(rows_of)}}
                           for i, row in enumerate(rows_of, 1)]
            for i, extra in enumerate(per_row, 1):
                try:
                    value = compiled.render({**context, **extra})
                except FormValueError as exc:
                    raise FormValueError(_("The template {template}, placeholder {placeholder}: "
                                           "{problem}", template=self.path.name,
                                           placeholder=p.text, problem=exc.message)) from None
                except (JinjaError, TypeError, ValueError) as exc:
                    raise TemplateError(_("The template {template} cannot fill the placeholder "
                                          "{placeholder} ({reason}).", template=self.path.name,
                                          placeholder=p.text, reason=exc)) from None
                sources = [f.replace(".", f"[{i}].", 1) if groups and f.startswith(groups[-1][1] + ".")
                           else f for f in p.fields]
                rows.append({"placeholder": p.text, "fields": sources, "value": value})
        return rows

    def render(self, context: dict[str, Any], out: Path) -> None:
        from docxtpl import DocxTemplate
        doc = DocxTemplate(str(self.path))
        try:
            doc.render(context, jinja_env=self.env, autoescape=True)
        except FormValueError as exc:
            raise FormValueError(_("The template {template}: {problem}", template=self.path.name,
                                   problem=exc.message)) from None
        except (JinjaError, TypeError, ValueError) as exc:
            raise TemplateError(_("The template {template} could not be rendered ({reason}).",
                                  template=self.path.name, reason=exc)) from None
        doc.save(str(out))


def read_template(path: Path, env: Environment) -> TemplateInfo:
    """The template at `path`, its placeholders parsed and checked (syntax, filters).
    TemplateError with a sentence for a file that is not a Word document or bad Jinja."""
    if not path.is_file():
        raise TemplateError(_("The template {path} does not exist; check the scenario's "
                              "'template' entry.", path=path))
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(_("The template {path} is larger than {limit} MiB; it is not a form "
                              "template.", path=path, limit=MAX_TEMPLATE_BYTES // 2**20))
    if not zipfile.is_zipfile(path):
        raise TemplateError(_("The template {path} is not a Word document (.docx); save it from "
                              "Word or LibreOffice as .docx (an old .doc does not work).",
                              path=path))
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    doc = DocxTemplate(str(path))
    try:
        declared = doc.get_undeclared_template_variables(jinja_env=env)
        source = _source(doc)
    except TemplateSyntaxError as exc:
        raise TemplateError(_("The template {path} has a broken placeholder: {problem} (near "
                              "'{text}'); placeholders are written {{{{ field }}}}.", path=path.name,
                              problem=exc.message, text=_near(exc))) from None
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateError(_("The template {path} is not a Word document (.docx) or is damaged "
                              "({reason}); save it again from Word or LibreOffice.",
                              path=path, reason=exc)) from None
    try:
        env.compile(source)    # unknown filters and tests are found here, not while rendering
    except JinjaError as exc:
        raise TemplateError(_("The template {path} uses something Deskhand does not know: "
                              "{problem}; the filters are {filters}.", path=path.name,
                              problem=exc.message, filters=", ".join(FILTERS))) from None
    info = TemplateInfo(path, env, source, set(declared))
    _Walker(info, _tag_texts(env, source)).visit(env.parse(source), {})
    return info


def _source(doc: Any) -> str:
    """The XML docxtpl renders (body, headers, footers), tags joined as docxtpl joins them."""
    doc.init_docx()
    xml = doc.patch_xml(doc.get_xml())
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        for _rel, part in doc.get_headers_footers(uri):
            xml += doc.patch_xml(doc.get_part_xml(part))
    return xml


def _near(exc: TemplateSyntaxError) -> str:
    import re
    line = (exc.source or "").splitlines()[exc.lineno - 1] if exc.source and exc.lineno else ""
    tags = re.findall(r"\{[{%].{0,60}?(?:[}%]\}|$)", re.sub(r"<[^>]+>", "", line))
    text = tags[-1] if tags else re.sub(r"<[^>]+>", "", line)[-60:]
    return text.strip()


def _tag_texts(env: Environment, source: str) -> list[str]:
    """The text of every {{ … }} in order, as the author wrote it (tokens joined)."""
    texts: list[str] = []
    current: list[str] | None = None
    for _line, kind, value in env.lex(source):
        if kind == "variable_begin":
            current = []
        elif kind == "variable_end" and current is not None:
            texts.append("{{ " + " ".join(current).replace(" . ", ".").replace(" | ", "|") + " }}")
            current = None
        elif current is not None and kind != "whitespace":
            current.append(value)
    return texts


class _Walker:
    """Collects placeholders (in the order of the lexer's {{ }} tags) and the fields each
    loop reads from its group's rows."""

    def __init__(self, info: TemplateInfo, texts: list[str]) -> None:
        self.info = info
        self.texts = iter(texts)

    def visit(self, node: nodes.Node, loop: dict[str, str]) -> None:
        if isinstance(node, nodes.For) and isinstance(node.iter, nodes.Name) \
                and isinstance(node.target, nodes.Name):
            group = node.iter.name
            self.info.group_fields.setdefault(group, set())
            self.info.loops.setdefault(group, "{%tr for " + node.target.name + " in " + group + " %}")
            inner = {**loop, node.target.name: group}
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, loop)
            return
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    continue
                fields = self._fields(child, loop)
                self.info.placeholders.append(Placeholder(next(self.texts, "{{ … }}"), child,
                                                          dict(loop), fields))
            return
        if isinstance(node, nodes.Expr):
            self._fields(node, loop)      # a condition or a loop's source reads fields too
            return
        for child in node.iter_child_nodes():
            self.visit(child, loop)

    def _fields(self, expr: nodes.Node, loop: dict[str, str]) -> list[str]:
        fields: list[str] = []
        for attr in [expr] * isinstance(expr, nodes.Getattr) + list(expr.find_all(nodes.Getattr)):
            if isinstance(attr.node, nodes.Name) and attr.node.name in loop:
                group = loop[attr.node.name]
                self.info.group_fields[group].add(attr.attr)
                fields.append(f"{group}.{attr.attr}")
        for name in [expr] * isinstance(expr, nodes.Name) + list(expr.find_all(nodes.Name)):
            if name.name not in loop and name.name != "loop" and name.ctx == "load":
                fields.append(name.name)
        return list(dict.fromkeys(fields))
