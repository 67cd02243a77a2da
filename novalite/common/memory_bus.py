"""kombu's in-memory transport (``kombu+memory:////``) without the busy wait.

oslo.messaging sets the memory transport's polling interval to 0 ("to speed up
tests"), so every consumer thread of every in-process service spins on an empty
queue and the GIL goes to the spinning instead of the work. This subclass keeps
kombu's transport and its shared broker state but never polls more often than
``MIN_POLLING_INTERVAL``: a hop waits at most that long, and idle services cost
next to nothing. ``install()`` points kombu's ``memory`` alias at it.
"""

from __future__ import annotations

from kombu import transport as kombu_transport
from kombu.transport import memory

MIN_POLLING_INTERVAL = 0.002


class Transport(memory.Transport):
    _polling_interval: float = MIN_POLLING_INTERVAL

    @property
    def polling_interval(self) -> float:
        return self._polling_interval

    @polling_interval.setter
    def polling_interval(self, value: float | None) -> None:
        self._polling_interval = max(value or 0.0, MIN_POLLING_INTERVAL)


def install() -> None:
    kombu_transport.TRANSPORT_ALIASES["memory"] = f"{__name__}:Transport"
