/* Unit tests of the wasm binary reader: what it extracts, and that bad input is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wasm_module.h"

/*
 * (module
 *   (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
 *   (import "intravisor" "clock_ns" (func (param i32) (result i64)))
 *   (memory (export "memory") 2 16)
 *   (func (export "_start")))
 */
static const uint8_t sample[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	/* type: 3 types */
	0x01, 0x11, 0x03, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01,
	0x7e, 0x60, 0x00, 0x00,
	/* import: 2 */
	0x02, 0x39, 0x02, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't',
	'_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1', 0x08, 'f', 'd', '_', 'w', 'r', 'i', 't', 'e',
	0x00, 0x00, 0x0a, 'i', 'n', 't', 'r', 'a', 'v', 'i', 's', 'o', 'r', 0x08, 'c', 'l', 'o',
	'c', 'k', '_', 'n', 's', 0x00, 0x01,
	/* function: 1, type 2 */
	0x03, 0x02, 0x01, 0x02,
	/* memory: 1, min 2 max 16 */
	0x05, 0x04, 0x01, 0x01, 0x02, 0x10,
	/* export: memory, _start (function 2: after the two imports) */
	0x07, 0x13, 0x02, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 0x06, '_', 's', 't',
	'a', 'r', 't', 0x00, 0x02,
	/* code: 1 empty body */
	0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

static void test_extracts_imports_exports_memory(void **state)
{
	struct wmod_info info;
	char err[256];
	const struct wmod_export *e;

	(void)state;
	assert_int_equal(wmod_parse(sample, sizeof(sample), &info, err, sizeof(err)), 0);
	assert_int_equal(info.nimports, 2);
	assert_string_equal(info.imports[0].module, "wasi_snapshot_preview1");
	assert_string_equal(info.imports[0].name, "fd_write");
	assert_string_equal(info.imports[0].sig, "iiii:i");
	assert_string_equal(info.imports[1].module, "intravisor");
	assert_string_equal(info.imports[1].sig, "i:I");
	assert_true(info.has_memory);
	assert_int_equal(info.mem_initial, 2);
	assert_true(info.mem_has_max);
	assert_int_equal(info.mem_max, 16);
	e = wmod_find_export(&info, "_start");
	assert_non_null(e);
	assert_int_equal(e->kind, WMOD_FUNC);
	assert_string_equal(e->sig, ":");
	e = wmod_find_export(&info, "memory");
	assert_non_null(e);
	assert_int_equal(e->kind, WMOD_MEMORY);
	assert_null(wmod_find_export(&info, "main"));
	wmod_free(&info);
}

static void expect_refused(const uint8_t *bytes, size_t len, const char *reason)
{
	struct wmod_info info;
	char err[256] = "";

	assert_int_equal(wmod_parse(bytes, len, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, reason));
	assert_int_equal(info.nimports, 0);
	assert_null(info.imports);
}

static void test_bad_magic_and_version(void **state)
{
	uint8_t b[sizeof(sample)];

	(void)state;
	expect_refused((const uint8_t *)"\x7f" "ELF\x02\x01\x01\x00", 8, "bad magic");
	expect_refused(sample, 3, "bad magic");
	memcpy(b, sample, sizeof(b));
	b[4] = 2;
	expect_refused(b, sizeof(b), "version");
}

/* Every truncation of a valid module is refused, never read past. */
static void test_every_truncation_refused(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(sample); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct wmod_info info;
		char err[256];

		memcpy(copy, sample, n);
		/* Cutting right after a whole section leaves a valid, shorter module. */
		if (wmod_parse(copy, n, &info, err, sizeof(err)) == 0)
			wmod_free(&info);
		else
			assert_true(strlen(err) > 0);
		free(copy);
	}
	expect_refused(sample, sizeof(sample) - 3, "past the end");
}

static void test_malformed_fields(void **state)
{
	uint8_t b[sizeof(sample)];

	(void)state;
	/* An import whose type index does not exist. */
	memcpy(b, sample, sizeof(b));
	b[63] = 9; /* header 8, type section 19, import header 3, two names, kind */
	expect_refused(b, sizeof(b), "type index");
	/* A LEB128 integer longer than 5 bytes. */
	{
		static const uint8_t leb[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x01, 0x80, 0x80,
					      0x80, 0x80, 0x80, 0x00};
		expect_refused(leb, sizeof(leb), "too long");
	}
	/* Sections out of order (memory before type). */
	{
		static const uint8_t order[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x05, 0x03, 0x01,
						0x00, 0x01, 0x01, 0x01, 0x00};
		expect_refused(order, sizeof(order), "out of order");
	}
	/* A count larger than the data could hold. */
	{
		static const uint8_t count[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x01, 0x05, 0xff,
						0xff, 0xff, 0xff, 0x0f};
		expect_refused(count, sizeof(count), "count");
	}
	/* Shared (threads) memory. */
	{
		static const uint8_t shared[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x05, 0x04, 0x01,
						 0x03, 0x01, 0x02};
		expect_refused(shared, sizeof(shared), "shared");
	}
	/* A section whose declared size disagrees with its contents. */
	{
		static const uint8_t size[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x01, 0x05, 0x01,
					       0x60, 0x00, 0x00, 0x00};
		expect_refused(size, sizeof(size), "does not match");
	}
	/* An unknown section id. */
	{
		static const uint8_t unknown[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x20, 0x00};
		expect_refused(unknown, sizeof(unknown), "unknown section");
	}
}

/* Deterministic random mutations never crash the reader (a smoke test; fuzzing goes further). */
static void test_random_mutations(void **state)
{
	uint32_t seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		uint8_t b[sizeof(sample)];
		struct wmod_info info;
		char err[256];
		int k;

		memcpy(b, sample, sizeof(b));
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			b[8 + (seed >> 8) % (sizeof(b) - 8)] = (uint8_t)(seed >> 16);
		}
		if (wmod_parse(b, sizeof(b), &info, err, sizeof(err)) == 0)
			wmod_free(&info);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extracts_imports_exports_memory),
		cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_malformed_fields),
		cmocka_unit_test(test_random_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
