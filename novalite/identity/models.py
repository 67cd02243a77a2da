"""Identity tables: domains, projects, users, groups, roles, assignments, catalog, revocations,
application credentials, credentials, unified limits and policy blobs."""

from __future__ import annotations

import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from novalite.db.base import Base, TimestampMixin, utcnow


class Domain(TimestampMixin, Base):
    __tablename__ = "identity_domains"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Project(TimestampMixin, Base):
    __tablename__ = "identity_projects"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"))
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[str | None] = mapped_column(String(64))
    # keys of a project body Keystone does not know, stored (JSON text) and returned as given
    extra: Mapped[str | None] = mapped_column(Text)


class User(TimestampMixin, Base):
    __tablename__ = "identity_users"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    default_project_id: Mapped[str | None] = mapped_column(String(64))


NULL_DOMAIN = "<<null>>"  # a global role's domain_id, as Keystone stores it


class Role(TimestampMixin, Base):
    """Role names are unique per domain; global roles have ``NULL_DOMAIN``."""

    __tablename__ = "identity_roles"
    __table_args__ = (UniqueConstraint("name", "domain_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default=NULL_DOMAIN,
                                           server_default=NULL_DOMAIN)
    description: Mapped[str | None] = mapped_column(Text)


class ImpliedRole(Base):
    """``prior`` implies ``implied``: admin → member → reader, as Keystone bootstraps."""

    __tablename__ = "identity_implied_roles"

    prior_role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True)
    implied_role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True)


class RoleAssignment(Base):
    """A user holds a role on a project or on a domain (``target_type``)."""

    __tablename__ = "identity_role_assignments"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True)


class Group(TimestampMixin, Base):
    __tablename__ = "identity_groups"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ForeignKey("identity_domains.id"))
    description: Mapped[str | None] = mapped_column(Text)


class GroupMembership(Base):
    __tablename__ = "identity_group_memberships"
    __table_args__ = (Index("ix_group_memberships_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(
        ForeignKey("identity_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"), primary_key=True)


class GroupRoleAssignment(Base):
    """A group holds a role on a project, a domain or the system (``target_type``); its
    members hold it through the group."""

    __tablename__ = "identity_group_role_assignments"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("identity_groups.id", ondelete="CASCADE"), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True)


class ProjectTag(Base):
    __tablename__ = "identity_project_tags"

    project_id: Mapped[str] = mapped_column(
        ForeignKey("identity_projects.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)


class Region(Base):
    __tablename__ = "identity_regions"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    parent_region_id: Mapped[str | None] = mapped_column(String(255))


class CatalogService(Base):
    __tablename__ = "identity_catalog_services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Endpoint(Base):
    __tablename__ = "identity_endpoints"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("identity_catalog_services.id", ondelete="CASCADE"))
    interface: Mapped[str] = mapped_column(String(8))
    region_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class EndpointGroup(Base):
    """OS-EP-FILTER: a saved endpoint filter (``filters`` is JSON text) projects see."""

    __tablename__ = "identity_endpoint_groups"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    filters: Mapped[str] = mapped_column(Text)


class ProjectEndpointGroup(Base):
    __tablename__ = "identity_project_endpoint_groups"

    endpoint_group_id: Mapped[str] = mapped_column(
        ForeignKey("identity_endpoint_groups.id", ondelete="CASCADE",
                   name="fk_identity_project_endpoint_groups_group"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class ProjectEndpoint(Base):
    __tablename__ = "identity_project_endpoints"

    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("identity_endpoints.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Policy(Base):
    """A stored policy blob (``/v3/policies``), kept as Keystone keeps them: opaque."""

    __tablename__ = "identity_policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    blob: Mapped[str] = mapped_column(Text)
    extra: Mapped[str | None] = mapped_column(Text)


class ApplicationCredential(Base):
    """A user's delegation to an application: a secret (hashed) that authenticates as the
    user on one project, with a subset of its roles and optional access rules."""

    __tablename__ = "identity_application_credentials"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    unrestricted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class ApplicationCredentialRole(Base):
    __tablename__ = "identity_application_credential_roles"

    application_credential_id: Mapped[str] = mapped_column(
        ForeignKey("identity_application_credentials.id", ondelete="CASCADE",
                   name="fk_identity_app_cred_roles_app_cred"), primary_key=True)
    role_id: Mapped[str] = mapped_column(
        ForeignKey("identity_roles.id", ondelete="CASCADE",
                   name="fk_identity_app_cred_roles_role"), primary_key=True)


class AccessRule(Base):
    """What an application credential's tokens may call: service type, method, path
    (``*`` one segment, ``**`` any)."""

    __tablename__ = "identity_access_rules"
    __table_args__ = (UniqueConstraint("user_id", "service", "path", "method"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(16))


class ApplicationCredentialAccessRule(Base):
    __tablename__ = "identity_application_credential_access_rules"

    application_credential_id: Mapped[str] = mapped_column(
        ForeignKey("identity_application_credentials.id", ondelete="CASCADE",
                   name="fk_identity_app_cred_rules_app_cred"), primary_key=True)
    access_rule_id: Mapped[str] = mapped_column(
        ForeignKey("identity_access_rules.id", name="fk_identity_app_cred_rules_rule"),
        primary_key=True)


class Credential(Base):
    """A stored credential (``/v3/credentials``): an opaque ``blob``; EC2 ones hold the
    access and secret keys and are found by the access key's hash."""

    __tablename__ = "identity_credentials"
    __table_args__ = (Index("ix_identity_credentials_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("identity_users.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(255))
    blob: Mapped[str] = mapped_column(Text)
    extra: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class RegisteredLimit(Base):
    """A resource's default limit for every project (unified limits)."""

    __tablename__ = "identity_registered_limits"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("identity_catalog_services.id", ondelete="CASCADE",
                   name="fk_identity_registered_limits_service"))
    region_id: Mapped[str | None] = mapped_column(String(255))
    resource_name: Mapped[str] = mapped_column(String(255))
    default_limit: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)


class Limit(Base):
    """A project's (or domain's) own limit of a registered resource."""

    __tablename__ = "identity_limits"
    __table_args__ = (Index("ix_identity_limits_project", "project_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registered_limit_id: Mapped[str] = mapped_column(
        ForeignKey("identity_registered_limits.id", name="fk_identity_limits_registered"))
    project_id: Mapped[str | None] = mapped_column(String(64))
    domain_id: Mapped[str | None] = mapped_column(String(64))
    resource_limit: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)


# Revocation times are compared with token issue times to the microsecond; MariaDB's
# plain DATETIME would drop the fraction.
PreciseDateTime = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class RevocationEvent(Base):
    """A revoked token (by audit id) or every token of a user issued before a time."""

    __tablename__ = "identity_revocation_events"
    __table_args__ = (Index("ix_revocation_audit", "audit_id"),
                      Index("ix_revocation_user", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(64))
    project_id: Mapped[str | None] = mapped_column(String(64))
    issued_before: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    revoked_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
