/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "kernel-incident.h"
#include "macro.h"

/* A cursor over one record's text, which may hold any byte. */
struct span {
	const char *p, *end;
};

static bool span_skip(struct span *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool starts_with(const char *text, size_t len, const char *lit)
{
	struct span s = { text, text + len };

	return span_skip(&s, lit);
}

static bool ends_with(const char *text, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(text + len - n, lit, n) == 0;
}

/* The first occurrence of LIT in S, or NULL. */
static const char *span_find(const struct span *s, const char *lit)
{
	size_t n = strlen(lit);

	for (const char *p = s->p; (size_t)(s->end - p) >= n; p++) {
		p = memchr(p, lit[0], (size_t)(s->end - p));
		if (!p || (size_t)(s->end - p) < n)
			return NULL;
		if (memcmp(p, lit, n) == 0)
			return p;
	}
	return NULL;
}

static size_t span_while(struct span *s, bool (*ok)(char))
{
	const char *start = s->p;

	while (s->p < s->end && ok(*s->p))
		s->p++;
	return (size_t)(s->p - start);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What kallsyms names: C identifiers plus the compilers' suffixes
 * (".cold", ".isra.0", ".constprop.0", ".llvm.123") */
static bool is_symbol_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '.' || c == '$';
}

static bool is_module_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '-';
}

static bool is_equals(char c)
{
	return c == '=';
}

/* "%pS" of a code address: "sym+0xOFF/0xSIZE", then " [module]" when the
 * code is a module's, or " [module BUILDID]" with CONFIG_STACKTRACE_BUILD_ID.
 * On success advances S past it and sets MOD ("" for vmlinux). */
static bool parse_symref(struct span *s, char mod[static KLP_MODULE_NAME_MAX])
{
	struct span t = *s;
	size_t n;

	mod[0] = '\0';
	if (span_while(&t, is_symbol_char) == 0)
		return false;
	if (!span_skip(&t, "+0x") || span_while(&t, is_hex) == 0)
		return false;
	if (!span_skip(&t, "/0x") || span_while(&t, is_hex) == 0)
		return false;
	*s = t;

	if (!span_skip(&t, " ["))
		return true;
	n = span_while(&t, is_module_char);
	if (n == 0 || n >= KLP_MODULE_NAME_MAX)
		return true;
	if (span_skip(&t, " ") && span_while(&t, is_hex) == 0)
		return true;
	if (!span_skip(&t, "]"))
		return true;
	memcpy(mod, s->p + 2, n);
	mod[n] = '\0';
	*s = t;
	return true;
}

/* Nothing but blanks left. */
static bool span_rest_blank(struct span *s)
{
	span_while(s, is_blank);
	return s->p == s->end;
}

/* The whole rest of S is one "%pS" (trailing blanks allowed). */
static bool parse_symref_to_end(struct span s, char mod[static KLP_MODULE_NAME_MAX])
{
	return parse_symref(&s, mod) && span_rest_blank(&s);
}

/* Skip a "[<ffffffff81000000>]" raw address (older kernels print one before
 * the symbol, in frames and on the RIP: line), with the blanks after it. */
static void skip_raw_address(struct span *s)
{
	struct span t = *s;

	if (span_skip(&t, "[<") && span_while(&t, is_hex) > 0 && span_skip(&t, ">]")) {
		span_while(&t, is_blank);
		*s = t;
	}
}

enum line_kind {
	LINE_OTHER,
	LINE_REPORT,           /* belongs to a report, names no code: Call Trace:, <IRQ> */
	LINE_FRAME,            /* names code: a reliable frame, RIP:, pc : */
	LINE_FRAME_UNRELIABLE, /* "? sym+0x../0x.." */
	LINE_END,              /* ---[ end trace ... ]--- */
	LINE_SEPARATOR,        /* a row of '=': opens and closes KASAN and older UBSAN reports */
};

