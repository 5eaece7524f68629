# debian/: the Debian package (tests/deb/build makes the .deb from a copy of
# the tree). Distributed, so that the tarball builds the same package.
EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/rules \
	debian/klpd.postrm \
	debian/klpd.install \
	debian/cockpit-klpd.install \
	debian/source/format \
	tests/deb/build \
	tests/deb/check-copyright.sh

TESTS += tests/deb/check-copyright.sh
