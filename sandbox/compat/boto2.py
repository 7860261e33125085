"""boto 2.49's FPS client on Python 3.11, patched at import (the installed package is
never edited).

boto.fps.connection is Python 2 code in three places: `kw.has_key` (gone from dict),
`len(filter(...))` (filter is lazy now) and `urllib.quote` (moved to urllib.parse). We load
its source, replace `.has_key` with `.__contains__`, and run it in a namespace where `filter`
returns a list and `urllib.quote` exists. Everything else (signing, HTTP, XML parsing) is
boto's own code.
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
import types
import urllib.parse
from pathlib import Path


def load_fps_connection() -> types.ModuleType:
    """boto.fps.connection, importable and working on Python 3."""
    name = "boto.fps.connection"
    if getattr(sys.modules.get(name), "_py3_compat", False):
        return sys.modules[name]
    import boto.fps  # noqa: F401  (the package itself imports fine)

    spec = importlib.util.find_spec(name)
    source = Path(spec.origin).read_text(encoding="utf-8")
    patched = source.replace(".has_key", ".__contains__")
    assert patched.count(".__contains__") == 2, "boto changed: review the compatibility patch"
    module = types.ModuleType(name)
    module.__file__ = spec.origin
    module.__package__ = "boto.fps"
    module.filter = lambda func, items: list(builtins.filter(func, items))
    module._py3_compat = True
    exec(compile(patched, spec.origin, "exec"), module.__dict__)  # noqa: S102 - boto's own source
    module.urllib = types.SimpleNamespace(quote=urllib.parse.quote)  # after the module's `import urllib`
    sys.modules[name] = module
    sys.modules["boto.fps"].connection = module
    return module


def connect(host: str, port: int, key: str, secret: str):
    """An FPSConnection pointed at the sandbox over plain HTTP."""
    conn_mod = load_fps_connection()
    return conn_mod.FPSConnection(aws_access_key_id=key, aws_secret_access_key=secret, host=host, port=port,
                                  is_secure=False)
