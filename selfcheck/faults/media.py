"""The media type of the request being answered, for faults that show in one media type only.

Such a fault takes :class:`MediaAware` as its parser and reads :data:`MEDIA`; the mock's components
are not told the media type, and each request is answered in its own task, so a context variable
carries it from the parser to the component the fault overrides.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from oauth2_token_contract.mock.parsing import RequestParser

__all__ = ["MEDIA", "MediaAware"]

MEDIA: ContextVar[str] = ContextVar("media", default="")


class MediaAware(RequestParser):
    """Notes the media type of the request being answered (each request is its own task)."""

    def parse(self, content_type: bytes | None, body: bytes) -> dict[str, Any]:
        MEDIA.set("json" if content_type and b"json" in content_type.lower() else "form")
        return super().parse(content_type, body)
