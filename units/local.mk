# units/: systemd unit, D-Bus policy and activation files, tmpfiles.d.
#
# .gitignore ignores units/*.service and units/*.conf, so all three are
# generated from .in files.
#
# The unit is Type=notify with ExecReload=klpctl reload on every systemd:
# Type=notify-reload (systemd >= 253) would let `systemctl reload` succeed
# even when klpd refused the new file (see units/klpd.service.in).
units_generated = \
	units/tmpfiles/klpd.conf \
	units/klpd.service \
	units/org.klpd.livepatch1.conf \
	units/org.klpd.livepatch1.service

systemdsystemunit_DATA = units/klpd.service
dbuspolicy_DATA = units/org.klpd.livepatch1.conf
dbussystemservice_DATA = units/org.klpd.livepatch1.service
# installed as tmpfiles.d/klpd.conf
tmpfiles_DATA = units/tmpfiles/klpd.conf

CLEANFILES += $(units_generated)
EXTRA_DIST += \
	units/klpd.service.in \
	units/org.klpd.livepatch1.conf.in \
	units/org.klpd.livepatch1.service.in \
	units/klpd.tmpfiles

units_edit = $(SED) \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g'

units/klpd.service: $(srcdir)/units/klpd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(units_edit) $(srcdir)/units/klpd.service.in >$@.tmp && mv $@.tmp $@

units/org.klpd.livepatch1.conf: $(srcdir)/units/org.klpd.livepatch1.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(units_edit) $(srcdir)/units/org.klpd.livepatch1.conf.in >$@.tmp && mv $@.tmp $@

units/org.klpd.livepatch1.service: $(srcdir)/units/org.klpd.livepatch1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(units_edit) $(srcdir)/units/org.klpd.livepatch1.service.in >$@.tmp && mv $@.tmp $@

units/tmpfiles/klpd.conf: $(srcdir)/units/klpd.tmpfiles
	$(AM_V_GEN)$(MKDIR_P) units/tmpfiles && cp $(srcdir)/units/klpd.tmpfiles $@
