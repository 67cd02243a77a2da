"""The dashboard's application and server (``novalite-dashboard``, ``novalite up``)."""

from __future__ import annotations

from novalite.common import wsgi
from novalite.conf import CONF
from novalite.dashboard import (
    pages_admin,
    pages_auth,
    pages_instances,
    pages_launch,
    pages_resources,
)
from novalite.dashboard.app import DashboardApp


def make_app() -> DashboardApp:
    # the defaults the buttons are shown by: the same rules the APIs enforce
    from novalite.policies import compute, image, network, servers, volume

    for rules in (compute, image, network, servers, volume):
        rules.register()
    return DashboardApp([*pages_auth.ROUTES, *pages_launch.ROUTES, *pages_instances.ROUTES,
                         *pages_resources.ROUTES, *pages_admin.ROUTES])


def make_server() -> wsgi.Server:
    return wsgi.Server("dashboard", make_app(), CONF.dashboard.listen,
                       CONF.dashboard.listen_port, threads=CONF.dashboard.workers)