/* Classify a line inside a report; MOD gets the module a frame names. */
static enum line_kind classify_line(const char *text, size_t len,
				    char mod[static KLP_MODULE_NAME_MAX])
{
	struct span s = { text, text + len };

	mod[0] = '\0';
	if (span_skip(&s, "---[ end "))
		return LINE_END;
	{
		struct span t = s;

		if (span_while(&t, is_equals) >= 20 && span_rest_blank(&t))
			return LINE_SEPARATOR;
	}

	span_while(&s, is_blank);
	/* x86 "RIP: 0010:sym+0x1c/0x40 [m]", before 4.15 with raw addresses;
	 * a user-space RIP ("0033:0x7f...") names nothing. x86-32 "EIP: sym...",
	 * arm64 "pc : sym...". */
	if (span_skip(&s, "RIP: ")) {
		span_while(&s, is_hex);
		if (!span_skip(&s, ":"))
			return LINE_REPORT;
		skip_raw_address(&s);
		skip_raw_address(&s);
		return parse_symref_to_end(s, mod) ? LINE_FRAME : LINE_REPORT;
	}
	if (span_skip(&s, "pc : ") || span_skip(&s, "EIP: "))
		return parse_symref_to_end(s, mod) ? LINE_FRAME : LINE_REPORT;
	if (span_skip(&s, "Call Trace:") || span_skip(&s, "Call trace:"))
		return LINE_REPORT;
	if (s.p < s.end && *s.p == '<' && s.end[-1] == '>' && s.end - s.p <= 8)
		return LINE_REPORT; /* <TASK>, </IRQ>, <NMI>, <EOI> */

	skip_raw_address(&s);
	if (span_skip(&s, "? "))
		return parse_symref_to_end(s, mod) ? LINE_FRAME_UNRELIABLE : LINE_OTHER;
	if (parse_symref_to_end(s, mod))
		return LINE_FRAME;
	mod[0] = '\0';
	return LINE_OTHER;
}

/* "[Oops: ]STR: 0000 [#1]" and then nothing or " FLAGS": x86's die header
 * (arch/x86/kernel/dumpstack.c __die_header). Strict, so that a line that
 * merely starts with a chosen task name does not pass. */
static bool die_header_tail(struct span s)
{
	const char *p = span_find(&s, ": ");

	while (p) {
		struct span t = { p + 2, s.end };

		if (span_while(&t, is_hex) == 4 && span_skip(&t, " [#") &&
		    span_while(&t, is_digit) > 0 && span_skip(&t, "]") &&
		    (t.p == t.end || *t.p == ' '))
			return true;
		s.p = p + 1;
		p = span_find(&s, ": ");
	}
	return false;
}

static enum kernel_incident_kind classify_die(struct span s)
{
	static const char *const traps[] = { "invalid opcode: ", "int3: ", "stack segment: ",
					     "double fault: " };
	bool oops_prefix;

	if (!die_header_tail(s))
		return _KERNEL_INCIDENT_KIND_INVALID;
	oops_prefix = span_skip(&s, "Oops: ");
	if (starts_with(s.p, (size_t)(s.end - s.p), "general protection fault") ||
	    starts_with(s.p, (size_t)(s.end - s.p), "segment-related general protection fault"))
		return KERNEL_INCIDENT_GPF;
	if (oops_prefix)
		return KERNEL_INCIDENT_OOPS;
	/* before 6.10 the header has no "Oops: " before the trap's name */
	for (size_t i = 0; i < ELEMENTSOF(traps); i++)
		if (starts_with(s.p, (size_t)(s.end - s.p), traps[i]))
			return KERNEL_INCIDENT_OOPS;
	return _KERNEL_INCIDENT_KIND_INVALID;
}

static bool is_rcu_stall(struct span s)
{
	static const char *const forms[] = {
		" detected stalls on CPUs/tasks:",
		" detected expedited stalls on CPUs/tasks:",
		" self-detected stall on CPU",
		" detected stalls on tasks:",
	};

	span_skip(&s, "rcu: ");
	if (!span_skip(&s, "INFO: ") || span_while(&s, is_symbol_char) == 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(forms); i++)
		if (starts_with(s.p, (size_t)(s.end - s.p), forms[i]))
			return true;
	return false;
}

static bool is_hard_lockup(struct span s)
{
	if (!span_skip(&s, "NMI watchdog: "))
		span_skip(&s, "watchdog: ");
	/* since 6.5 with the reporting CPU first: "CPU3: Watchdog ..." */
	{
		struct span t = s;

		if (span_skip(&t, "CPU") && span_while(&t, is_digit) > 0 && span_skip(&t, ": "))
			s = t;
	}
	return span_skip(&s, "Watchdog detected hard LOCKUP on cpu ");
}

enum kernel_incident_kind kernel_incident_classify(unsigned level, const char *text, size_t len)
{
	struct span s = { text, text + len };
	if (!text || level > 4)
		return _KERNEL_INCIDENT_KIND_INVALID;

