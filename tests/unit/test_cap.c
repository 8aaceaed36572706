/* Unit tests of capability tables: handles, derivation, sealing, transfer, revocation, maps. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cap.h"
#include "cvm.h"
#include "fake_cvm.h"
#include "rt.h"

#define PAGE 65536u

/* A cVM as far as cap.c sees one: a name, a table of limit slots and 4 pages of memory. */
static struct fake_cvm *fake_new(const char *name, uint32_t limit)
{
	return fake_cvm_new(name, 4, limit, false);
}

static void test_handles_are_checked(void **state)
{
	struct fake_cvm *a = fake_new("a", 8);
	char buf[16];
	int h, h2;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD | IV_PERM_STORE);
	assert_true(h > 0);
	assert_int_equal(cap_load(&a->vm, h, 0, buf, sizeof(buf)), 0);
	/* Forged: no slot, wrong generation, negative, zero. */
	assert_int_equal(cap_load(&a->vm, h + 1, 0, buf, 1), -IV_EBADF);
	assert_int_equal(cap_load(&a->vm, h ^ (1 << 16), 0, buf, 1), -IV_EBADF);
	assert_int_equal(cap_load(&a->vm, -h, 0, buf, 1), -IV_EBADF);
	assert_int_equal(cap_load(&a->vm, 0, 0, buf, 1), -IV_EBADF);
	/* Dropped, then the slot reused: the old handle stays dead. */
	assert_int_equal(cap_drop(&a->vm, h), 0);
	assert_int_equal(cap_load(&a->vm, h, 0, buf, 1), -IV_EBADF);
	h2 = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD);
	assert_true(h2 > 0);
	assert_int_not_equal(h2, h);
	assert_int_equal(cap_load(&a->vm, h, 0, buf, 1), -IV_EBADF);
	fake_cvm_free(a);
}

static void test_derivation_is_monotonic(void **state)
{
	struct fake_cvm *a = fake_new("a", 8);
	struct iv_cap_info info;
	char buf[8];
	int h, d;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 4096, 8192, IV_PERM_LOAD);
	d = cap_derive(&a->vm, h, 100, 200, IV_PERM_LOAD);
	assert_true(d > 0);
	assert_int_equal(cap_info(&a->vm, d, &info), 0);
	assert_int_equal(info.base, 100);
	assert_int_equal(info.length, 200);
	assert_int_equal(info.perms, IV_PERM_LOAD);
	assert_int_equal(cap_derive(&a->vm, h, 0, 8192, IV_PERM_LOAD | IV_PERM_STORE),
			 -IV_ENOTCAPABLE);
	assert_int_equal(cap_derive(&a->vm, d, 0, 201, IV_PERM_LOAD), -IV_ERANGE);
	assert_int_equal(cap_derive(&a->vm, d, 201, 0, IV_PERM_LOAD), -IV_ERANGE);
	assert_int_equal(cap_derive(&a->vm, d, UINT64_MAX, 2, IV_PERM_LOAD), -IV_ERANGE);
	assert_int_equal(cap_derive(&a->vm, d, 1, UINT64_MAX, IV_PERM_LOAD), -IV_ERANGE);
	assert_int_equal(cap_load(&a->vm, d, 196, buf, 4), 0);
	assert_int_equal(cap_load(&a->vm, d, 197, buf, 4), -IV_ERANGE);
	assert_int_equal(cap_load(&a->vm, d, UINT64_MAX - 1, buf, 4), -IV_ERANGE);
	assert_int_equal(cap_store(&a->vm, d, 0, buf, 1), -IV_ENOTCAPABLE);
	fake_cvm_free(a);
}

static void test_copy_reaches_the_owner_memory(void **state)
{
	struct fake_cvm *a = fake_new("a", 8), *b = fake_new("b", 8);
	char buf[6] = {0};
	int h, t;

	(void)state;
	memcpy(a->mem.data + 5000, "hello", 6);
	h = cap_new_cvm_memory(&a->vm, &a->vm, 4096, 4096,
			       IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_GRANT);
	t = cap_transfer(&a->vm, h, &b->vm);
	assert_true(t > 0);
	assert_int_equal(cap_load(&b->vm, t, 904, buf, 6), 0);
	assert_string_equal(buf, "hello");
	assert_int_equal(cap_store(&b->vm, t, 904, "HELLO", 5), 0);
	assert_memory_equal(a->mem.data + 5000, "HELLO", 5);
	fake_cvm_free(b);
	fake_cvm_free(a);
}

