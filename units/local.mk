# units/: systemd unit, D-Bus policy and activation files, tmpfiles.d.
#
# .gitignore ignores units/*.service and units/*.conf, so all three are
# generated from .in files.
#
# Type=notify-reload needs systemd >= 253 (Debian 12 has 252): with an older
# systemd on the build host the unit uses Type=notify and an ExecReload=
# that sends SIGHUP, which klpd handles the same way.
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
	$(AM_V_GEN)$(MKDIR_P) units && \
	if $(PKG_CONFIG) --atleast-version=253 systemd 2>/dev/null; then \
		type=notify-reload; reload='\# reload: SIGHUP, sent by systemd (Type=notify-reload)'; \
	else \
		type=notify; reload='ExecReload=/bin/kill -HUP $$MAINPID'; \
	fi && \
	$(units_edit) -e "s|@SERVICE_TYPE[@]|$$type|" -e "s|@EXEC_RELOAD[@]|$$reload|" \
		$(srcdir)/units/klpd.service.in >$@.tmp && mv $@.tmp $@

units/org.klpd.livepatch1.conf: $(srcdir)/units/org.klpd.livepatch1.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(units_edit) $(srcdir)/units/org.klpd.livepatch1.conf.in >$@.tmp && mv $@.tmp $@

units/org.klpd.livepatch1.service: $(srcdir)/units/org.klpd.livepatch1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(units_edit) $(srcdir)/units/org.klpd.livepatch1.service.in >$@.tmp && mv $@.tmp $@

units/tmpfiles/klpd.conf: $(srcdir)/units/klpd.tmpfiles
	$(AM_V_GEN)$(MKDIR_P) units/tmpfiles && cp $(srcdir)/units/klpd.tmpfiles $@
