"""Input schemas of the API: every string a client sends is bounded (issue 17).

A body schema derives from `InputSchema`, so any `str` field without its own `max_length` is
capped at `TEXT_MAX` characters (long free text: notes, reasons, comments); a field the
database holds in a shorter column declares its own, smaller `max_length`. A longer value is
refused with 422 naming the field ("String should have at most ... characters"), never stored
or passed to the database. `tests/test_input_bounds.py` walks every operation's body and fails
on an unbounded string.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict

from oncocenter.core.limits import TEXT_MAX


class InputSchema(Schema):
    model_config = ConfigDict(str_max_length=TEXT_MAX)
