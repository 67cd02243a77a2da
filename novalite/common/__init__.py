"""Pieces every service shares: context, errors, RPC, service runner, WSGI helpers."""
