"""ImagePropertiesFilter: only hosts that can run the image's architecture, hypervisor
type and VM mode (``hw_architecture``, ``img_hv_type``, ``hw_vm_mode``).

A host advertises ``supported_instances`` as [architecture, hypervisor_type, vm_mode]
triples. An image that asks for none of the three runs anywhere; one that asks for
some runs on a host with a triple matching each property it asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from novalite.scheduler.filters import BaseHostFilter
from novalite.scheduler.host_state import HostState

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "i386": "i686", "i486": "i686",
                 "i586": "i686", "x86_32": "i686", "x86": "i686", "arm64": "aarch64"}
_HV_ALIASES = {"xapi": "xen"}
_VM_MODE_ALIASES = {"hv": "hvm", "pv": "xen", "baremetal": "hvm"}


def _canonical(value: object, aliases: Mapping[str, str]) -> str | None:
    if not value:
        return None
    text = str(value).lower()
    return aliases.get(text, text)


class ImagePropertiesFilter(BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        properties = (request_spec.get("image") or {}).get("properties") or {}
        wanted = (_canonical(properties.get("hw_architecture"), _ARCH_ALIASES),
                  _canonical(properties.get("img_hv_type"), _HV_ALIASES),
                  _canonical(properties.get("hw_vm_mode"), _VM_MODE_ALIASES))
        if not any(wanted):
            return True
        for supported in host_state.supported_instances:
            offered = (_canonical(supported[0] if len(supported) > 0 else None, _ARCH_ALIASES),
                       _canonical(supported[1] if len(supported) > 1 else None, _HV_ALIASES),
                       _canonical(supported[2] if len(supported) > 2 else None,
                                  _VM_MODE_ALIASES))
            if all(want is None or want == have for want, have in zip(wanted, offered,
                                                                       strict=True)):
                return True
        return False
