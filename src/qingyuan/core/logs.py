"""Log records as JSON lines for production (LOG_FORMAT=json), each with the request id it belongs to.

What reaches the log is the message a developer wrote, the logger, the level, the time and, where
there is one, the request id and path: never the request's body, query string, cookies or headers,
so that reporter identity, ID numbers and phones typed into a form cannot end up in a log file.
"""

import json
import logging
import traceback

from .middleware import current_request


class RequestContextFilter(logging.Filter):
    """Adds request_id and path (without the query string) of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx response after the middleware has left the request's context,
        # but attaches the request to the record.
        request = current_request() or getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", "") if request is not None else ""
        record.path = getattr(request, "path", "") if request is not None else ""
        return True


def _exception_without_text(exc_info) -> str:
    # The traceback's frames and exception type, not the exception's text: a validation error's
    # message can quote what the user typed.
    exc_type, _exc, tb = exc_info
    name = exc_type.__name__ if exc_type else ""
    return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(tb)) + name


class TextFormatter(logging.Formatter):
    """The plain format (LOG_FORMAT=text); outside DEBUG, exceptions without their text, as in JSON."""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the formatted exception on the record for every handler: format ours afresh
        # and leave the cache as it was.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, exc_info) -> str:  # noqa: N802 - logging's name
        from django.conf import settings

        if settings.DEBUG:
            return super().formatException(exc_info)
        return _exception_without_text(exc_info)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "path", "status_code"):
            value = getattr(record, name, "")
            if value:
                entry[name] = value
        if record.exc_info:
            # The traceback's frames and exception type, not the exception's text: a validation
            # error's message can quote what the user typed.
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__ if exc_type else ""
            entry["stack"] = "".join(traceback.format_tb(tb))
        return json.dumps(entry, ensure_ascii=False)
