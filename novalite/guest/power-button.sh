#!/bin/sh
# Run by busybox acpid on the ACPI power button event (PWRF/00000080).
echo "ACPI power button: shutting down" > /dev/console
[ -c /dev/tty1 ] && echo "ACPI power button: shutting down" > /dev/tty1
sync
poweroff -f
