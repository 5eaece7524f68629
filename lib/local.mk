# lib/: code shared by klpd, klpctl and the unit tests, built once as a
# static library. Nothing here includes a header from daemon/ or client/;
# nothing does I/O beyond the small-file helpers in fileio.c and the child
# process in kmod-dlopen.c that reads compressed modules through libkmod.
noinst_LIBRARIES += lib/libklpd-shared.a
lib_libklpd_shared_a_SOURCES = \
	lib/macro.h \
	lib/dbus-names.h \
	lib/duration.c lib/duration.h \
	lib/fileio.c lib/fileio.h \
	lib/kmod-dlopen.c lib/kmod-dlopen.h \
	lib/kernel-incident.c lib/kernel-incident.h \
	lib/kmsg-record.c lib/kmsg-record.h \
	lib/modinfo.c lib/modinfo.h \
	lib/names.c lib/names.h \
	lib/records.c lib/records.h \
	lib/time-util.c lib/time-util.h \
	lib/utf8.c lib/utf8.h
# libkmod's header only: kmod-dlopen.c finds its functions with dlsym()
lib_libklpd_shared_a_CFLAGS = $(AM_CFLAGS) $(LIBKMOD_CFLAGS)
libklpd_shared = lib/libklpd-shared.a
