"""First-start set-up of a cloud: identity (users, roles, catalog), the default flavors and
the shared default network."""

from __future__ import annotations

import secrets

from novalite.conf import CONF
from novalite.services import HTTP_APIS


def catalog_endpoints() -> dict[str, tuple[str, str, str]]:
    """service type → (service name, public URL, internal URL) for every API this cloud
    runs except identity, which registers itself (and each alias of an API: the volume
    API is both ``volumev3`` and ``block-storage``)."""
    endpoints: dict[str, tuple[str, str, str]] = {}
    for api in HTTP_APIS:
        if api.service_type == "identity":
            continue
        for service_type, name in ((api.service_type, api.catalog_name), *api.aliases):
            endpoints[service_type] = (name, api.public_url(), api.public_url())
    return endpoints


def bootstrap_cloud(admin_password: str, demo_password: str | None = None) -> None:
    """Idempotent: safe on every start; creates only what is missing. The compute nodes'
    service user ``[neutron] username`` is made when ``[neutron] password`` is set."""
    from novalite.identity import bootstrap as identity_bootstrap

    service_users = ({CONF.neutron.username: CONF.neutron.password}
                     if CONF.neutron.password else {})
    identity_bootstrap.bootstrap(
        admin_password, demo_password=demo_password or secrets.token_urlsafe(16),
        public_url_host=CONF.public_host, region=CONF.identity.region,
        endpoints=catalog_endpoints(), service_users=service_users)
    from novalite.db import flavors

    flavors.ensure_default_flavors()
    ensure_default_network()


def ensure_default_network() -> None:
    """The shared network of ``[network] default_network_name``, owned by the admin
    project (what ``--nic auto`` finds)."""
    import sqlalchemy as sa

    from novalite.db import api as db_api
    from novalite.identity import models as identity_models
    from novalite.network import bootstrap as network_bootstrap

    with db_api.session_scope() as session:
        admin_project = session.scalar(sa.select(identity_models.Project.id).where(
            identity_models.Project.domain_id == "default",
            identity_models.Project.name == "admin"))
    if admin_project is not None:
        network_bootstrap.ensure_default_network(admin_project)
