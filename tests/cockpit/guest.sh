#!/bin/bash
# The guest of tests/cockpit/run, the only scenario of its boot: a network
# on qemu's user network, sshd with the host's key for root, Cockpit's web
# service on port 9090 (plain HTTP: the host forwards it to its own
# 127.0.0.1 only), two users who log in to it, and klpd with a policy that
# waits on a stall, so that the page can show the blockers. Then it waits for
# the host's browser until the host touches /run/klpd-cockpit-done.
. /usr/lib/klpd-tests/lib.sh

F=/usr/lib/klpd-tests/cockpit
mkdir -p /etc/klpd/klpd.conf.d /etc/cockpit
printf '[Policy]\nStallTimeout=3s\nOnStall=wait\nUnloadDelay=2s\n' >/etc/klpd/klpd.conf.d/50-cockpit.conf
printf '[WebService]\nAllowUnencrypted=true\n' >/etc/cockpit/cockpit.conf

# klpt-admin may administer (sudo, with its password, as Cockpit's
# "administrative access" asks); klpt-viewer may only look.
pw=$(cat $F/password)
id klpt-admin >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups sudo klpt-admin
id klpt-viewer >/dev/null 2>&1 || useradd --create-home --shell /bin/bash klpt-viewer
check "passwords set" sh -c "printf 'klpt-admin:%s\nklpt-viewer:%s\n' '$pw' '$pw' | chpasswd"
check "klpt-admin may use sudo" sh -c "id -nG klpt-admin | grep -qw sudo"
check_fails "klpt-viewer may not" sh -c "id -nG klpt-viewer | grep -qw sudo"

# The patches the page loads, where Load() looks for a name.
B=/var/lib/klpd/patches/$(uname -r)
mkdir -p $B
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_busy_patch.ko" $B/
check "the page is installed" test -s /usr/share/cockpit/klpd/manifest.json

net_up $F/authorized_keys
check "klpd" systemctl restart klpd
check "cockpit.socket" systemctl start cockpit.socket
diag "klpd-cockpit: ready $(uname -r)"
wait_for_host /run/klpd-cockpit-done "$(cat $F/limit)"
systemctl stop cockpit.socket cockpit.service klpd
cleanup_modules
done_testing
