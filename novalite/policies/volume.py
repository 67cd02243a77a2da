"""Default policy rules of the volume API (Cinder's rule names and defaults).

Visibility (which volumes a project sees at all) is decided in code, as in Cinder;
these rules say who may act. Targets carry ``project_id`` = the owner of the volume,
snapshot or attachment acted on.
"""

from oslo_policy import policy

from novalite.common.policy import (
    ADMIN,
    ADMIN_OR_PROJECT_MEMBER,
    ADMIN_OR_PROJECT_READER,
    ANY_AUTHENTICATED,
    register_rules,
)

READER = ADMIN_OR_PROJECT_READER
MEMBER = ADMIN_OR_PROJECT_MEMBER

_RULES = [
    ("volume:create", MEMBER, "Create a volume."),
    ("volume:create_from_image", MEMBER, "Create a volume from an image."),
    ("volume:get", READER, "Show a volume."),
    ("volume:get_all", READER, "List volumes or their summary."),
    ("volume:update", MEMBER, "Update a volume (name, description, bootable)."),
    ("volume:delete", MEMBER, "Delete a volume."),
    ("volume:force_delete", ADMIN, "Delete a volume whatever its status."),
    ("volume:extend", MEMBER, "Extend a volume."),
    ("volume:extend_attached_volume", MEMBER, "Extend a volume that is attached."),
    ("volume:update_readonly_flag", MEMBER, "Make a volume read-only or writable."),
    ("volume:get_volume_metadata", READER, "Show a volume's metadata."),
    ("volume:create_volume_metadata", MEMBER, "Add volume metadata."),
    ("volume:update_volume_metadata", MEMBER, "Replace volume metadata."),
    ("volume:delete_volume_metadata", MEMBER, "Delete a volume metadata item."),
    ("volume_extension:volume_actions:reserve", MEMBER, "Reserve a volume (old attach)."),
    ("volume_extension:volume_actions:unreserve", MEMBER, "Unreserve a volume."),
    ("volume_extension:volume_actions:begin_detaching", MEMBER, "Begin a detach."),
    ("volume_extension:volume_actions:roll_detaching", MEMBER, "Roll back a detach."),
    ("volume_extension:volume_actions:upload_image", MEMBER, "Upload a volume to an image."),
    ("volume_extension:volume_actions:upload_public", ADMIN, "Upload as a public image."),
    ("volume_extension:volume_admin_actions:reset_status", ADMIN, "Reset a volume's status."),
    ("volume_extension:volume_admin_actions:force_delete", ADMIN, "Force-delete a volume."),
    ("volume_extension:volume_tenant_attribute", READER, "See a volume's project."),
    ("volume_extension:volume_host_attribute", ADMIN, "See a volume's backend host."),
    ("volume_extension:volume_mig_status_attribute", ADMIN, "See migration attributes."),
    ("volume_extension:volume_image_metadata:show", READER, "See volume image metadata."),
    ("volume_extension:volume_image_metadata:set", MEMBER, "Set volume image metadata."),
    ("volume_extension:volume_image_metadata:remove", MEMBER,
     "Remove volume image metadata."),
    ("volume:attachment_create", MEMBER, "Attach a volume (reserve an attachment)."),
    ("volume:attachment_update", MEMBER, "Connect an attachment to a host."),
    ("volume:attachment_complete", MEMBER, "Mark an attachment attached."),
    ("volume:attachment_delete", MEMBER, "Detach a volume (delete an attachment)."),
    ("volume:attachment_get", READER, "Show an attachment."),
    ("volume:attachment_get_all", READER, "List attachments."),
    ("volume:create_snapshot", MEMBER, "Create a snapshot."),
    ("volume:get_snapshot", READER, "Show a snapshot."),
    ("volume:get_all_snapshots", READER, "List snapshots."),
    ("volume:update_snapshot", MEMBER, "Update a snapshot or its metadata."),
    ("volume:delete_snapshot", MEMBER, "Delete a snapshot."),
    ("volume_extension:extended_snapshot_attributes", READER,
     "See a snapshot's progress and project."),
    ("volume_extension:snapshot_admin_actions:reset_status", ADMIN,
     "Reset a snapshot's status."),
    ("volume_extension:snapshot_admin_actions:force_delete", ADMIN,
     "Force-delete a snapshot."),
    ("volume_extension:type_get_all", ANY_AUTHENTICATED, "List volume types."),
    ("volume_extension:type_get", ANY_AUTHENTICATED, "Show a volume type."),
    ("volume_extension:types_manage", ADMIN, "Create, update and delete volume types."),
    ("volume_extension:access_types_extra_specs", ADMIN, "See volume types' extra specs."),
    ("volume_extension:types_extra_specs:index", ADMIN, "List a type's extra specs."),
    ("volume_extension:types_extra_specs:show", ADMIN, "Show a type's extra spec."),
    ("volume_extension:volume_type_access", ADMIN, "List a private type's projects."),
    ("volume_extension:volume_type_access:addProjectAccess", ADMIN,
     "Give or take a project's access to a private type."),
    ("volume_extension:quotas:show", READER, "Show a project's volume quotas."),
    ("volume_extension:quotas:update", ADMIN, "Change a project's volume quotas."),
    ("volume_extension:quotas:delete", ADMIN, "Reset a project's volume quotas."),
    ("limits_extension:used_limits", ANY_AUTHENTICATED, "Show limits and their usage."),
    ("volume_extension:services:index", ADMIN, "List the volume services."),
]

RULES = [policy.RuleDefault(name, check, description=description)
         for name, check, description in _RULES]


def register() -> None:
    register_rules(RULES)
