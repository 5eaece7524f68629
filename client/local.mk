# client/: klpctl, a thin D-Bus client of klpd.
#   klpctl.c         options, the command table, help, exit status of bus errors
#   klpctl.h         what the command files share (exit codes, options, report())
#   cmd-query.c      status, list, show, check
#   cmd-inventory.c  inventory: installed modules against loaded ones
#   cmd-transition.c load, disable, revert, force, unload, clear-skip, reload; --wait
#   cmd-monitor.c    monitor
#   cmd-install.c    install, uninstall (root's file operations)
#   bus-objects.c    klpd's objects: one a{sv} walker, a property table per object
#   output.c         the JSON writer, the table of patches
#   progress.c       the live line of a --wait; terminal.c colour, error lines
#   pager.c          less (or $KLPCTL_PAGER, $PAGER) for long text at a terminal
bin_PROGRAMS += client/klpctl
client_klpctl_SOURCES = client/klpctl.c client/klpctl.h \
	client/cmd-query.c client/cmd-inventory.c client/cmd-transition.c client/cmd-monitor.c \
	client/cmd-install.c client/pager.c client/pager.h \
	client/bus-objects.c client/bus-objects.h client/output.c client/output.h \
	client/terminal.c client/terminal.h client/progress.c client/progress.h
client_klpctl_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
client_klpctl_LDADD = $(libklpd_shared) $(LIBSYSTEMD_LIBS) $(DLOPEN_LIBS)

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
# klpctl alone: help, usage errors, no bus, the pager.
TESTS += tests/client/check-klpctl.sh
EXTRA_DIST += tests/client/check-klpctl.sh
