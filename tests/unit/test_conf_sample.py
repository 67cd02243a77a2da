"""docs/novalite.conf.sample is what `novalite-manage config sample` writes today: an
option added without regenerating it fails here."""

from pathlib import Path

from novalite.conf import sample

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "novalite.conf.sample"


def test_the_sample_config_is_current() -> None:
    assert SAMPLE.read_text() == sample.render(), (
        "regenerate it: novalite-manage config sample --output-file docs/novalite.conf.sample")
