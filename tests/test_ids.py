"""Identifiers have FPS's shapes, are unique, and are reproducible with a seed."""

import re

from sandbox.domain.ids import IdGenerator


def test_shapes_and_uniqueness():
    ids = IdGenerator()
    tokens = {ids.token_id() for _ in range(2000)}
    txns = {ids.transaction_id() for _ in range(2000)}
    assert len(tokens) == 2000 and len(txns) == 2000
    assert all(re.fullmatch(r"[A-Z0-9]{64}", t) for t in tokens)
    assert all(re.fullmatch(r"14[A-Z0-9]{33}", t) for t in txns)
    assert {c for t in tokens for c in t} == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # every character used


def test_seeded_ids_repeat():
    a, b = IdGenerator(42), IdGenerator(42)
    assert [a.token_id(), a.transaction_id(), a.request_id()] == [b.token_id(), b.transaction_id(), b.request_id()]
    assert IdGenerator(1).token_id() != IdGenerator(2).token_id()
