"""Remote console proxies: token-checked bridges from a browser (or a native viewer) to
a guest's VNC, SPICE or serial port on its compute host.

``websocketproxy`` is nova-novncproxy / nova-spicehtml5proxy / nova-serialproxy (a
WebSocket per session, relayed to the guest's TCP port, plus the web client's static
files on the same port); ``xvp`` is the XVP proxy (one HTTP request with the token,
then raw RFB); ``connect`` is the local helper that lets a stock VNC viewer use it.
"""
