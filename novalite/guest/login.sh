#!/bin/sh
# The "login program" getty runs with the name typed at the prompt. There are
# no passwords in the tiny guest: any name gets a root shell, and the names
# "reboot" and "poweroff" do just that (handy when driving the serial console).
[ "$1" = "--" ] && shift
case "$1" in
reboot|poweroff) exec /bin/busybox "$1" ;;
esac
export HOME=/root USER="${1:-root}" PS1='\h:\w\$ '
cd /root
exec /bin/sh -l
