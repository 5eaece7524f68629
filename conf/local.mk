# conf/: the configuration file, installed with every key at its default.
klpdconfdir = $(sysconfdir)/klpd
dist_klpdconf_DATA = conf/klpd.conf

install-data-hook: install-klpd-conf-d
install-klpd-conf-d:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/klpd/klpd.conf.d
.PHONY: install-klpd-conf-d
