"""The POST forms of a page, read from its HTML, so a test can send each field hostile values.

Only the standard library's parser: a form is its action, method and fields with the value
the page filled in (the checked radio or checkbox, the selected option, else the first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)  # checkboxes of one name
    typed: set[str] = field(default_factory=set)  # fields a person types in (not passwords)


TYPED = frozenset({"text", "email", "search", "url", "tel", "number", "date", "time"})


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(a.get("action") or self.page_path)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    if kind == "checkbox":
                        form.multi.setdefault(name, []).append(a.get("value", "on"))
                    else:
                        form.fields[name] = a.get("value", "on")
                return
            form.fields[name] = a.get("value", "")
            if kind in TYPED:
                form.typed.add(name)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
            form.typed.add(name)
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                form.fields[self._select] = value
                self._select_chosen = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] = "".join(self._text).lstrip("\n")
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if not self._select_chosen:
                self._form.fields[self._select] = self._select_first or ""
            self._select = None


def post_forms(html: str, page_path: str) -> list[Form]:
    """Every ``method="post"`` form of the page, in page order."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms
