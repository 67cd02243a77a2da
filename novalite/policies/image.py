"""Default policy rules of the image API (Glance's names under ``image:``).

Visibility (who may see an image at all) is decided in code, as in Glance; these
rules say who may act. Targets carry ``project_id`` = the image's owner, and for
member status changes ``member_id`` = the member project.
"""

from oslo_policy import policy

from novalite.common.policy import ADMIN, ADMIN_OR_PROJECT_MEMBER, register_rules

ADMIN_OR_READER = f"({ADMIN}) or role:reader"
ADMIN_OR_THE_MEMBER = f"({ADMIN}) or (role:member and project_id:%(member_id)s)"

_RULES = [
    ("get_images", ADMIN_OR_READER, "List images."),
    ("get_image", ADMIN_OR_READER, "Show an image the caller may see."),
    ("download_image", ADMIN_OR_READER, "Download an image's data."),
    ("add_image", ADMIN_OR_PROJECT_MEMBER, "Create an image owned by the project."),
    ("modify_image", ADMIN_OR_PROJECT_MEMBER, "Update an image's properties and tags."),
    ("upload_image", ADMIN_OR_PROJECT_MEMBER, "Upload an image's data."),
    ("delete_image", ADMIN_OR_PROJECT_MEMBER, "Delete an image."),
    ("publicize_image", ADMIN, "Make an image public."),
    ("communitize_image", ADMIN_OR_PROJECT_MEMBER, "Make an image community."),
    ("set_image_owner", ADMIN, "Give an image to another project."),
    ("deactivate", ADMIN_OR_PROJECT_MEMBER, "Deactivate an image."),
    ("reactivate", ADMIN_OR_PROJECT_MEMBER, "Reactivate an image."),
    ("download_deactivated", ADMIN, "Download the data of a deactivated image."),
    ("stores_info_detail", ADMIN, "Show the stores with their type and properties."),
    ("get_members", ADMIN_OR_READER, "List an image's members."),
    ("get_member", ADMIN_OR_READER, "Show an image member."),
    ("add_member", ADMIN_OR_PROJECT_MEMBER, "Share an image with a project."),
    ("delete_member", ADMIN_OR_PROJECT_MEMBER, "Stop sharing an image with a project."),
    ("modify_member", ADMIN_OR_THE_MEMBER, "Accept or reject a shared image."),
    *((f"get_metadef_{what}", ADMIN_OR_READER, f"Read metadata definition {what}.")
      for what in ("namespace", "namespaces", "object", "objects", "property", "properties",
                   "tag", "tags", "resource_type")),
    ("list_metadef_resource_types", ADMIN_OR_READER, "List the metadef resource types."),
    *((f"{verb}_metadef_{what}", ADMIN, f"Change metadata definition {what}.")
      for verb, what in (("add", "namespace"), ("modify", "namespace"),
                         ("delete", "namespace"), ("add", "object"), ("modify", "object"),
                         ("delete", "object"), ("add", "property"), ("modify", "property"),
                         ("remove", "property"), ("add", "tag"), ("add", "tags"),
                         ("modify", "tag"), ("delete", "tag"), ("delete", "tags"),
                         ("add", "resource_type_association"),
                         ("remove", "resource_type_association"))),
]

RULES = [policy.RuleDefault(f"image:{name}", check, description=description)
         for name, check, description in _RULES]


def register() -> None:
    register_rules(RULES)
