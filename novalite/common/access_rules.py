"""Application credential access rules, checked as keystonemiddleware checks them: a
token that carries rules may call only a ``method`` + ``path`` of a ``service`` type
that one of them names. In a rule's path ``*`` (or ``{name}``) is one path segment and
``**`` any number of them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

_TOKEN = re.compile(r"(?P<tag>\{[^}]*\})|(?P<wild>\*(?=$|[^*]))|(?P<recursive>\*\*)"
                    r"|(?P<literal>[^{}*])")


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    regex = ""
    for match in _TOKEN.finditer(pattern):
        if match["tag"] or match["wild"]:
            regex += r"[^/]+"
        elif match["recursive"]:
            regex += ".*"
        else:
            regex += re.escape(match["literal"])
    return re.compile(f"^{regex}$")


def path_matches(path: str, pattern: str) -> bool:
    return _compile(pattern).match(path) is not None


def allows(rules: Iterable[Mapping[str, str]], service: str, method: str, path: str) -> bool:
    """Whether one of ``rules`` lets a token call ``method path`` on ``service``."""
    return any(rule.get("service") == service and rule.get("method") == method
               and path_matches(path, rule.get("path", "")) for rule in rules)