static void test_revocation_reaches_every_copy(void **state)
{
	struct fake_cvm *a = fake_new("a", 8), *b = fake_new("b", 8), *c = fake_new("c", 8);
	char buf[4];
	int h, d, tb, tc, other;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD | IV_PERM_GRANT);
	other = cap_new_cvm_memory(&a->vm, &a->vm, 8192, 4096, IV_PERM_LOAD);
	d = cap_derive(&a->vm, h, 0, 1024, IV_PERM_LOAD | IV_PERM_GRANT);
	tb = cap_transfer(&a->vm, d, &b->vm);
	tc = cap_transfer(&b->vm, tb, &c->vm);
	assert_true(tb > 0 && tc > 0);
	assert_int_equal(cap_load(&c->vm, tc, 0, buf, 4), 0);
	/* Dropping the middle holder's handle keeps the chain revocable from the root. */
	assert_int_equal(cap_drop(&b->vm, tb), 0);
	assert_int_equal(cap_revoke(&a->vm, h), 0);
	assert_int_equal(cap_load(&a->vm, h, 0, buf, 4), -IV_ESTALE);
	assert_int_equal(cap_load(&a->vm, d, 0, buf, 4), -IV_ESTALE);
	assert_int_equal(cap_load(&c->vm, tc, 0, buf, 4), -IV_ESTALE);
	assert_int_equal(cap_derive(&c->vm, tc, 0, 1, IV_PERM_LOAD), -IV_ESTALE);
	/* A capability outside the revoked tree is untouched. */
	assert_int_equal(cap_load(&a->vm, other, 0, buf, 4), 0);
	/* A revoked handle can be dropped, and is then simply gone. */
	assert_int_equal(cap_drop(&c->vm, tc), 0);
	assert_int_equal(cap_load(&c->vm, tc, 0, buf, 4), -IV_EBADF);
	fake_cvm_free(c);
	fake_cvm_free(b);
	fake_cvm_free(a);
}

static void test_transfer_needs_grant(void **state)
{
	struct fake_cvm *a = fake_new("a", 8), *b = fake_new("b", 8);
	int h;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD);
	assert_int_equal(cap_transfer(&a->vm, h, &b->vm), -IV_ENOTCAPABLE);
	fake_cvm_free(b);
	fake_cvm_free(a);
}

static void test_sealing(void **state)
{
	struct fake_cvm *a = fake_new("a", 8);
	struct iv_cap_info info;
	char buf[4];
	int h, s1, s2, sealed, open;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD | IV_PERM_MAP);
	s1 = cap_sealer(&a->vm);
	s2 = cap_sealer(&a->vm);
	sealed = cap_seal(&a->vm, h, s1);
	assert_true(sealed > 0);
	assert_int_equal(cap_info(&a->vm, sealed, &info), 0);
	assert_int_not_equal(info.seal_type, 0);
	assert_int_equal(cap_load(&a->vm, sealed, 0, buf, 4), -IV_EACCES);
	assert_int_equal(cap_derive(&a->vm, sealed, 0, 1, IV_PERM_LOAD), -IV_EACCES);
	assert_int_equal(cap_map(&a->vm, sealed, 0), -IV_EACCES);
	assert_int_equal(cap_seal(&a->vm, sealed, s1), -IV_EACCES);
	assert_int_equal(cap_unseal(&a->vm, sealed, s2), -IV_EACCES);
	assert_int_equal(cap_unseal(&a->vm, sealed, h), -IV_EINVAL); /* not a sealer */
	open = cap_unseal(&a->vm, sealed, s1);
	assert_true(open > 0);
	assert_int_equal(cap_load(&a->vm, open, 0, buf, 4), 0);
	/* A sealer without SEAL cannot seal. */
	assert_int_equal(cap_seal(&a->vm, h, cap_derive(&a->vm, s1, 0, 0, IV_PERM_UNSEAL)),
			 -IV_ENOTCAPABLE);
	fake_cvm_free(a);
}

static void test_table_limit(void **state)
{
	struct fake_cvm *a = fake_new("a", 3);
	int i, h = 0;

	(void)state;
	for (i = 0; i < 3; i++) {
		h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 16, IV_PERM_LOAD);
		assert_true(h > 0);
	}
	assert_int_equal(cap_new_cvm_memory(&a->vm, &a->vm, 0, 16, IV_PERM_LOAD), -IV_EMFILE);
	assert_int_equal(cap_drop(&a->vm, h), 0);
	assert_true(cap_new_cvm_memory(&a->vm, &a->vm, 0, 16, IV_PERM_LOAD) > 0);
	fake_cvm_free(a);
}

struct touch {
	volatile uint8_t *p;
	int write;
};

static void touch(void *arg)
{
	struct touch *t = arg;

	if (t->write)
		*t->p = 7;
	else
		(void)*t->p;
}

