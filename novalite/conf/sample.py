"""Renders the commented sample configuration (``novalite-manage config sample``)."""

from __future__ import annotations

import io

from oslo_config import generator

NAMESPACES = ["novalite", "oslo.messaging", "oslo.policy"]


def render() -> str:
    conf = generator.cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(["--summarize", "--wrap-width", "79"] + [
        arg for namespace in NAMESPACES for arg in ("--namespace", namespace)])
    output = io.StringIO()
    generator.generate(conf, output_file=output)
    return output.getvalue()
