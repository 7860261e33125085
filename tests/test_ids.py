"""Identifiers have FPS's shapes, are unique, and are reproducible with a seed."""

import re
import time
import uuid

from conftest import in_forked_child
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


def test_unseeded_ids_sort_in_the_order_they_were_made():
    """The time comes first (then randomness): a transaction id and a RequestId made later sort later, so new
    rows land on the last page of their indexes; a RequestId is still a version-4 UUID, as FPS's are."""
    ids = IdGenerator()
    txns, requests = [], []
    for _ in range(5):
        txns.append(ids.transaction_id())
        requests.append(ids.request_id())
        time.sleep(0.002)
    assert txns == sorted(txns) and requests == sorted(requests)
    assert len(set(txns)) == len(set(requests)) == 5
    assert all(re.fullmatch(r"14[A-Z0-9]{33}", t) for t in txns)
    assert all(uuid.UUID(r).version == 4 and uuid.UUID(r).variant == uuid.RFC_4122 for r in requests)
    now = IdGenerator().transaction_id()  # the same millisecond's ids share their prefix; the rest is random
    assert now[:6] == ids.transaction_id()[:6] and len({IdGenerator().transaction_id()[10:] for _ in range(50)}) == 50


def test_ids_that_only_name_something_differ_between_forked_workers():
    """RequestIds and transaction ids come from a generator each process seeds from the OS (tokens and
    secrets straight from the OS): a gunicorn worker forked from the same parent does not repeat its
    sibling's ids."""
    ids = IdGenerator()
    child = in_forked_child(lambda: f"{ids.request_id()} {ids.transaction_id()}").split()
    mine = [ids.request_id(), ids.transaction_id()]
    assert child[0][14:] != mine[0][14:] and child[1][10:] != mine[1][10:]  # the random parts, after the time
