# cockpit/: the Livepatches page of Cockpit's web console, a client of
# org.klpd.livepatch1. Installed where Cockpit looks for packages
# (cockpitdir/klpd, /usr/share/cockpit/klpd by default); Debian ships it as
# the cockpit-klpd package. tests/cockpit/run drives it in a browser.
cockpitklpddir = $(cockpitdir)/klpd
dist_cockpitklpd_DATA = \
	cockpit/manifest.json \
	cockpit/index.html \
	cockpit/klpd.js \
	cockpit/klpd.css

EXTRA_DIST += \
	tests/cockpit/run \
	tests/cockpit/guest.sh \
	tests/cockpit/browser.py