static void mapping_body(void *arg)
{
	struct fake_cvm *a = fake_new("a", 8), *b = fake_new("b", 8);
	struct touch t;
	int h, ro, tb;

	(void)arg;
	memcpy(a->mem.data + PAGE, "shared", 7);
	h = cap_new_cvm_memory(&a->vm, &a->vm, PAGE, PAGE,
			       IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP | IV_PERM_GRANT);
	ro = cap_derive(&a->vm, h, 0, PAGE, IV_PERM_LOAD | IV_PERM_MAP | IV_PERM_GRANT);
	tb = cap_transfer(&a->vm, ro, &b->vm);
	/* Misaligned destination, or outside b's memory, or over a window already there. */
	assert_int_equal(cap_map(&b->vm, tb, 100), -IV_EINVAL);
	assert_int_equal(cap_map(&b->vm, tb, 4 * PAGE), -IV_EFAULT);
	assert_int_equal(cap_map(&b->vm, tb, 2 * PAGE), 0);
	assert_int_equal(cap_map(&b->vm, tb, 2 * PAGE), -IV_EFAULT);
	assert_string_equal((char *)b->mem.data + 2 * PAGE, "shared");
	/* Zero-copy: a's writes show through b's window at once. */
	a->mem.data[PAGE] = 'S';
	assert_int_equal(b->mem.data[2 * PAGE], 'S');
	/* Hostcalls may not take pointers into the window. */
	assert_true(cap_overlaps_mapping(&b->vm, 2 * PAGE + 10, 1));
	assert_false(cap_overlaps_mapping(&b->vm, PAGE, PAGE));
	/* Read-only without STORE: a write traps the writer. */
	rt_switch_memory(&b->mem);
	t.p = b->mem.data + 2 * PAGE;
	t.write = 1;
	assert_int_equal(rt_invoke(touch, &t), WASM_RT_TRAP_OOB);
	t.write = 0;
	assert_int_equal(rt_invoke(touch, &t), WASM_RT_TRAP_NONE);
	/* Revoking the root unmaps the window: a later read traps the holder. */
	assert_int_equal(cap_revoke(&a->vm, h), 0);
	assert_int_equal(rt_invoke(touch, &t), WASM_RT_TRAP_OOB);
	/* Unmapping restores b's own pages. */
	assert_int_equal(cap_unmap(&b->vm, 2 * PAGE), 0);
	assert_int_equal(rt_invoke(touch, &t), WASM_RT_TRAP_NONE);
	assert_int_equal(cap_unmap(&b->vm, 2 * PAGE), -IV_EINVAL);
	rt_switch_memory(NULL);
	fake_cvm_free(b);
	fake_cvm_free(a);
}

static void *mapping_thread(void *arg)
{
	assert_int_equal(rt_init(), 0);
	assert_int_equal(rt_thread_attach(), 0);
	mapping_body(arg);
	rt_thread_detach();
	return NULL;
}

static void test_mapping_and_its_revocation(void **state)
{
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, mapping_thread, NULL), 0);
	pthread_join(th, NULL);
}

/* After 32767 uses a slot is retired, so a handle dropped long ago never becomes valid again. */
static void test_generations_never_wrap(void **state)
{
	struct fake_cvm *a = fake_new("a", 3);
	struct iv_cap_info info;
	int root, first, h = 0, i;

	(void)state;
	root = cap_new_cvm_memory(&a->vm, &a->vm, 0, 16, IV_PERM_LOAD);
	first = cap_derive(&a->vm, root, 0, 1, IV_PERM_LOAD);
	assert_int_equal(cap_drop(&a->vm, first), 0);
	for (i = 1; i < 0x7fff; i++) {
		h = cap_derive(&a->vm, root, 0, 1, IV_PERM_LOAD);
		assert_int_equal(h & 0xffff, first & 0xffff); /* the same slot, reused */
		assert_int_equal(cap_drop(&a->vm, h), 0);
	}
	h = cap_derive(&a->vm, root, 0, 1, IV_PERM_LOAD);
	assert_int_not_equal(h & 0xffff, first & 0xffff); /* that slot is retired */
	assert_int_equal(cap_info(&a->vm, first, &info), -IV_EBADF);
	/* With the retired slot, the table of 3 holds one capability less. */
	assert_int_equal(cap_derive(&a->vm, root, 0, 1, IV_PERM_LOAD), -IV_EMFILE);
	fake_cvm_free(a);
}

static void test_owner_teardown_revokes(void **state)
{
	struct fake_cvm *a = fake_new("a", 8), *b = fake_new("b", 8);
	char buf[4];
	int h, tb;

	(void)state;
	h = cap_new_cvm_memory(&a->vm, &a->vm, 0, 4096, IV_PERM_LOAD | IV_PERM_GRANT);
	tb = cap_transfer(&a->vm, h, &b->vm);
	fake_cvm_free(a);
	assert_int_equal(cap_load(&b->vm, tb, 0, buf, 4), -IV_ESTALE);
	fake_cvm_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handles_are_checked),
		cmocka_unit_test(test_derivation_is_monotonic),
		cmocka_unit_test(test_copy_reaches_the_owner_memory),
		cmocka_unit_test(test_revocation_reaches_every_copy),
		cmocka_unit_test(test_transfer_needs_grant),
		cmocka_unit_test(test_sealing),
		cmocka_unit_test(test_table_limit),
		cmocka_unit_test(test_mapping_and_its_revocation),
		cmocka_unit_test(test_generations_never_wrap),
		cmocka_unit_test(test_owner_teardown_revokes),
	};

	if (rt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
