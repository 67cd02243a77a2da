"""First-start content of identity, as ``keystone-manage bootstrap`` plus a demo project.

Idempotent: run at every start, it creates what is missing and leaves the rest
(it resets the admin password, and the demo one when given, if they changed).

``endpoints`` maps a service type to ``(service_name, public_url, internal_url)``;
the admin interface gets the internal URL. Example::

    {"compute": ("nova", "http://127.0.0.1:8774/v2.1", "http://127.0.0.1:8774/v2.1"),
     "volumev3": ("cinderv3", "http://127.0.0.1:8776/v3/%(project_id)s", ...)}
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.identity import cache, fernet, models, passwords

LOG = logging.getLogger(__name__)

DEFAULT_DOMAIN_ID = "default"
# Keystone's default roles: each of the chain implies the next (admin => manager =>
# member => reader); "service" is for the service users and implies nothing.
ROLE_CHAIN = ("admin", "manager", "member", "reader")
SERVICE_ROLE = "service"


def _new_id() -> str:
    return uuid.uuid4().hex


def _role(session: Session, name: str) -> models.Role:
    role = session.scalars(select(models.Role).filter_by(
        name=name, domain_id=models.NULL_DOMAIN)).first()
    if role is None:
        role = models.Role(id=_new_id(), name=name)
        session.add(role)
        session.flush()
    return role


def _project(session: Session, name: str, description: str) -> models.Project:
    project = session.scalars(select(models.Project).filter_by(
        domain_id=DEFAULT_DOMAIN_ID, name=name)).first()
    if project is None:
        project = models.Project(id=_new_id(), name=name, domain_id=DEFAULT_DOMAIN_ID,
                                 description=description, enabled=True)
        session.add(project)
        session.flush()
    return project


def _user(session: Session, name: str, password: str | None) -> models.User:
    user = session.scalars(select(models.User).filter_by(
        domain_id=DEFAULT_DOMAIN_ID, name=name)).first()
    if user is None:
        user = models.User(id=_new_id(), name=name, domain_id=DEFAULT_DOMAIN_ID, enabled=True,
                           password_hash=passwords.hash_password(password) if password else None)
        session.add(user)
        session.flush()
    elif password is not None and not passwords.verify(user.password_hash, password):
        user.password_hash = passwords.hash_password(password)
    return user


def _grant(session: Session, user: models.User, target_type: str, target_id: str,
           role: models.Role) -> None:
    key = {"user_id": user.id, "target_type": target_type, "target_id": target_id,
           "role_id": role.id}
    if session.get(models.RoleAssignment, key) is None:
        session.add(models.RoleAssignment(**key))


def _register(session: Session, service_type: str, name: str, urls: dict[str, str],
              region: str) -> str:
    if session.get(models.Region, region) is None:
        session.add(models.Region(id=region))
    service = session.scalars(select(models.CatalogService).filter_by(
        type=service_type)).first()
    if service is None:
        service = models.CatalogService(id=_new_id(), type=service_type, name=name,
                                        enabled=True)
        session.add(service)
        session.flush()
    service.name = name
    session.execute(delete(models.Endpoint).where(models.Endpoint.service_id == service.id,
                                                  models.Endpoint.region_id == region))
    for interface, url in urls.items():
        session.add(models.Endpoint(id=_new_id(), service_id=service.id, interface=interface,
                                    region_id=region, url=url, enabled=True))
    return service.id


def register_service(service_type: str, name: str, public_url: str,
                     internal_url: str | None = None, admin_url: str | None = None,
                     region: str = "RegionOne") -> str:
    """(Re)register one service's public/internal/admin endpoints; returns the service id.

    The service of that type is created if missing; its endpoints in ``region`` are
    replaced. ``internal_url`` defaults to ``public_url``, ``admin_url`` to the
    internal one. URLs may hold ``%(project_id)s`` or ``$(project_id)s``.
    """
    internal = internal_url or public_url
    urls = {"public": public_url, "internal": internal, "admin": admin_url or internal}
    with db_api.session_scope() as session:
        service_id = _register(session, service_type, name, urls, region)
    cache.invalidate()
    return service_id


def bootstrap(admin_password: str, public_url_host: str = "127.0.0.1",
              region: str = "RegionOne",
              endpoints: dict[str, tuple[str, str, str]] | None = None,
              demo_password: str | None = None,
              service_users: dict[str, str] | None = None) -> None:
    """Create the default domain, roles (admin, manager, member, reader, service),
    admin/service/demo projects, users and catalog; ``service_users`` (name → password)
    get the admin and service roles on the service project."""
    fernet.setup_keys()
    with db_api.session_scope() as session:
        if session.get(models.Domain, DEFAULT_DOMAIN_ID) is None:
            session.add(models.Domain(id=DEFAULT_DOMAIN_ID, name="Default",
                                      description="The default domain", enabled=True))
            session.flush()
        roles = {name: _role(session, name) for name in (*ROLE_CHAIN, SERVICE_ROLE)}
        for prior, implied in zip(ROLE_CHAIN, ROLE_CHAIN[1:], strict=False):
            key = {"prior_role_id": roles[prior].id, "implied_role_id": roles[implied].id}
            if session.get(models.ImpliedRole, key) is None:
                session.add(models.ImpliedRole(**key))
        # admin => member came before manager existed; Keystone's bootstrap drops it too
        session.execute(delete(models.ImpliedRole).where(
            models.ImpliedRole.prior_role_id == roles["admin"].id,
            models.ImpliedRole.implied_role_id == roles["member"].id))
        admin_project = _project(session, "admin", "Bootstrap project for the admin user")
        service_project = _project(session, "service", "Project of the service users")
        for name, password in (service_users or {}).items():
            service_user = _user(session, name, password)
            for role_name in ("admin", SERVICE_ROLE):
                _grant(session, service_user, "project", service_project.id, roles[role_name])
        demo_project = _project(session, "demo", "Demo project")
        admin = _user(session, "admin", admin_password)
        _grant(session, admin, "project", admin_project.id, roles["admin"])
        _grant(session, admin, "system", "all", roles["admin"])
        demo = _user(session, "demo", demo_password)
        _grant(session, demo, "project", demo_project.id, roles["member"])
        identity_url = f"http://{public_url_host}:{CONF.identity.listen_port}/v3"
        _register(session, "identity", "keystone",
                  {"public": identity_url, "internal": identity_url, "admin": identity_url},
                  region)
        for service_type, (name, public_url, internal_url) in (endpoints or {}).items():
            _register(session, service_type, name,
                      {"public": public_url, "internal": internal_url, "admin": internal_url},
                      region)
    cache.invalidate()
    LOG.info("Identity bootstrapped: domain Default, projects admin/service/demo")
