/* Unit tests of SHA-256 against the FIPS 180-4 example vectors, with every implementation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Included, not linked: the tests choose the compression function sha256.c would pick. */
#include "sha256.c"

static void digest_of(const void *data, size_t len, char hex[65])
{
	struct sha256 s;
	uint8_t d[SHA256_BYTES];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

static void vectors(void)
{
	char hex[65];

	digest_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	digest_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklm"
		  "nopqrlmnopqrsmnopqrstnopqrstu", 112, hex);
	assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* Feeding the input in pieces of every size gives the same digest as one piece. */
static void incremental(void)
{
	static char million[1000000];
	char whole[65], hex[65];
	size_t step;

	memset(million, 'a', sizeof(million));
	digest_of(million, sizeof(million), whole);
	assert_string_equal(whole,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	digest_of(million, 1000, whole);
	for (step = 1; step < 200; step += 7) {
		struct sha256 s;
		uint8_t d[SHA256_BYTES];
		size_t off;

		sha256_init(&s);
		for (off = 0; off < 1000; off += step)
			sha256_update(&s, million + off, off + step > 1000 ? 1000 - off : step);
		sha256_final(&s, d);
		sha256_hex(d, hex);
		assert_string_equal(hex, whole);
	}
}

static void test_portable(void **state)
{
	(void)state;
	compress = compress_portable;
	vectors();
	incremental();
}

/* The x86 SHA extensions, when this CPU has them, against the vectors and the portable code. */
static void test_sha_extensions(void **state)
{
#ifdef SHA256_X86
	static uint8_t noise[4099];
	char portable[65], fast[65];
	size_t i, len;

	(void)state;
	if (!cpu_has_shani())
		skip();
	compress = compress_shani;
	vectors();
	incremental();
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (uint8_t)(i * 2654435761u >> 13);
	for (len = 0; len <= sizeof(noise); len += len < 130 ? 1 : 997) {
		compress = compress_portable;
		digest_of(noise, len, portable);
		compress = compress_shani;
		digest_of(noise, len, fast);
		assert_string_equal(fast, portable);
	}
#else
	(void)state;
	skip();
#endif
}

/* What sha256.c picks by itself is one of the two. */
static void test_default_choice(void **state)
{
	(void)state;
	compress = NULL;
	vectors();
#ifdef SHA256_X86
	assert_ptr_equal(compress, cpu_has_shani() ? compress_shani : compress_portable);
#else
	assert_ptr_equal(compress, compress_portable);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_portable),
		cmocka_unit_test(test_sha_extensions),
		cmocka_unit_test(test_default_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
