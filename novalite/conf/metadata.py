"""Metadata API and config drive options, with nova.conf's names and groups.

``[DEFAULT] metadata_listen``/``metadata_listen_port`` live beside the other listen
addresses in ``novalite.conf.api``; here are the rest: worker threads, the ``[api]``
metadata options, the ``[neutron]`` options that say how an instance is identified,
and the config drive builder's.
"""

from oslo_config import cfg

default_opts = [
    cfg.IntOpt("metadata_workers", default=8, min=1,
               help="Threads serving metadata API requests."),
    cfg.StrOpt("mkisofs_cmd", default="genisoimage",
               help="Command that builds the ISO 9660 config drive."),
    cfg.StrOpt("config_drive_format", default="iso9660", choices=["iso9660"],
               help="Config drive format (only iso9660)."),
]

api_opts = [
    cfg.IntOpt("metadata_cache_expiration", default=15, min=0,
               help="Seconds an instance's metadata is cached by the metadata API; "
                    "0 disables the cache."),
    cfg.StrOpt("dhcp_domain", default="novalocal",
               help="Domain appended to the instance hostname in the metadata "
                    "(hostname + '.' + dhcp_domain); empty for the bare hostname."),
    cfg.ListOpt("vendordata_providers", default=["StaticJSON"],
                item_type=cfg.types.String(choices=["StaticJSON"]),
                help="Vendor data providers (only StaticJSON)."),
    cfg.StrOpt("vendordata_jsonfile_path",
               help="JSON file served as the static vendor data (vendor_data.json and "
                    "vendor_data2.json's 'static'); unset means {}."),
    cfg.StrOpt("config_drive_skip_versions",
               default="1.0 2007-01-19 2007-03-01 2007-08-29 2007-10-10 2007-12-15 "
                       "2008-02-01 2008-09-01",
               help="EC2 metadata versions left off config drives (space separated)."),
]

neutron_group = cfg.OptGroup("neutron", title="Network service options")

neutron_opts = [
    cfg.BoolOpt("service_metadata_proxy", default=True,
                help="True: requests come through the metadata proxy, which names the "
                     "instance in signed X-Instance-ID/X-Tenant-ID headers. False: the "
                     "instance is found by the request's source IP."),
    cfg.StrOpt("metadata_proxy_shared_secret", default="", secret=True,
               help="Secret the metadata proxy signs X-Instance-ID with (HMAC-SHA256). "
                    "novalite up makes one (kept in the data directory's secrets.json) "
                    "when this is unset."),
    # The service credentials compute nodes use for what only an admin may do on the
    # network service (binding a port to their host), as nova.conf's [neutron] auth.
    cfg.StrOpt("auth_url", default="",
               help="Identity v3 URL for the service user (default: this cloud's)."),
    cfg.StrOpt("username", default="nova", help="Service user of the compute nodes."),
    cfg.StrOpt("password", default="", secret=True,
               help="Its password; unset: ports are not bound to hosts. novalite up "
                    "makes one (secrets.json)."),
    cfg.StrOpt("project_name", default="service", help="The service user's project."),
    cfg.StrOpt("user_domain_name", default="Default", help="The service user's domain."),
    cfg.StrOpt("project_domain_name", default="Default", help="Its project's domain."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(default_opts)
    conf.register_opts(api_opts, group="api")
    conf.register_group(neutron_group)
    conf.register_opts(neutron_opts, group=neutron_group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [("DEFAULT", default_opts), ("api", api_opts), (neutron_group.name, neutron_opts)]
