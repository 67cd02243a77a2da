"""What a create names, resolved to what it is: the flavor, the image, the networks and
the availability zone, one method each (below the REST layer, above the services).

The compute API takes a ``Resolver``; tests that run without an image or network
service give it one that knows their images."""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute import network
from novalite.db import aggregates, flavors, server_groups
from novalite.image.client import ImageClient, properties


class Resolver:
    def flavor(self, ctxt: RequestContext, flavor_ref: str) -> dict[str, Any]:
        """The flavor record a ``flavorRef`` (an id or a link) names; 400 when unknown."""
        flavor_id = str(flavor_ref).rstrip("/").rsplit("/", 1)[-1]
        try:
            return flavors.get(flavor_id, ctxt)
        except exception.FlavorNotFound:
            raise exception.Invalid(message=f"Flavor {flavor_id} could not be found.") from None

    def image(self, ctxt: RequestContext, image_id: str | None) -> dict[str, Any]:
        """The image service's view of the image (with its ``properties``), fetched with the
        user's token; 400 when it is missing, unknown or not active."""
        if not image_id:
            raise exception.Invalid(message="Missing imageRef attribute")
        try:
            found = ImageClient(ctxt).get(image_id)
        except exception.ImageNotFound:
            raise exception.Invalid(message="Can not find requested image") from None
        if found.get("status") != "active":
            raise exception.Invalid(message=f"Image {image_id} is not active.")
        return {**found, "properties": properties(found)}

    def networks(self, ctxt: RequestContext, requested: Any) -> list[dict[str, Any]] | str:
        """``networks`` of a create, checked with the network service (absent below 2.37 and
        ``auto`` both mean: the one network the project may use)."""
        if isinstance(requested, str) and requested not in ("auto", "none"):
            raise exception.ValidationError(
                message=f"Invalid input for field/attribute networks. Value: {requested}. "
                        f"'{requested}' is not one of ['auto', 'none']")
        return network.validate_requested_networks(ctxt, requested)

    def availability_zone(self, zone: str | None) -> str | None:
        """The zone if some compute node is in it (through its host aggregates, else its own
        default zone, ``nova`` unless configured); 400 if not."""
        if not zone:
            return None
        from novalite.placement import client as placement

        host_zones = aggregates.host_zones()
        zones = {host_zones.get(summary["host"]) or summary.get("availability_zone") or "nova"
                 for summary in placement.provider_summaries()}
        if zone not in zones:
            raise exception.Invalid(message="The requested availability zone is not available")
        return zone

    def server_group(self, ctxt: RequestContext, group_id: Any) -> str | None:
        """The uuid of the server group a ``group`` hint names; 400 when there is none
        (another project's group is none, unless the caller is an admin)."""
        if not group_id:
            return None
        try:
            group = server_groups.get(str(group_id))
        except exception.InstanceGroupNotFound as error:
            raise exception.Invalid(message=error.message) from None
        if not ctxt.is_admin and group["project_id"] != ctxt.project_id:
            raise exception.Invalid(
                message=exception.InstanceGroupNotFound(group_uuid=group_id).message)
        return str(group["uuid"])
