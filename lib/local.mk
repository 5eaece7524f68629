# lib/: code shared by klpd, klpctl and the unit tests. Nothing here does I/O
# beyond the small-file helpers in fileio.c.
#
# Compiled into each program through $(libklpd_shared_sources) rather than
# as a static library: configure.ac has no AC_PROG_RANLIB/AM_PROG_AR.
libklpd_shared_sources = \
	lib/macro.h \
	lib/dbus-names.h \
	lib/duration.c lib/duration.h \
	lib/fileio.c lib/fileio.h \
	lib/kmsg-record.c lib/kmsg-record.h \
	lib/modinfo.c lib/modinfo.h \
	lib/names.c lib/names.h \
	lib/utf8.c lib/utf8.h
