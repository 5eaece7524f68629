# client/: klpctl, a thin D-Bus client of klpd.
bin_PROGRAMS += client/klpctl
client_klpctl_SOURCES = client/klpctl.c \
	client/terminal.c client/terminal.h client/progress.c client/progress.h \
	client/properties.c client/properties.h
client_klpctl_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
client_klpctl_LDADD = $(libklpd_shared) $(LIBSYSTEMD_LIBS)

# bash completion, installed as "klpctl": bash-completion finds a command's
# completion by the command's name. (Not client/klpctl: that is the program.)
EXTRA_DIST += client/klpctl.bash-completion
install-data-local: install-klpctl-completion
install-klpctl-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) $(srcdir)/client/klpctl.bash-completion '$(DESTDIR)$(bashcompletiondir)/klpctl'
uninstall-local: uninstall-klpctl-completion
uninstall-klpctl-completion:
	rm -f '$(DESTDIR)$(bashcompletiondir)/klpctl'
.PHONY: install-klpctl-completion uninstall-klpctl-completion

# The completion, driven as bash drives it, against a stand-in klpctl.
TESTS += tests/client/check-completion.sh
EXTRA_DIST += tests/client/check-completion.sh
