"""Questions the radiotherapy app asks higher apps.

``COURSE_SECTIONS``: blocks on the RT course page that a higher app fills (systemic therapy shows
the concurrent chemotherapy days, held doses included, to the radiation oncologist). A provider
takes ``(request, course)`` and returns ``{"title", "template", "context"}`` or None to stay
hidden."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oncocenter.core.events import Hook

CourseSection = Callable[[Any, Any], dict[str, Any] | None]

COURSE_SECTIONS: Hook[CourseSection] = Hook("radiotherapy.course_sections")
