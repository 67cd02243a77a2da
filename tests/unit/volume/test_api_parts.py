"""The volume API's path handling, faults and microversions, without a server."""

from __future__ import annotations

import pytest

from novalite.common import exception
from novalite.volume.api import _split, common, is_public, microversions


def test_paths_with_and_without_a_project():
    assert _split("/v3/abc/volumes/detail") == ("abc", "/volumes/detail")
    assert _split("/v3/volumes/detail") == (None, "/volumes/detail")
    assert _split("/v3/abc") == ("abc", "")
    assert _split("/v3/") == (None, "/")
    assert _split("/v2/abc/volumes") is None
    assert is_public("/v3/") and is_public("/v3/abc") and is_public("/")
    assert not is_public("/v3/volumes") and not is_public("/v3/abc/volumes")


def test_fault_bodies():
    assert common.fault_body(404, "x") == {"itemNotFound": {"code": 404, "message": "x"}}
    assert common.fault_body(413, "y") == {"overLimit": {"code": 413, "message": "y",
                                                         "retryAfter": "0"}}
    assert common.fault_body(406, "z") == {"computeFault": {"code": 406, "message": "z"}}


@pytest.mark.parametrize("header,expected", [
    (None, "3.0"), ("volume 3.44", "3.44"), ("volume latest", "3.71"),
    ("compute 2.90, volume 3.27", "3.27"), ("compute 2.90", "3.0")])
def test_microversion_header(header, expected):
    environ = {"HTTP_OPENSTACK_API_VERSION": header} if header else {}
    assert str(microversions.negotiate(environ)) == expected


def test_microversion_errors():
    with pytest.raises(exception.NotAcceptable, match="maximum is 3.71"):
        microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "volume 3.72"})
    with pytest.raises(exception.Invalid, match="invalid format"):
        microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "volume 3.x"})