	if (span_skip(&s, "WARNING: ")) {
		/* <= 6.15: "WARNING: CPU: 1 PID: 2 at ..."; later:
		 * "WARNING: [file:line ]at sym..., CPU#1: comm/2" */
		if (starts_with(s.p, (size_t)(s.end - s.p), "CPU: ") || span_find(&s, ", CPU#"))
			return KERNEL_INCIDENT_WARNING;
		return _KERNEL_INCIDENT_KIND_INVALID;
	}
	s.p = text;
	if (span_skip(&s, "BUG: KASAN: "))
		return KERNEL_INCIDENT_KASAN;
	s.p = text;
	span_skip(&s, "watchdog: ");
	if (span_skip(&s, "BUG: soft lockup - CPU#"))
		return KERNEL_INCIDENT_SOFT_LOCKUP;
	s.p = text;
	if (span_skip(&s, "BUG: ") || span_skip(&s, "kernel BUG at ") ||
	    span_skip(&s, "Kernel BUG at "))
		return KERNEL_INCIDENT_BUG;
	if (span_skip(&s, "UBSAN: "))
		return KERNEL_INCIDENT_UBSAN;
	if (span_skip(&s, "INFO: task ")) {
		if (span_find(&s, " blocked for more than ") && ends_with(text, len, " seconds."))
			return KERNEL_INCIDENT_HUNG_TASK;
		return _KERNEL_INCIDENT_KIND_INVALID;
	}
	if (is_rcu_stall(s))
		return KERNEL_INCIDENT_RCU_STALL;
	if (is_hard_lockup(s))
		return KERNEL_INCIDENT_HARD_LOCKUP;
	return classify_die(s);
}

static void add_module(struct kernel_incident *inc, const char *mod)
{
	if (!mod[0] || !module_name_valid(mod))
		return;
	for (size_t i = 0; i < inc->n_modules; i++)
		if (module_name_equal(inc->modules[i], mod))
			return;
	if (inc->n_modules >= KERNEL_INCIDENT_MODULES_MAX) {
		inc->modules_truncated = true;
		return;
	}
	snprintf(inc->modules[inc->n_modules++], KLP_MODULE_NAME_MAX, "%s", mod);
}

static void add_line(struct kernel_incident *inc, const char *text, size_t len)
{
	char *dst;

	if (inc->n_lines >= KERNEL_INCIDENT_LINES)
		return;
	dst = inc->lines[inc->n_lines++];
	if (len > KERNEL_INCIDENT_LINE_MAX - 1)
		len = KERNEL_INCIDENT_LINE_MAX - 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[len] = '\0';
}

/* The code the first line itself names: the WARN site ("at [file:line ]%pS"),
 * a BUG() site without file ("Kernel BUG at %pB [...]") and the bad access of
 * a KASAN report ("in %pS"). The rest of those lines
 * (a file name, a task name at the end since 6.16) is never read as one. */
static void first_line_module(struct kernel_incident *inc, const char *text, size_t len)
{
	struct span s = { text, text + len };
	char mod[KLP_MODULE_NAME_MAX];
	const char *p;

	if (inc->kind == KERNEL_INCIDENT_WARNING) {
		span_skip(&s, "WARNING: ");
		if (span_skip(&s, "CPU: ")) {
			/* "at FILE:LINE %pS" or "at %pS", to the end of the line */
			p = span_find(&s, " at ");
			if (!p)
				return;
			s.p = p + 4;
			if (parse_symref_to_end(s, mod)) {
				add_module(inc, mod);
				return;
			}
			p = memchr(s.p, ' ', (size_t)(s.end - s.p));
			if (p) {
				s.p = p + 1;
				if (parse_symref_to_end(s, mod))
					add_module(inc, mod);
			}
			return;
		}
		/* "[FILE:LINE ]at %pS, CPU#..." */
		if (!span_skip(&s, "at ")) {
			p = span_find(&s, " at ");
			if (!p)
				return;
			s.p = p + 4;
		}
		if (parse_symref(&s, mod) && span_skip(&s, ", CPU#"))
			add_module(inc, mod);
		return;
	}
	/* BUG() without file and line (lib/bug.c) */
	if (inc->kind == KERNEL_INCIDENT_BUG) {
		if (span_skip(&s, "Kernel BUG at ") && parse_symref(&s, mod) &&
		    span_skip(&s, " [verbose debug info unavailable]") && span_rest_blank(&s))
			add_module(inc, mod);
		return;
	}
	if (inc->kind == KERNEL_INCIDENT_KASAN) {
		p = span_find(&s, " in ");
		if (!p)
			return;
		s.p = p + 4;
		if (parse_symref_to_end(s, mod))
			add_module(inc, mod);
	}
}

void kernel_incident_reader_init(struct kernel_incident_reader *r)
{
	memset(r, 0, sizeof(*r));
}

const struct kernel_incident *kernel_incident_reader_flush(struct kernel_incident_reader *r)
{
	if (!r->open)
		return NULL;
	r->done = r->cur;
	r->open = false;
	return &r->done;
}

static void start(struct kernel_incident_reader *r, enum kernel_incident_kind kind,
		  const struct kmsg_record *rec)
{
	memset(&r->cur, 0, sizeof(r->cur));
	r->cur.kind = kind;
	r->cur.seq = rec->seq;
	r->cur.usec = rec->usec;
	r->open = true;
	r->seen_report = false;
	r->last_seq = r->report_seq = rec->seq;
	r->report_usec = rec->usec;
	add_line(&r->cur, rec->text, rec->text_len);
	first_line_module(&r->cur, rec->text, rec->text_len);
}

