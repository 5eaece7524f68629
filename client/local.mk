# client/: klpctl, a thin D-Bus client of klpd.
bin_PROGRAMS += client/klpctl
client_klpctl_SOURCES = client/klpctl.c client/modinfo.c client/modinfo.h $(libklpd_shared_sources)
client_klpctl_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
client_klpctl_LDADD = $(LIBSYSTEMD_LIBS)
