/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kmsg-record.h"
#include "macro.h"

static void test_kmsg_record_parse(void **state)
{
	static const struct {
		const char *raw;
		int r;
		unsigned level, facility;
		uint64_t seq, usec;
		const char *text;
	} cases[] = {
		{ "5,1234,5678901,-;livepatch: enabling patch 'klpt_cmdline'\n", 0, 5, 0, 1234,
		  5678901, "livepatch: enabling patch 'klpt_cmdline'" },
		{ "4,7,8,-;text", 0, 4, 0, 7, 8, "text" },
		{ "6,339,5140900,-,caller=T1;hello\n SUBSYSTEM=module\n DEVICE=+module:x\n", 0, 6,
		  0, 339, 5140900, "hello" },
		{ "30,1,2,c;fragment", 0, 6, 3, 1, 2, "fragment" },
		{ "6,1,2,-;", 0, 6, 0, 1, 2, "" },
		{ "6,1,2;text", -EINVAL },
		{ "6,1,2,x;text", -EINVAL },
		{ "6,1,2,-x;text", -EINVAL },
		{ "a,1,2,-;text", -EINVAL },
		{ "6,,2,-;text", -EINVAL },
		{ "6,1,2,-", -EINVAL },
		{ "", -EINVAL },
		{ "6,1,99999999999999999999999,-;x", -EINVAL },
		{ "-6,1,2,-;text", -EINVAL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct kmsg_record rec;
		int r = kmsg_record_parse(cases[i].raw, strlen(cases[i].raw), &rec);

		if (cases[i].r < 0) {
			if (r >= 0)
				fail_msg("kmsg_record_parse(\"%s\") should fail", cases[i].raw);
			continue;
		}
		if (r < 0)
			fail_msg("kmsg_record_parse(\"%s\") = %d", cases[i].raw, r);
		assert_int_equal(rec.level, cases[i].level);
		assert_int_equal(rec.facility, cases[i].facility);
		assert_int_equal(rec.seq, cases[i].seq);
		assert_int_equal(rec.usec, cases[i].usec);
		assert_int_equal(rec.text_len, strlen(cases[i].text));
		assert_memory_equal(rec.text, cases[i].text, rec.text_len);
	}
}

static void test_kmsg_record_not_terminated(void **state)
{
	/* read(2) on /dev/kmsg gives no NUL: parse exactly LEN bytes. */
	const char raw[] = "6,1,2,-;abcXXXX";
	struct kmsg_record rec;

	assert_int_equal(kmsg_record_parse(raw, 11, &rec), 0);
	assert_int_equal(rec.text_len, 3);
	assert_memory_equal(rec.text, "abc", 3);
	assert_true(kmsg_record_parse(raw, 5, &rec) < 0);
}

static void test_livepatch_record_classify(void **state)
{
	static const struct {
		const char *text;
		enum livepatch_event event;
		const char *patch, *module;
	} cases[] = {
		{ "livepatch: enabling patch 'klpt_cmdline'", LIVEPATCH_EVENT_ENABLING, "klpt_cmdline" },
		{ "livepatch: 'klpt_cmdline': starting patching transition",
		  LIVEPATCH_EVENT_PATCHING_STARTED, "klpt_cmdline" },
		{ "livepatch: 'klpt_cmdline': starting unpatching transition",
		  LIVEPATCH_EVENT_UNPATCHING_STARTED, "klpt_cmdline" },
		{ "livepatch: 'klpt_cmdline': patching complete", LIVEPATCH_EVENT_PATCHING_COMPLETE,
		  "klpt_cmdline" },
		{ "livepatch: 'klpt_cmdline': unpatching complete",
		  LIVEPATCH_EVENT_UNPATCHING_COMPLETE, "klpt_cmdline" },
		{ "livepatch: forcing remaining tasks to the patched state", LIVEPATCH_EVENT_FORCING },
		{ "livepatch: signaling remaining tasks", LIVEPATCH_EVENT_SIGNALING },
		{ "livepatch: applying patch 'klpt_busy_patch' to loading module 'klpt_busy_target'",
		  LIVEPATCH_EVENT_MODULE_APPLYING, "klpt_busy_patch", "klpt_busy_target" },
		{ "livepatch: reverting patch 'klpt_busy_patch' on unloading module 'klpt_busy_target'",
		  LIVEPATCH_EVENT_MODULE_REVERTING, "klpt_busy_patch", "klpt_busy_target" },
		{ "livepatch: tainting kernel with TAINT_LIVEPATCH", LIVEPATCH_EVENT_TAINTING },
		/* livepatch records of other forms: rescan */
		{ "livepatch: failed to apply patch 'a' to module 'b' (-22)", LIVEPATCH_EVENT_UNKNOWN },
		{ "livepatch: 'klpt_cmdline': patching complete now", LIVEPATCH_EVENT_UNKNOWN },
		{ "livepatch: 'bad name': patching complete", LIVEPATCH_EVENT_UNKNOWN },
		{ "livepatch: '': patching complete", LIVEPATCH_EVENT_UNKNOWN },
		{ "livepatch: enabling patch 'klpt_cmdline", LIVEPATCH_EVENT_UNKNOWN },
		{ "livepatch: ", LIVEPATCH_EVENT_UNKNOWN },
		/* not livepatch records */
		{ "usb 1-1: new device", LIVEPATCH_EVENT_NONE },
		{ "livepatch:enabling patch 'x'", LIVEPATCH_EVENT_NONE },
		{ "", LIVEPATCH_EVENT_NONE },
	};

	static const char nul_in_name[] = "livepatch: 'k\0pt_cmdline': unpatching complete";
	struct livepatch_record nr;

	/* a NUL inside a quoted name is not a name */
	livepatch_record_classify(nul_in_name, sizeof(nul_in_name) - 1, &nr);
	assert_int_equal(nr.event, LIVEPATCH_EVENT_UNKNOWN);

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct livepatch_record r;

		livepatch_record_classify(cases[i].text, strlen(cases[i].text), &r);
		if (r.event != cases[i].event)
			fail_msg("\"%s\" classified as %s, want %s", cases[i].text,
				 livepatch_event_to_string(r.event),
				 livepatch_event_to_string(cases[i].event));
		assert_string_equal(r.patch, strempty(cases[i].patch));
		assert_string_equal(r.module, strempty(cases[i].module));
	}
}

static void test_livepatch_event_names(void **state)
{
	for (int e = 0; e < _LIVEPATCH_EVENT_MAX; e++)
		assert_non_null(livepatch_event_to_string(e));
	assert_null(livepatch_event_to_string(_LIVEPATCH_EVENT_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmsg_record_parse),
		cmocka_unit_test(test_kmsg_record_not_terminated),
		cmocka_unit_test(test_livepatch_record_classify),
		cmocka_unit_test(test_livepatch_event_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
