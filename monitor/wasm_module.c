/* Bounded reader of the wasm binary format (type, import, function, memory, export sections). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_module.h"

#define MAX_ITEMS 1000000u /* more entries than any section of a sane module */

struct reader {
	const uint8_t *p, *end;
	char *err;
	size_t errlen;
	int failed;
};

struct functype {
	char *sig;
};

static void fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = 1;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static uint8_t byte(struct reader *r)
{
	if (r->failed || r->p >= r->end) {
		fail(r, "unexpected end of data");
		return 0;
	}
	return *r->p++;
}

static uint32_t u32(struct reader *r)
{
	uint32_t v = 0;
	unsigned shift;

	for (shift = 0; shift < 35; shift += 7) {
		uint8_t b = byte(r);
		if (r->failed)
			return 0;
		if (shift == 28 && (b & 0x70)) {
			fail(r, "integer too large");
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	fail(r, "integer representation too long");
	return 0;
}

static uint32_t count(struct reader *r)
{
	uint32_t n = u32(r);

	/* Each item takes at least one byte, so a count beyond the data is malformed. */
	if (!r->failed && (n > MAX_ITEMS || n > (size_t)(r->end - r->p)))
		fail(r, "item count %u out of range", n);
	return r->failed ? 0 : n;
}

static char *name(struct reader *r)
{
	uint32_t n = u32(r);
	char *s;

	if (r->failed)
		return NULL;
	if (n > (size_t)(r->end - r->p)) {
		fail(r, "name runs past the end of its section");
		return NULL;
	}
	if (memchr(r->p, 0, n)) {
		fail(r, "name contains a NUL byte");
		return NULL;
	}
	s = malloc(n + 1);
	if (!s) {
		fail(r, "out of memory");
		return NULL;
	}
	memcpy(s, r->p, n);
	s[n] = 0;
	r->p += n;
	return s;
}

static char type_letter(struct reader *r, uint8_t t)
{
	switch (t) {
	case 0x7f:
		return 'i';
	case 0x7e:
		return 'I';
	case 0x7d:
		return 'f';
	case 0x7c:
		return 'F';
	case 0x7b:
		return 'v';
	case 0x70:
		return 'r';
	case 0x6f:
		return 'e';
	}
	fail(r, "unknown value type 0x%02x", t);
	return '?';
}

static void limits(struct reader *r, uint32_t *min, bool *has_max, uint32_t *max)
{
	uint8_t flags = byte(r);

	if (flags > 1) {
		fail(r, "unsupported limits flags 0x%02x (shared or 64-bit memory)", flags);
		return;
	}
	*min = u32(r);
	*has_max = flags == 1;
	*max = *has_max ? u32(r) : 0;
}

static char *read_functype(struct reader *r)
{
	uint32_t np, nr, i;
	char *sig;

	if (byte(r) != 0x60) {
		fail(r, "malformed function type");
		return NULL;
	}
	np = count(r);
	if (r->failed)
		return NULL;
	sig = malloc((size_t)np + 2);
	if (!sig) {
		fail(r, "out of memory");
		return NULL;
	}
	for (i = 0; i < np; i++)
		sig[i] = type_letter(r, byte(r));
	sig[np] = ':';
	nr = count(r);
	if (!r->failed) {
		char *grown = realloc(sig, (size_t)np + nr + 2);
		if (!grown) {
			fail(r, "out of memory");
		} else {
			sig = grown;
			for (i = 0; i < nr; i++)
				sig[np + 1 + i] = type_letter(r, byte(r));
			sig[np + 1 + nr] = 0;
		}
	}
	if (r->failed) {
		free(sig);
		return NULL;
	}
	return sig;
}

struct parse {
	struct reader r;
	struct wmod_info *info;
	char **types;
	uint32_t ntypes;
	uint32_t *func_types; /* type index of every function, imported ones first */
	uint32_t nfuncs;
	uint32_t nimported_funcs;
};

static int add_func(struct parse *ps, uint32_t type)
{
	uint32_t *grown;

	if (type >= ps->ntypes) {
		fail(&ps->r, "function type index %u out of range", type);
		return -1;
	}
	grown = realloc(ps->func_types, ((size_t)ps->nfuncs + 1) * sizeof(*grown));
	if (!grown) {
		fail(&ps->r, "out of memory");
		return -1;
	}
	ps->func_types = grown;
	ps->func_types[ps->nfuncs++] = type;
	return 0;
}

static char *dup_sig(struct parse *ps, uint32_t func)
{
	char *s;

	if (func >= ps->nfuncs) {
		fail(&ps->r, "function index %u out of range", func);
		return NULL;
	}
	s = strdup(ps->types[ps->func_types[func]]);
	if (!s)
		fail(&ps->r, "out of memory");
	return s;
}

static void type_section(struct parse *ps)
{
	struct reader *r = &ps->r;
	uint32_t n = count(r), i;

	if (r->failed)
		return;
	if (ps->types) {
		fail(r, "duplicate type section");
		return;
	}
	ps->types = calloc(n ? n : 1, sizeof(*ps->types));
	if (!ps->types) {
		fail(r, "out of memory");
		return;
	}
	for (i = 0; i < n && !r->failed; i++) {
		ps->types[i] = read_functype(r);
		if (ps->types[i])
			ps->ntypes = i + 1;
	}
}

static void import_section(struct parse *ps)
{
	struct reader *r = &ps->r;
	struct wmod_info *info = ps->info;
	uint32_t n = count(r), i, a, b;
	bool m;

	if (r->failed)
		return;
	info->imports = calloc(n ? n : 1, sizeof(*info->imports));
	if (!info->imports) {
		fail(r, "out of memory");
		return;
	}
	for (i = 0; i < n && !r->failed; i++) {
		struct wmod_import *imp = &info->imports[i];
		uint8_t kind;

		info->nimports = i + 1;
		imp->module = name(r);
		imp->name = name(r);
		kind = byte(r);
		imp->kind = (enum wmod_kind)kind;
		switch (kind) {
		case WMOD_FUNC:
			a = u32(r);
			if (!r->failed && add_func(ps, a) == 0) {
				ps->nimported_funcs++;
				imp->sig = dup_sig(ps, ps->nfuncs - 1);
			}
			break;
		case WMOD_TABLE:
			type_letter(r, byte(r));
			limits(r, &a, &m, &b);
			break;
		case WMOD_MEMORY:
			limits(r, &a, &m, &b);
			break;
		case WMOD_GLOBAL:
			type_letter(r, byte(r));
			byte(r);
			break;
		default:
			fail(r, "unsupported import kind %u", kind);
		}
	}
}

static void function_section(struct parse *ps)
{
	struct reader *r = &ps->r;
	uint32_t n = count(r), i;

	for (i = 0; i < n && !r->failed; i++)
		add_func(ps, u32(r));
}

static void memory_section(struct parse *ps)
{
	struct reader *r = &ps->r;
	struct wmod_info *info = ps->info;
	uint32_t n = count(r);

	if (r->failed || n == 0)
		return;
	if (n > 1 || info->has_memory) {
		fail(r, "more than one memory (multi-memory is not supported)");
		return;
	}
	limits(r, &info->mem_initial, &info->mem_has_max, &info->mem_max);
	if (!r->failed && info->mem_initial > 65536)
		fail(r, "initial memory of %u pages exceeds 4 GiB", info->mem_initial);
	info->has_memory = !r->failed;
}

static void export_section(struct parse *ps)
{
	struct reader *r = &ps->r;
	struct wmod_info *info = ps->info;
	uint32_t n = count(r), i;

	if (r->failed)
		return;
	info->exports = calloc(n ? n : 1, sizeof(*info->exports));
	if (!info->exports) {
		fail(r, "out of memory");
		return;
	}
	for (i = 0; i < n && !r->failed; i++) {
		struct wmod_export *exp = &info->exports[i];

		info->nexports = i + 1;
		exp->name = name(r);
		exp->kind = (enum wmod_kind)byte(r);
		exp->index = u32(r);
		if (!r->failed && exp->kind == WMOD_FUNC)
			exp->sig = dup_sig(ps, exp->index);
		else if (!r->failed && exp->kind > WMOD_TAG)
			fail(r, "unsupported export kind %u", exp->kind);
	}
}

int wmod_parse(const uint8_t *bytes, size_t len, struct wmod_info *out, char *err, size_t errlen)
{
	static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	struct parse ps;
	uint8_t last_id = 0;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.info = out;
	ps.r.err = err;
	ps.r.errlen = errlen;
	if (len < 8 || memcmp(bytes, header, 4)) {
		fail(&ps.r, "not a WebAssembly binary (bad magic number)");
		goto done;
	}
	if (memcmp(bytes + 4, header + 4, 4)) {
		fail(&ps.r, "unsupported WebAssembly binary version");
		goto done;
	}
	ps.r.p = bytes + 8;
	ps.r.end = bytes + len;
	while (ps.r.p < ps.r.end && !ps.r.failed) {
		uint8_t id = byte(&ps.r);
		uint32_t size = u32(&ps.r);
		const uint8_t *section_end;

		if (ps.r.failed)
			break;
		if (size > (size_t)(ps.r.end - ps.r.p)) {
			fail(&ps.r, "section %u runs past the end of the file (truncated?)", id);
			break;
		}
		section_end = ps.r.p + size;
		if (id != 0) {
			/* Rank of each known section id in the order the binary format requires. */
			static const uint8_t rank[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
			uint8_t order = id < 14 ? rank[id] : 0;
			if (!order) {
				fail(&ps.r, "unknown section id %u", id);
				break;
			}
			if (order <= last_id) {
				fail(&ps.r, "section %u out of order or duplicated", id);
				break;
			}
			last_id = order;
		}
		ps.r.end = section_end;
		switch (id) {
		case 1:
			type_section(&ps);
			break;
		case 2:
			import_section(&ps);
			break;
		case 3:
			function_section(&ps);
			break;
		case 5:
			memory_section(&ps);
			break;
		case 7:
			export_section(&ps);
			break;
		default:
			ps.r.p = section_end;
		}
		if (!ps.r.failed && ps.r.p != section_end)
			fail(&ps.r, "section %u has a size that does not match its contents", id);
		ps.r.p = section_end;
		ps.r.end = bytes + len;
	}
done:
	for (i = 0; i < ps.ntypes; i++)
		free(ps.types[i]);
	free(ps.types);
	free(ps.func_types);
	if (ps.r.failed) {
		wmod_free(out);
		return -1;
	}
	return 0;
}

void wmod_free(struct wmod_info *info)
{
	size_t i;

	for (i = 0; i < info->nimports; i++) {
		free(info->imports[i].module);
		free(info->imports[i].name);
		free(info->imports[i].sig);
	}
	for (i = 0; i < info->nexports; i++) {
		free(info->exports[i].name);
		free(info->exports[i].sig);
	}
	free(info->imports);
	free(info->exports);
	memset(info, 0, sizeof(*info));
}

const struct wmod_export *wmod_find_export(const struct wmod_info *info, const char *export_name)
{
	size_t i;

	for (i = 0; i < info->nexports; i++)
		if (info->exports[i].name && !strcmp(info->exports[i].name, export_name))
			return &info->exports[i];
	return NULL;
}
