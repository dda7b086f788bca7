"""Django's makemessages, which also finds the strings of the Jinja2 templates (jinja2/).

Django reads every template it is given as one of its own; a Jinja2 page's `_("…")`,
`pgettext("…", "…")` and `ngettext("…", "…", n)` are found by Jinja2's own extractor instead,
and written as the Python calls xgettext reads. It runs as Django's does.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from jinja2.ext import GETTEXT_FUNCTIONS, babel_extract

JINJA_TEMPLATES = Path(settings.BASE_DIR, "jinja2").resolve()


def jinja_messages_as_python(source: bytes, *, strict: bool = True) -> str:
    """Return the translatable strings of a Jinja2 template as calls xgettext reads, one a line.

    A call whose strings are not literals (a variable, an expression) cannot be translated: it is
    refused, as Django's own templatize refuses what it cannot read.
    """
    calls = []
    for _line, function, message, _comments in babel_extract(
        io.BytesIO(source), GETTEXT_FUNCTIONS, [], {"silent": "false"}
    ):
        arguments = message if isinstance(message, tuple) else (message,)
        # ngettext's and npgettext's count is not a string: any number stands for it.
        literal = [repr(argument) if argument is not None else "1" for argument in arguments]
        if strict and function in ("_", "gettext", "pgettext") and None in arguments:
            raise ValueError(f"{function}() of something other than a string literal")
        calls.append(f"{function}({', '.join(literal)})")
    return "".join(f"{call}\n" for call in calls)


class BuildFile(makemessages.BuildFile):
    @property
    def is_jinja(self) -> bool:
        return Path(self.path).resolve().is_relative_to(JINJA_TEMPLATES)

    def preprocess(self) -> None:
        if not (self.is_templatized and self.is_jinja):
            return super().preprocess()
        with open(self.path, "rb") as template:
            content = jinja_messages_as_python(template.read())
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(content)


class Command(makemessages.Command):
    build_file_class = BuildFile