static bool quiet_too_long(const struct kernel_incident_reader *r, const struct kmsg_record *rec)
{
	if (rec->seq <= r->last_seq)
		return true; /* the reader started over or went back */
	if (rec->seq - r->report_seq > KERNEL_INCIDENT_QUIET_RECORDS)
		return true;
	return rec->usec > r->report_usec &&
	       rec->usec - r->report_usec > KERNEL_INCIDENT_QUIET_USEC;
}

const struct kernel_incident *kernel_incident_reader_feed(struct kernel_incident_reader *r,
							  const struct kmsg_record *rec)
{
	const struct kernel_incident *done = NULL;
	enum kernel_incident_kind kind;
	char mod[KLP_MODULE_NAME_MAX];
	enum line_kind lk;

	if (!r || !rec || !rec->text || rec->facility != 0)
		return NULL;
	if (r->open && quiet_too_long(r, rec))
		done = kernel_incident_reader_flush(r);

	kind = kernel_incident_classify(rec->level, rec->text, rec->text_len);
	if (kind != _KERNEL_INCIDENT_KIND_INVALID) {
		/* "BUG: kernel NULL pointer dereference" or "kernel BUG at" is
		 * followed by the die header of the same report */
		if (r->open && r->cur.kind == KERNEL_INCIDENT_BUG && !r->seen_report &&
		    (kind == KERNEL_INCIDENT_OOPS || kind == KERNEL_INCIDENT_GPF)) {
			add_line(&r->cur, rec->text, rec->text_len);
			r->last_seq = r->report_seq = rec->seq;
			r->report_usec = rec->usec;
			return done;
		}
		if (r->open)
			done = kernel_incident_reader_flush(r);
		start(r, kind, rec);
		return done;
	}
	if (!r->open)
		return done;

	r->last_seq = rec->seq;
	lk = classify_line(rec->text, rec->text_len, mod);
	if (lk == LINE_END)
		return kernel_incident_reader_flush(r);
	if (lk == LINE_SEPARATOR &&
	    (r->cur.kind == KERNEL_INCIDENT_KASAN || r->cur.kind == KERNEL_INCIDENT_UBSAN))
		return kernel_incident_reader_flush(r);
	if (lk == LINE_FRAME)
		add_module(&r->cur, mod);
	/* "? " frames are words on the stack that look like return addresses,
	 * often left by calls that already returned: they keep the report
	 * open but blame no module. */
	if (lk == LINE_FRAME || lk == LINE_FRAME_UNRELIABLE)
		r->seen_report = true;
	if (lk == LINE_FRAME || lk == LINE_FRAME_UNRELIABLE || lk == LINE_REPORT) {
		r->report_seq = rec->seq;
		r->report_usec = rec->usec;
	}
	add_line(&r->cur, rec->text, rec->text_len);
	return done;
}

bool kernel_incident_names_module(const struct kernel_incident *inc, const char *module)
{
	if (!inc || !module)
		return false;
	for (size_t i = 0; i < inc->n_modules && i < KERNEL_INCIDENT_MODULES_MAX; i++)
		if (module_name_equal(inc->modules[i], module))
			return true;
	return false;
}

static const char *const kind_names[_KERNEL_INCIDENT_KIND_MAX] = {
	[KERNEL_INCIDENT_WARNING] = "warning",
	[KERNEL_INCIDENT_BUG] = "bug",
	[KERNEL_INCIDENT_OOPS] = "oops",
	[KERNEL_INCIDENT_GPF] = "gpf",
	[KERNEL_INCIDENT_SOFT_LOCKUP] = "soft-lockup",
	[KERNEL_INCIDENT_HARD_LOCKUP] = "hard-lockup",
	[KERNEL_INCIDENT_HUNG_TASK] = "hung-task",
	[KERNEL_INCIDENT_RCU_STALL] = "rcu-stall",
	[KERNEL_INCIDENT_KASAN] = "kasan",
	[KERNEL_INCIDENT_UBSAN] = "ubsan",
};

const char *kernel_incident_kind_to_string(enum kernel_incident_kind k)
{
	if ((unsigned)k >= _KERNEL_INCIDENT_KIND_MAX)
		return NULL;
	return kind_names[k];
}

enum kernel_incident_kind kernel_incident_kind_from_string(const char *s)
{
	if (!s)
		return _KERNEL_INCIDENT_KIND_INVALID;
	for (size_t i = 0; i < ELEMENTSOF(kind_names); i++)
		if (streq(kind_names[i], s))
			return (enum kernel_incident_kind)i;
	return _KERNEL_INCIDENT_KIND_INVALID;
}
