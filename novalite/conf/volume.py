"""The volume service ([volume], Cinder v3 subset: cinder.conf's names where Cinder has
the option) and how compute nodes use it ([cinder] and two [DEFAULT] options, with
nova.conf's names)."""

from oslo_config import cfg

volume_group = cfg.OptGroup("volume", title="Built-in volume service")
volume_opts = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1",
                       help="Address the volume API listens on (Cinder's "
                            "osapi_volume_listen)."),
    cfg.PortOpt("bind_port", default=8776,
                help="Volume API port (Cinder's osapi_volume_listen_port)."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving volume requests."),
    cfg.IntOpt("backend_workers", default=4, min=1,
               help="Threads doing the backends' slow work (creating volumes from images, "
                    "copying, deleting) after the API has answered."),
    cfg.ListOpt("enabled_backends", default=["file"],
                help="Backends in use, from 'file' (a qcow2 file per volume) and 'iscsi' "
                     "(a raw file per volume exported by the userspace tgt target). The "
                     "first is the default volume type's; each also gets a volume type "
                     "named after it."),
    cfg.StrOpt("default_volume_type", default="__DEFAULT__",
               help="Volume type of volumes created without one."),
    cfg.StrOpt("volumes_path", default="$state_path/volumes",
               help="Directory of the volume files, one subdirectory per backend."),
    cfg.StrOpt("storage_availability_zone", default="nova",
               help="Availability zone of the volumes."),
    cfg.StrOpt("target_ip_address", default="127.0.0.1",
               help="iscsi backend: address of the iSCSI portal the guests' QEMU connects "
                    "to."),
    cfg.PortOpt("target_port", default=3260, help="iscsi backend: port of the portal."),
    cfg.StrOpt("target_prefix", default="iqn.2010-10.org.openstack:",
               help="iscsi backend: prefix of the target names (then volume-<id>)."),
    cfg.IntOpt("tgt_control_port", default=20, min=0, max=32767,
               help="iscsi backend: tgtd's control port (tgtadm -C): the socket "
                    "/var/run/tgtd/socket.N, so this target daemon is apart from a "
                    "system one (port 0)."),
    cfg.BoolOpt("tgt_manage_daemon", default=True,
                help="iscsi backend: start tgtd (on the control port and the portal) when "
                     "none answers, and stop it with the service."),
    cfg.StrOpt("image_conversion_dir", default="$state_path/conversion",
               help="Where images are downloaded before they are converted into volumes."),
    cfg.IntOpt("image_conversion_timeout", default=600, min=1,
               help="Seconds qemu-img may take to convert or copy one volume."),
    cfg.IntOpt("limit_param_default", default=1000, min=1,
               help="Items returned by a list request that gives no limit (Cinder's "
                    "osapi_max_limit)."),
    cfg.IntOpt("quota_volumes", default=10, min=-1, help="Volumes per project."),
    cfg.IntOpt("quota_snapshots", default=10, min=-1, help="Snapshots per project."),
    cfg.IntOpt("quota_gigabytes", default=1000, min=-1,
               help="Gigabytes of volumes and snapshots per project."),
    cfg.IntOpt("quota_backups", default=10, min=-1,
               help="Backups per project (reported; this service makes no backups)."),
    cfg.IntOpt("quota_backup_gigabytes", default=1000, min=-1,
               help="Gigabytes of backups per project (reported)."),
    cfg.IntOpt("quota_groups", default=10, min=-1, help="Groups per project (reported)."),
    cfg.IntOpt("per_volume_size_limit", default=-1, min=-1,
               help="Largest volume, in gigabytes (-1: no limit)."),
]

cinder_group = cfg.OptGroup("cinder", title="Volume service client (compute)")
cinder_opts = [
    cfg.StrOpt("catalog_info", default="volumev3::publicURL",
               help="<service_type>:<service_name>:<interface> of the volume service in "
                    "the token's catalog."),
    cfg.StrOpt("endpoint_template", default="",
               help="Volume API URL when the catalog has none, e.g. "
                    "http://127.0.0.1:8776/v3/%(project_id)s (default: this cloud's)."),
    cfg.BoolOpt("cross_az_attach", default=True,
                help="Whether a volume may be attached to a server of another "
                     "availability zone."),
    cfg.IntOpt("http_retries", default=3, min=0,
               help="Retries of a volume service request that could not connect."),
]

# The service user the volume service tells Nova with (os-server-external-events), as
# cinder.conf's [nova] auth.
nova_group = cfg.OptGroup("nova", title="Compute API client (volume service)")
nova_opts = [
    cfg.StrOpt("auth_url", default="",
               help="Identity v3 URL for the service user (default: this cloud's)."),
    cfg.StrOpt("username", default="nova", help="Service user of the volume service."),
    cfg.StrOpt("password", default="", secret=True,
               help="Its password; unset: Nova is not told of attached volumes that grew. "
                    "novalite up uses the compute nodes' service user."),
    cfg.StrOpt("project_name", default="service", help="The service user's project."),
    cfg.StrOpt("user_domain_name", default="Default", help="The service user's domain."),
    cfg.StrOpt("project_domain_name", default="Default", help="Its project's domain."),
]

default_opts = [
    cfg.IntOpt("block_device_allocate_retries", default=60, min=0,
               help="Times a build checks that a volume it made became available."),
    cfg.IntOpt("block_device_allocate_retries_interval", default=3, min=0,
               help="Seconds between those checks."),
    cfg.HostAddressOpt("my_ip", default="127.0.0.1",
                       help="This host's address, as volume targets see it (the iSCSI "
                            "initiator address of the compute node's connector)."),
    cfg.IntOpt("volume_detach_timeout", default=60, min=1,
               help="Seconds a running guest may take to let go of a detached disk."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(volume_group)
    conf.register_opts(volume_opts, group=volume_group)
    conf.register_group(cinder_group)
    conf.register_opts(cinder_opts, group=cinder_group)
    conf.register_group(nova_group)
    conf.register_opts(nova_opts, group=nova_group)
    conf.register_opts(default_opts)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(volume_group.name, volume_opts), (cinder_group.name, cinder_opts),
            (nova_group.name, nova_opts), ("DEFAULT", default_opts)]
