"""Request bodies: the nesting limit counts brackets outside strings only."""

from __future__ import annotations

import pytest

from novalite.common import exception, wsgi


def test_nesting_limit():
    limit = wsgi.MAX_JSON_DEPTH
    assert wsgi.parse_json(b"[" * limit + b"]" * limit)
    assert wsgi.parse_json('{"a": "' + "[{" * 1000 + '"}') == {"a": "[{" * 1000}
    assert wsgi.parse_json(b'["\\"[[[[", ' + b"[]," * 500 + b"[]]")
    with pytest.raises(exception.Invalid, match="nested deeper"):
        wsgi.parse_json(b'{"a":' * (limit + 1) + b"1" + b"}" * (limit + 1))
    with pytest.raises(exception.Invalid, match="Malformed"):
        wsgi.parse_json(b"[1,")
