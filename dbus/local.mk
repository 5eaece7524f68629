# dbus/: the introspection XML of klpd's D-Bus interfaces, one file each,
# for tools and bindings that read $(dbusinterfacedir). They are what klpd's
# Introspect() says; tests/dbus/check-interfaces.sh compares them with the
# vtables, the VM scenario 54-introspection.sh with the running daemon.
dist_dbusinterface_DATA = \
	dbus/org.klpd.livepatch1.Manager.xml \
	dbus/org.klpd.livepatch1.Patch.xml

TESTS += tests/dbus/check-interfaces.sh
EXTRA_DIST += \
	tests/dbus/check-interfaces.sh \
	tests/vm/guest/xml-canon.awk
