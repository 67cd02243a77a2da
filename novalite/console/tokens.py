"""The proxies' check of a console token: through the conductor (which asks the
compute node whether the console still listens where the token says).

Only the SHA-256 of the token leaves the proxy, so neither the message bus nor any
log it may write sees a usable token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from novalite.common import exception
from novalite.common.context import get_admin_context
from novalite.conductor.rpcapi import ConductorAPI
from novalite.objects import ConsoleAuthToken
from novalite.objects.console_auth_token import hash_token


class TokenChecker:
    def __init__(self, conductor: ConductorAPI | None = None) -> None:
        self._conductor = conductor

    @property
    def conductor(self) -> ConductorAPI:
        if self._conductor is None:
            self._conductor = ConductorAPI()
        return self._conductor

    def check_sync(self, token: str, console_types: Collection[str]) -> ConsoleAuthToken:
        if not token:
            raise exception.InvalidToken()
        found = self.conductor.console_auth_token_validate(get_admin_context(),
                                                           hash_token(token))
        if found.console_type not in console_types:
            raise exception.InvalidToken()
        return found

    async def check(self, token: str, console_types: Collection[str]) -> ConsoleAuthToken:
        """The token's connection, or ``InvalidToken`` (RPC runs in a worker thread)."""
        return await asyncio.get_running_loop().run_in_executor(
            None, self.check_sync, token, console_types)
