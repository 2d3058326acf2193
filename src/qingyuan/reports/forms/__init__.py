"""Every official form of FORMS.md, by code. A form's definition lives in the module named here."""

from django.utils.module_loading import import_string

FORM_CLASSES = {
    "S001-A1": "qingyuan.reports.forms.s001.S001A1",
    "S001-A2": "qingyuan.reports.forms.s001.S001A2",
    "S001-A3": "qingyuan.reports.forms.s001.S001A3",
    "S001-A4": "qingyuan.reports.forms.s001.S001A4",
    "S003-A1": "qingyuan.reports.forms.s003a1.S003A1",
    "S003-A2": "qingyuan.reports.forms.s003a2.S003A2",
    "S003-WS": "qingyuan.reports.forms.summary.S003WS",
    "S004-Q": "qingyuan.reports.forms.summary.S004Q",
}


def get_form(code: str):
    """The definition of form `code`; KeyError for an unknown code."""
    return import_string(FORM_CLASSES[code])()


def all_forms():
    return [get_form(code) for code in FORM_CLASSES]
