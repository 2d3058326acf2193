"""Reading a rendered form back the way a browser submits it, for tests that post what a page showed
(hidden fields included) instead of a hand-written dictionary."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # (action or None, {name: [values]})
        self._form = None
        self._select = None
        self._select_first = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = (attrs.get("action"), {})
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form[1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                fields[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[1][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            fields = self._form[1] if self._form else {}
            if not fields.get(self._select) and self._select_first is not None:
                fields[self._select] = [self._select_first]  # a browser submits the first option
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self._form[1][self._textarea][0]
            self._form[1][self._textarea][0] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def form_data(html: str, action: str | None = None) -> dict:
    """The fields the page's post form would submit: the form whose action is `action`, or the one
    without an action (it posts to the page itself). Multi-valued fields come back as lists."""
    parser = _FormParser()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action or (action is None and not form_action):
            return {
                name: values if len(values) != 1 else values[0]
                for name, values in fields.items()
                if name != "csrfmiddlewaretoken"
            }
    raise AssertionError(f"页面中没有提交到 {action or '本页'} 的表单")
