#!/bin/bash
# One host of the fleet (tests/fleet/run), the only scenario of its boot:
# a network on qemu's user network, sshd with the host's key for root,
# klpd with the fleet's policy (a stall is reverted after 5 s) writing its
# metrics where node_exporter reads them. Then it waits for the host to
# drive it over SSH with Ansible, until the host touches
# /run/klpd-fleet-done.
. /usr/lib/klpd-tests/lib.sh

F=/usr/lib/klpd-tests/fleet
hostname "$(cat $F/hostname)"
mkdir -p /etc/klpd/klpd.conf.d /var/lib/prometheus/node-exporter
printf '[Daemon]\nMetricsFile=/var/lib/prometheus/node-exporter/klpd.prom\n[Policy]\nStallTimeout=5s\nOnStall=revert\nUnloadDelay=10s\n' \
	>/etc/klpd/klpd.conf.d/50-fleet.conf

net_up $F/authorized_keys
check "klpd" systemctl start klpd
diag "klpd-fleet: ready $(cat $F/hostname) $(uname -r)"
wait_for_host /run/klpd-fleet-done "$(cat $F/limit)"
systemctl stop klpd
done_testing
