#!/bin/bash
# vm: install=deb
# The Debian package: this boot has no klpd until dpkg installs the .deb
# that tests/deb/build made. Its maintainer scripts enable and start the
# service and create the patch directory; it works; dpkg -r stops it and
# keeps the conffile; dpkg -P removes klpd's records and its configuration.
. /usr/lib/klpd-tests/lib.sh

P=/var/lib/klpd/patches
debs=(/usr/lib/klpd-tests/debs/klpd_*.deb)
deb=${debs[0]}
check "the boot has a .deb" test -f "$deb"
check_fails "no klpd before dpkg installs it" command -v klpd
check "dpkg -i $(basename "$deb")" dpkg -i "$deb"
check_eq "dpkg: installed" "install ok installed" "$(dpkg-query -W -f='${Status}' klpd)"

# dh_installsystemd's postinst: enabled and started.
check_eq "systemctl is-enabled klpd" enabled "$(systemctl is-enabled klpd 2>&1)"
check_eq "systemctl is-active klpd" active "$(systemctl is-active klpd 2>&1)"
files=$(dpkg -L klpd)
for f in /lib/systemd/system/klpd.service /usr/sbin/klpd /usr/bin/klpctl \
	/usr/share/dbus-1/system.d/org.klpd.livepatch1.conf \
	/usr/share/dbus-1/system-services/org.klpd.livepatch1.service \
	/usr/lib/tmpfiles.d/klpd.conf /usr/share/man/man8/klpd.8.gz /usr/share/man/man5/klpd.conf.5.gz; do
	check_match "dpkg -L klpd lists $f" "^$f\$" "$files"
done
check_match "systemd runs the package's unit" "^FragmentPath=(/usr)?/lib/systemd/system/klpd.service\$" \
	"$(systemctl show -p FragmentPath klpd)"
check_match "/etc/klpd/klpd.conf is a conffile" "^ /etc/klpd/klpd.conf [0-9a-f]{32}\$" \
	"$(dpkg-query -W -f='${Conffiles}\n' klpd)"
check "tmpfiles.d made $P" test -d $P
check_eq "klpd runs the package's binary" /usr/sbin/klpd \
	"$(readlink "/proc/$(systemctl show -p MainPID --value klpd)/exe")"

# It works: status, the bus policy (reads for everyone), a load.
check "klpctl status" klpctl status
check "reads are open to an unprivileged user (the package's bus policy)" \
	setpriv --reuid=65534 --regid=65534 --clear-groups klpctl status
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
check "klpctl load klpt_cmdline --wait" klpctl load klpt_cmdline --wait --timeout 60s
check "klpt_cmdline applied" lp_exists klpt_cmdline
check "klpctl disable klpt_cmdline --wait" klpctl disable klpt_cmdline --wait --timeout 60s
check "klpctl unload klpt_cmdline" klpctl unload klpt_cmdline
check_fails "klpt_cmdline removed" mod_loaded klpt_cmdline
rm -f $P/klpt_cmdline.ko

# cockpit-klpd: the page where Cockpit finds it, then gone again.
cdebs=(/usr/lib/klpd-tests/debs/cockpit-klpd_*_all.deb)
check "dpkg -i $(basename "${cdebs[0]}")" dpkg -i "${cdebs[0]}"
check_match "dpkg -L cockpit-klpd lists the manifest" "^/usr/share/cockpit/klpd/manifest.json\$" \
	"$(dpkg -L cockpit-klpd)"
check_match "cockpit-bridge finds the package" "^klpd[[:space:]]" \
	"$(cockpit-bridge --packages 2>/dev/null)"
check_fails "dpkg -r klpd refused while cockpit-klpd needs it" dpkg -r klpd
check "dpkg -r cockpit-klpd" dpkg -r cockpit-klpd
check_fails "the page is gone" test -e /usr/share/cockpit/klpd

# dpkg -r: the service stops, the program goes, the conffile stays.
check "dpkg -r klpd" dpkg -r klpd
check_eq "dpkg: config-files" "deinstall ok config-files" "$(dpkg-query -W -f='${Status}' klpd)"
check_fails "klpd stopped" pidof klpd
check_fails "/usr/sbin/klpd removed" test -e /usr/sbin/klpd
check_fails "klpd.service removed" test -e /lib/systemd/system/klpd.service
check "/etc/klpd/klpd.conf kept" test -f /etc/klpd/klpd.conf

# dpkg -P: the configuration and klpd's records go; a module that an
# administrator left in the patch directory stays.
check "klpd keeps records in /var/lib/klpd" test -f /var/lib/klpd/leftovers
install -m 0644 "$KLPT_MODULES/klpt_version.ko" $P/
check "dpkg -P klpd" dpkg -P klpd
check_match "dpkg: klpd not installed" '^(unknown ok not-installed)?$' \
	"$(dpkg-query -W -f='${Status}' klpd 2>/dev/null)"
check_fails "/etc/klpd removed" test -e /etc/klpd
check_fails "the enable symlink removed" test -L /etc/systemd/system/multi-user.target.wants/klpd.service
check_eq "/var/lib/klpd keeps only the patch directory" patches "$(ls -A /var/lib/klpd)"
check_eq "the administrator's module stays" klpt_version.ko "$(ls -A $P)"

rm -rf /var/lib/klpd
cleanup_modules
done_testing
