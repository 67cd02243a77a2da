"""[database]: where the relational database is."""

from oslo_config import cfg

group = cfg.OptGroup("database", title="Database options")

opts = [
    cfg.StrOpt("connection", secret=True,
               help="SQLAlchemy URL. Defaults to SQLite in state_path. Examples: "
                    "postgresql+psycopg://user:pass@127.0.0.1/nova, "
                    "mysql+pymysql://user:pass@127.0.0.1/nova"),
    cfg.IntOpt("max_pool_size", default=10, min=1,
               help="Connections kept open in the pool (server databases only)."),
    cfg.IntOpt("max_overflow", default=20, min=0,
               help="Connections allowed beyond max_pool_size under load."),
    cfg.BoolOpt("connection_debug", default=False, help="Log every SQL statement."),
    cfg.IntOpt("reconnect_timeout", default=20, min=0, max=3600,
               help="Seconds the conductor keeps trying a request of a compute node while "
                    "the database cannot be reached (a restart) before it fails it."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    return [(group.name, opts)]
