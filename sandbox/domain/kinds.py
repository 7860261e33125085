"""The one table of instrument kinds (domain/instrument_kind.py), and the look-ups shared code uses
instead of branching on the kind."""

from __future__ import annotations

from .instrument_kind import InstrumentKind
from .postpaid import CREDIT
from .prepaid import PREPAID

KINDS: dict[str, InstrumentKind] = {kind.name: kind for kind in (PREPAID, CREDIT)}
BY_PIPELINE = {kind.pipeline: kind for kind in KINDS.values()}
BY_SENDER_ROLE = {kind.sender_role: kind for kind in KINDS.values()}
BY_COLLECT_OPERATION = {kind.collect_operation: kind for kind in KINDS.values()}


def of(kind_name: str) -> InstrumentKind:
    """The kind of an instrument row (Instrument.kind)."""
    return KINDS[kind_name]
