"""Default policy rules of the identity API (Keystone's names, novalite's check strings).

Admin does every write; a user may read itself, list its own projects and check
or revoke its own tokens; a project member may read its project.
"""

from __future__ import annotations

from oslo_policy import policy

from novalite.common.policy import ADMIN, ANY_AUTHENTICATED

ADMIN_OR_SELF = f"{ADMIN} or user_id:%(user_id)s"
ADMIN_OR_SERVICE_OR_OWNER = f"{ADMIN} or role:service or user_id:%(user_id)s"
ADMIN_OR_IN_PROJECT = f"{ADMIN} or project_id:%(project_id)s"
ADMIN_OR_IN_DOMAIN = (f"{ADMIN} or domain_id:%(domain_id)s "
                      "or project_domain_id:%(domain_id)s")


def _rule(name: str, check: str, description: str) -> policy.RuleDefault:
    return policy.RuleDefault(f"identity:{name}", check, description=description)


def list_rules() -> list[policy.RuleDefault]:
    rules = [
        _rule("validate_token", ADMIN_OR_SERVICE_OR_OWNER, "Validate a token."),
        _rule("revoke_token", ADMIN_OR_SERVICE_OR_OWNER, "Revoke a token."),
        _rule("get_auth_catalog", ANY_AUTHENTICATED, "The catalog of the caller's token."),
        _rule("get_auth_projects", ANY_AUTHENTICATED, "Projects the caller may scope to."),
        _rule("get_auth_domains", ANY_AUTHENTICATED, "Domains the caller may scope to."),
        _rule("get_auth_system", ANY_AUTHENTICATED, "Whether the caller may scope to the "
              "system."),
        _rule("list_groups_for_user", ADMIN_OR_SELF, "List a user's groups."),
        _rule("list_registered_limits", ANY_AUTHENTICATED, "List registered limits."),
        _rule("get_registered_limit", ANY_AUTHENTICATED, "Show a registered limit."),
        _rule("get_limit_model", ANY_AUTHENTICATED, "Show the limit enforcement model."),
        _rule("list_limits", ANY_AUTHENTICATED, "List limits (non-admins: their "
              "project's)."),
        _rule("get_limit", f"{ADMIN} or project_id:%(project_id)s",
              "Show a limit (admin, or of the caller's project)."),
        _rule("create_application_credential", "user_id:%(user_id)s",
              "Create an application credential for oneself."),
        _rule("list_credentials", ANY_AUTHENTICATED,
              "List credentials (non-admins see their own)."),
        *(_rule(action, ADMIN_OR_SELF, f"{action.replace('_', ' ').capitalize()} "
                "(admin, or the user's own).")
          for action in ("list_application_credentials", "get_application_credential",
                         "delete_application_credential", "list_access_rules",
                         "get_access_rule", "delete_access_rule", "create_credential",
                         "get_credential", "update_credential", "delete_credential",
                         "ec2_create_credential", "ec2_list_credentials",
                         "ec2_get_credential", "ec2_delete_credential")),
        _rule("get_project_tags", ADMIN_OR_IN_PROJECT, "List a project's tags."),
        _rule("get_project_tag", ADMIN_OR_IN_PROJECT, "Check a project's tag."),
        _rule("get_domain", ADMIN_OR_IN_DOMAIN, "Show a domain."),
        _rule("get_project", ADMIN_OR_IN_PROJECT, "Show a project."),
        _rule("get_user", ADMIN_OR_SELF, "Show a user."),
        _rule("list_user_projects", ADMIN_OR_SELF, "List a user's projects."),
        _rule("list_role_assignments", f"{ADMIN} or user_id:%(user_id)s",
              "List role assignments (non-admins: filtered on themselves)."),
    ]
    for action in ("list_domains", "create_domain", "update_domain", "delete_domain",
                   "list_projects", "create_project", "update_project", "delete_project",
                   "list_users", "create_user", "update_user", "delete_user",
                   "list_roles", "get_role", "create_role", "update_role", "delete_role",
                   "list_implied_roles",
                   "create_grant", "revoke_grant", "check_grant", "list_grants",
                   "create_implied_role", "get_implied_role", "check_implied_role",
                   "delete_implied_role", "list_role_inference_rules",
                   "list_groups", "get_group", "create_group", "update_group",
                   "delete_group", "list_users_in_group", "add_user_to_group",
                   "check_user_in_group", "remove_user_from_group",
                   "update_project_tags", "delete_project_tags", "create_project_tag",
                   "delete_project_tag",
                   *(f"{verb}_system_grant{suffix}_for_{actor}"
                     for verb, suffix in (("create", ""), ("check", ""), ("revoke", ""),
                                          ("list", "s"))
                     for actor in ("user", "group")),
                   "list_services", "get_service", "create_service", "update_service",
                   "delete_service",
                   "list_endpoints", "get_endpoint", "create_endpoint", "update_endpoint",
                   "delete_endpoint",
                   "list_regions", "get_region", "create_region", "update_region",
                   "delete_region",
                   "list_policies", "get_policy", "create_policy", "update_policy",
                   "delete_policy",
                   "list_endpoint_groups", "get_endpoint_group", "create_endpoint_group",
                   "update_endpoint_group", "delete_endpoint_group",
                   "list_endpoints_associated_with_endpoint_group",
                   "list_projects_associated_with_endpoint_group",
                   "add_endpoint_group_to_project", "get_endpoint_group_in_project",
                   "remove_endpoint_group_from_project", "list_endpoint_groups_for_project",
                   "list_endpoints_for_project", "add_endpoint_to_project",
                   "check_endpoint_in_project", "remove_endpoint_from_project",
                   "list_projects_for_endpoint",
                   "create_registered_limits", "update_registered_limit",
                   "delete_registered_limit", "create_limits", "update_limit",
                   "delete_limit"):
        rules.append(_rule(action, ADMIN, f"Admin only: {action.replace('_', ' ')}."))
    return rules
