/* Unit tests of SHA-256 against the FIPS 180-4 example vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void digest_of(const void *data, size_t len, char hex[65])
{
	struct sha256 s;
	uint8_t d[SHA256_BYTES];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

static void test_vectors(void **state)
{
	char hex[65];

	(void)state;
	digest_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Feeding the input in pieces of every size gives the same digest as one piece. */
static void test_incremental(void **state)
{
	static char million[1000000];
	char whole[65], hex[65];
	size_t step;

	(void)state;
	memset(million, 'a', sizeof(million));
	digest_of(million, sizeof(million), whole);
	assert_string_equal(whole,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	for (step = 1; step < 130; step += 7) {
		struct sha256 s;
		uint8_t d[SHA256_BYTES];
		size_t off;

		sha256_init(&s);
		for (off = 0; off < 1000; off += step)
			sha256_update(&s, million + off, off + step > 1000 ? 1000 - off : step);
		sha256_final(&s, d);
		sha256_hex(d, hex);
		digest_of(million, 1000, whole);
		assert_string_equal(hex, whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
