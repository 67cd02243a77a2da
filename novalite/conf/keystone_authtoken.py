"""[keystone_authtoken]: how every service validates the tokens it receives."""

from oslo_config import cfg

group = cfg.OptGroup("keystone_authtoken", title="Token validation")

opts = [
    cfg.StrOpt("validation", default="local", choices=["local", "remote"],
               help="local: check Fernet tokens with the shared key repository and database; "
                    "remote: ask the identity API (GET /v3/auth/tokens) as keystonemiddleware "
                    "does, with the service user below."),
    cfg.URIOpt("www_authenticate_uri", help="Identity URL given to clients in WWW-Authenticate."),
    cfg.URIOpt("auth_url", help="Identity URL the service user authenticates against."),
    cfg.StrOpt("username", default="nova", help="Service user name (remote validation)."),
    cfg.StrOpt("password", secret=True, help="Service user password (remote validation)."),
    cfg.StrOpt("project_name", default="service", help="Service user's project."),
    cfg.StrOpt("user_domain_name", default="Default", help="Service user's domain."),
    cfg.StrOpt("project_domain_name", default="Default", help="Service project's domain."),
    cfg.IntOpt("token_cache_time", default=10, min=0,
               help="Seconds a remotely validated token is cached (remote validation only)."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts)]
