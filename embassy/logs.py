"""Log records as one JSON object per line, for a log collector to read without parsing text."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

# The id of the request being answered, if any: RequestIdFilter gives it to every record logged
# while answering it, so that an error can be joined to the request line that reports its 500.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)

# What every LogRecord has; anything else on a record came from `extra=` and becomes a key.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class RequestIdFilter(logging.Filter):
    """Give every record logged while a request is answered the id of that request."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx or 5xx answer (django.request) once the middleware have returned:
        # the id is then found on the request it passes along.
        request_id = current_request_id.get() or getattr(
            getattr(record, "request", None), "request_id", None
        )
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON, with the fields passed in `extra` as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (name, value)
            for name, value in vars(record).items()
            if name not in _RECORD_ATTRIBUTES and not name.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: Django passes objects in `extra` (the request, with its 500s).
        return json.dumps(entry, default=str)
