/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klpt-noeff METHOD [NAME]: call org.klpd.livepatch1.Manager.METHOD as root
 * with CAP_SYS_MODULE taken out of the effective set only (it stays
 * permitted and in the bounding set). Any exec would give root its
 * effective set back, so this program makes the call itself.
 * Prints "ok", or "Error NAME: MESSAGE" and exits 1. */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

int main(int argc, char *argv[])
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *method, *arg;
	sd_bus *bus = NULL;
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: klpt-noeff METHOD [NAME]\n");
		return 2;
	}
	method = argv[1];
	arg = argc > 2 ? argv[2] : "";
	if (syscall(SYS_capget, &head, data) < 0) {
		perror("capget");
		return 2;
	}
	data[0].effective &= ~(1u << CAP_SYS_MODULE);
	if (syscall(SYS_capset, &head, data) < 0) {
		perror("capset");
		return 2;
	}
	if (!(data[0].permitted & (1u << CAP_SYS_MODULE))) {
		fprintf(stderr, "klpt-noeff: CAP_SYS_MODULE is not permitted to begin with\n");
		return 2;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "klpt-noeff: cannot connect to the system bus: %s\n", strerror(-r));
		return 2;
	}
	if (strcmp(method, "Load") == 0)
		r = sd_bus_call_method(bus, "org.klpd.livepatch1", "/org/klpd/livepatch1",
				       "org.klpd.livepatch1.Manager", method, &error, &reply, "st",
				       arg, (uint64_t)0);
	else if (strcmp(method, "Reload") == 0)
		r = sd_bus_call_method(bus, "org.klpd.livepatch1", "/org/klpd/livepatch1",
				       "org.klpd.livepatch1.Manager", method, &error, &reply, "");
	else
		r = sd_bus_call_method(bus, "org.klpd.livepatch1", "/org/klpd/livepatch1",
				       "org.klpd.livepatch1.Manager", method, &error, &reply, "s",
				       arg);
	if (r < 0) {
		printf("Error %s: %s\n", error.name ? error.name : "?",
		       error.message ? error.message : strerror(-r));
		return 1;
	}
	printf("ok\n");
	return 0;
}
