#!/bin/bash
# The interface XML installed in /usr/share/dbus-1/interfaces is what the
# running klpd introspects as, for the manager and for a patch object:
# both reduced to one canonical line per element (xml-canon.awk), compared,
# and the difference shown on drift.
. /usr/lib/klpd-tests/lib.sh

CANON=/usr/lib/klpd-tests/xml-canon.awk
I=/usr/share/dbus-1/interfaces
P=/var/lib/klpd/patches
BUS=org.klpd.livepatch1
canon() { awk -v iface="$1" -f $CANON "$2"; }

# compare IFACE LIVE_XML: the installed file of IFACE against LIVE_XML.
compare() {
	local iface=$1 live=$2 want got
	if ! want=$(canon "$iface" "$I/$iface.xml" 2>&1); then
		not_ok "$I/$iface.xml: $want"
		return
	fi
	if ! got=$(canon "$iface" "$live" 2>&1); then
		not_ok "live introspection: $got"
		return
	fi
	if [ "$want" = "$got" ]; then
		ok "$iface: the installed XML is the live one ($(grep -c '^ [a-z]' <<<"$got") members)"
	else
		not_ok "$iface: the installed XML differs from the live one"
		diff -u --label "$I/$iface.xml" --label "live $iface" <(echo "$want") <(echo "$got") |
			sed 's/^/#   /'
	fi
}

for f in $BUS.Manager $BUS.Patch; do
	check "$f.xml installed" test -s "$I/$f.xml"
done

# The canonical form ignores layout and attribute order, not content.
m=$(canon $BUS.Manager $I/$BUS.Manager.xml)
check_match "canonical form: one line per element" '^ method name="Load"$' "$m"
relaid=$(tr -d '\n' <$I/$BUS.Manager.xml | sed -e 's/<arg type="s" name="source" direction="in"\/>/<arg  direction = "in"\n name="source" type='"'"'s'"'"'><\/arg>/')
check_eq "canonical form: same for another layout" "$m" "$(canon $BUS.Manager <(echo "$relaid"))"
check_fails "canonical form: a changed type shows" test "$m" = \
	"$(canon $BUS.Manager <(sed 's/name="flags" type="t"/name="flags" type="u"/; s/type="t" name="flags"/type="u" name="flags"/' $I/$BUS.Manager.xml))"

install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
check "systemctl start klpd" systemctl start klpd
check "busctl introspect the manager" sh -c \
	"busctl introspect --xml-interface $BUS /org/klpd/livepatch1 >/tmp/introspect-manager.xml"
compare $BUS.Manager /tmp/introspect-manager.xml

check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "busctl introspect a patch" sh -c \
	"busctl introspect --xml-interface $BUS /org/klpd/livepatch1/patch/klpt_5fcmdline >/tmp/introspect-patch.xml"
compare $BUS.Patch /tmp/introspect-patch.xml

check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
systemctl stop klpd
rm -f $P/klpt_cmdline.ko /tmp/introspect-manager.xml /tmp/introspect-patch.xml
cleanup_modules
done_testing
