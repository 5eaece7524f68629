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
install -d -m 0700 /root/.ssh
install -m 0600 $F/authorized_keys /root/.ssh/authorized_keys
mkdir -p /etc/systemd/network /etc/klpd/klpd.conf.d /var/lib/prometheus/node-exporter
printf '[Match]\nName=e*\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n' \
	>/etc/systemd/network/10-fleet.network
printf '[Daemon]\nMetricsFile=/var/lib/prometheus/node-exporter/klpd.prom\n[Policy]\nStallTimeout=5s\nOnStall=revert\nUnloadDelay=10s\n' \
	>/etc/klpd/klpd.conf.d/50-fleet.conf

link_up() { grep -qx up /sys/class/net/eth0/operstate 2>/dev/null || grep -qx up /sys/class/net/en*/operstate 2>/dev/null; }
wait_until 60 "the e1000 card" sh -c 'ls /sys/class/net | grep -q "^e"'
check "systemd-networkd" systemctl start systemd-networkd
wait_until 60 "the link up" link_up
check "klpd" systemctl start klpd
check "sshd" systemctl start ssh
diag "klpd-fleet: ready $(cat $F/hostname) $(uname -r)"

# Once a second: the host's Ansible wants the CPU.
limit=$(cat $F/limit) waited=0
while [ ! -e /run/klpd-fleet-done ] && [ $waited -lt "$limit" ]; do
	sleep 1
	waited=$((waited + 1))
done
[ -e /run/klpd-fleet-done ] && ok "the host finished" || not_ok "the host did not finish in $limit s"
systemctl stop klpd
done_testing
