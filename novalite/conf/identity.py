"""[identity], [token] and [fernet_tokens]: the built-in Keystone v3 service."""

from oslo_config import cfg

identity_group = cfg.OptGroup("identity", title="Built-in identity service")
identity_opts = [
    cfg.HostAddressOpt("listen", default="127.0.0.1", help="Address the identity API listens on."),
    cfg.PortOpt("listen_port", default=5000, help="Identity API port."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving identity requests."),
    cfg.StrOpt("region", default="RegionOne", help="Region written into the service catalog."),
    cfg.IntOpt("password_hash_memory_kib", default=19456, min=8,
               help="Memory cost of the argon2id password hash, in KiB."),
    cfg.IntOpt("password_hash_time_cost", default=2, min=1,
               help="Iterations of the argon2id password hash."),
]

token_group = cfg.OptGroup("token", title="Token options")
token_opts = [
    cfg.IntOpt("expiration", default=3600, min=1, help="Token lifetime in seconds."),
]

fernet_group = cfg.OptGroup("fernet_tokens", title="Fernet token keys")
fernet_opts = [
    cfg.StrOpt("key_repository", default="$state_path/fernet-keys",
               help="Directory holding the Fernet keys (0 is the staged key, the highest "
                    "number the primary one)."),
    cfg.IntOpt("max_active_keys", default=3, min=1,
               help="Keys kept after a rotation: the staged key, the primary key and "
                    "max_active_keys - 2 secondary keys."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    for group, opts in _sections():
        conf.register_group(group)
        conf.register_opts(opts, group=group)


def _sections() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(identity_group, identity_opts), (token_group, token_opts),
            (fernet_group, fernet_opts)]


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts) for group, opts in _sections()]
