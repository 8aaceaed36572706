/* Fuzzes capability tables: random operations on three fake cVMs, checked against a model. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "fuzz.h"
#include "rt.h"

#define NVM 3
#define MEM_BYTES 65536u               /* one wasm page per fake cVM */
#define MAX_CAPS 512                   /* capabilities the model follows per input */
#define MAX_OBJS 256
#define MAX_HELD 8                     /* monitor-held nodes at once */
#define MAX_MONITOR 4                  /* monitor-owned memories per input */
#define MONITOR_MAX_BYTES (1u << 20)
#define BUF_BYTES (MONITOR_MAX_BYTES + MEM_BYTES)

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_cap: " __VA_ARGS__);                         \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A cVM as far as cap.c sees one, and what its memory should hold. */
struct fake {
	struct cvm vm;
	wasm_rt_memory_t mem;
	uint8_t shadow[MEM_BYTES];
	uint32_t limit;
	bool dead; /* torn down */
};

/* Seal of a model capability: one of these, or the index of its sealer's object. */
enum { UNSEALED = -1, ENTRY_SEAL = -2 };

struct mobj {
	uint32_t type;   /* enum iv_cap_type */
	uint8_t *bytes;  /* memory: what it should hold (inside a fake's shadow, or its own) */
	uint64_t size;
	int owner;       /* memory: the fake whose memory it is; -1: the monitor's */
	uint32_t otype;  /* sealer: its seal type as cap_info showed it, 0 until seen */
	int callee;      /* entry */
	uint32_t index;
};

struct mcap {
	int vm;                /* the fake holding it; -1: a node the monitor holds */
	int h;                 /* its handle there */
	struct cap_node *node; /* monitor-held */
	bool live;             /* not dropped, released, or emptied with its table */
	bool revoked;
	int parent;            /* what it was derived or copied from; -1 for a root */
	int obj;
	uint64_t base, length;
	uint32_t perms;
	int seal;
};

enum op {
	OP_NEW_MEMORY, OP_SEALER, OP_ENTRY, OP_DERIVE, OP_DROP, OP_REVOKE, OP_SEAL, OP_UNSEAL,
	OP_TRANSFER, OP_LOAD, OP_STORE, OP_COPY, OP_INFO, OP_CHECK_ENTRY, OP_MONITOR_MEMORY,
	OP_HOLD, OP_GRANT, OP_RELEASE, OP_LIVE, OP_TEARDOWN, OP_POKE, NOPS
};

static struct fake fakes[NVM];
static uint8_t pattern[NVM][MEM_BYTES];
static struct mobj objs[MAX_OBJS];
static struct mcap caps[MAX_CAPS];
static int nobjs, ncaps, nmonitor;
static uint8_t buf[BUF_BYTES], expect[BUF_BYTES];
static bool mark[MAX_CAPS];

static void allocate(void *arg)
{
	struct fake *f = arg;

	wasm_rt_allocate_memory(&f->mem, 1, 1);
}

static void setup(void)
{
	static char names[NVM][2] = {"a", "b", "c"};
	uint32_t i, j;

	rt_set_memory_cap(1);
	for (i = 0; i < NVM; i++) {
		fakes[i].vm.name = names[i];
		CHECK(rt_invoke(allocate, &fakes[i]) == WASM_RT_TRAP_NONE, "no memory");
		fakes[i].vm.mem = &fakes[i].mem;
		for (j = 0; j < MEM_BYTES; j++)
			pattern[i][j] = (uint8_t)(j * 31 + (j >> 8) * 7 + i * 101);
	}
}

static void begin(struct fuzz_in *in)
{
	int i;

	ncaps = nobjs = nmonitor = 0;
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];
		uint8_t b = fz_u8(in);

		f->limit = b >= 0xf0 ? IV_CAPS_DEFAULT : 1u + b % 24;
		f->vm.caps = cap_table_new(f->limit);
		CHECK(f->vm.caps, "no table");
		f->vm.torn_down = false;
		f->dead = false;
		memcpy(f->mem.data, pattern[i], MEM_BYTES);
		memcpy(f->shadow, pattern[i], MEM_BYTES);
	}
}

static void end(void)
{
	int i;

	for (i = 0; i < ncaps; i++)
		if (caps[i].vm < 0 && caps[i].live)
			cap_release_node(caps[i].node);
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];

		CHECK(!memcmp(f->mem.data, f->shadow, MEM_BYTES), "memory of %s differs",
		      f->vm.name);
		cap_cvm_teardown(&f->vm);
		cap_table_free(f->vm.caps);
		f->vm.caps = NULL;
	}
	for (i = 0; i < nobjs; i++)
		if (objs[i].type == IV_CAP_MEMORY && objs[i].owner < 0)
			free(objs[i].bytes);
	CHECK(!fz_fds_leaked(), "descriptors leak");
}

/* ---- the model ---- */

static int new_obj(uint32_t type)
{
	struct mobj *o = &objs[nobjs];

	memset(o, 0, sizeof(*o));
	o->type = type;
	o->owner = -1;
	return nobjs++;
}

static int add_cap(int vm, int h, int parent, int obj, uint64_t base, uint64_t length,
		   uint32_t perms, int seal)
{
	struct mcap *c = &caps[ncaps];

	*c = (struct mcap){.vm = vm, .h = h, .live = true, .parent = parent, .obj = obj,
			   .base = base, .length = length, .perms = perms, .seal = seal};
	return ncaps++;
}

/* A copy of capability j (derived, sealed, transferred, held or granted). */
static int add_child(int vm, int h, int j, uint64_t base, uint64_t length, uint32_t perms,
		     int seal)
{
	return add_cap(vm, h, j, caps[j].obj, base, length, perms, seal);
}

static int find(int v, int h)
{
	int j;

	for (j = 0; j < ncaps; j++)
		if (caps[j].vm == v && caps[j].live && caps[j].h == h)
			return j;
	return -1;
}

/* What looking up h in fake v gives: 0 with *j set, -IV_EBADF or -IV_ESTALE. */
static int m_lookup(int v, int h, int *j)
{
	*j = find(v, h);
	if (*j < 0)
		return -IV_EBADF;
	return caps[*j].revoked ? -IV_ESTALE : 0;
}

/* The same for an access to [off, off+len) of a memory capability. */
static int m_memory(int v, int h, uint32_t need, uint64_t off, uint64_t len, int *j)
{
	int err = m_lookup(v, h, j);
	const struct mcap *c;

	if (err)
		return err;
	c = &caps[*j];
	if (c->seal != UNSEALED)
		return -IV_EACCES;
	if (objs[c->obj].type != IV_CAP_MEMORY)
		return -IV_EINVAL;
	if ((c->perms & need) != need)
		return -IV_ENOTCAPABLE;
	if (off > c->length || len > c->length - off)
		return -IV_ERANGE;
	return 0;
}

/* -IV_EMFILE when fake v's table is full. */
static int room(int v)
{
	uint32_t used = 0;
	int j;

	for (j = 0; j < ncaps; j++)
		used += caps[j].vm == v && caps[j].live;
	return used < fakes[v].limit ? 0 : -IV_EMFILE;
}

/* Revokes capability j and everything derived or copied from it (children follow parents). */
static void m_revoke(int j)
{
	int k;

	memset(mark, 0, sizeof(mark));
	mark[j] = true;
	for (k = j; k < ncaps; k++) {
		if (k == j || (caps[k].parent >= 0 && mark[caps[k].parent])) {
			mark[k] = true;
			caps[k].revoked = true;
		}
	}
}

/*
 * Checks the result of a call that makes a handle in fake v against want (0: a new handle).
 * A new handle is positive and never one fake v was given before: stale handles stay dead.
 */
static bool made(const char *op, int v, int got, int want)
{
	int j;

	if (want) {
		CHECK(got == want, "%s: got %d, expected %d", op, got, want);
		return false;
	}
	CHECK(got > 0, "%s: got %d, expected a handle", op, got);
	for (j = 0; j < ncaps; j++)
		CHECK(caps[j].vm != v || caps[j].h != got, "%s: handle %#x given twice", op, got);
	return true;
}

static void expect_rc(const char *op, int got, int want)
{
	CHECK(got == want, "%s: got %d, expected %d", op, got, want);
}

/* ---- decoding ---- */

static int pick_vm(struct fuzz_in *in)
{
	return fz_u8(in) % NVM;
}

/* The i-th capability from the newest that fake v holds (v < 0: any fake), or -1. */
static int nth_cap(int v, uint8_t i)
{
	int j, n = 0;

	for (j = 0; j < ncaps; j++)
		n += caps[j].vm >= 0 && (v < 0 || caps[j].vm == v);
	if (!n)
		return -1;
	i %= n;
	for (j = ncaps - 1; j >= 0; j--)
		if (caps[j].vm >= 0 && (v < 0 || caps[j].vm == v) && i-- == 0)
			return j;
	return -1;
}

/* A handle for fake v to use: one it was given, another fake's, a near miss, or a forgery. */
static int pick_handle(struct fuzz_in *in, int v)
{
	uint8_t mode = fz_u8(in), i = fz_u8(in);
	int j;

	if (mode < 160 && (j = nth_cap(v, i)) >= 0)
		return caps[j].h;
	if (mode < 200 && (j = nth_cap(-1, i)) >= 0)
		return caps[j].h;
	if (mode < 230) {
		j = nth_cap(v, 0);
		return (int)((uint32_t)(j >= 0 ? caps[j].h : 0) + (uint32_t)(int8_t)i);
	}
	return (int)fz_u32(in);
}

/* A live monitor-held node, or -1. */
static int pick_held(struct fuzz_in *in)
{
	uint8_t i = fz_u8(in);
	int j, n = 0;

	for (j = 0; j < ncaps; j++)
		n += caps[j].vm < 0 && caps[j].live;
	if (!n)
		return -1;
	i %= n;
	for (j = 0; j < ncaps; j++)
		if (caps[j].vm < 0 && caps[j].live && i-- == 0)
			return j;
	return -1;
}

static uint64_t length_of(int j)
{
	return j >= 0 ? caps[j].length : 0;
}

/* Where capability j's bytes at off should be. */
static uint8_t *bytes_of(int j, uint64_t off)
{
	return objs[caps[j].obj].bytes + caps[j].base + off;
}

/* ---- operations ---- */

static void op_new_memory(struct fuzz_in *in)
{
	int holder = pick_vm(in), owner = pick_vm(in), want, got, o;
	uint32_t off = (uint32_t)fz_near(in, MEM_BYTES), len = (uint32_t)fz_near(in, MEM_BYTES);
	uint32_t perms = fz_u8(in);

	if (fakes[holder].dead || fakes[owner].dead)
		return;
	want = (uint64_t)off + len > MEM_BYTES || (perms & ~IV_PERM_ALL) ? -IV_EFAULT
									  : room(holder);
	got = cap_new_cvm_memory(&fakes[holder].vm, &fakes[owner].vm, off, len, perms);
	if (!made("cap_new_cvm_memory", holder, got, want))
		return;
	o = new_obj(IV_CAP_MEMORY);
	objs[o].bytes = fakes[owner].shadow + off;
	objs[o].size = len;
	objs[o].owner = owner;
	add_cap(holder, got, -1, o, 0, len,
		perms & (IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP | IV_PERM_GRANT), UNSEALED);
}

static void op_sealer(int v)
{
	int got = cap_sealer(&fakes[v].vm);

	if (made("cap_sealer", v, got, room(v)))
		add_cap(v, got, -1, new_obj(IV_CAP_SEALER), 0, 0,
			IV_PERM_SEAL | IV_PERM_UNSEAL | IV_PERM_GRANT, UNSEALED);
}

static void op_entry(struct fuzz_in *in, int v)
{
	int callee = pick_vm(in), got, o;
	uint32_t index = fz_u32(in);

	got = cap_new_entry(&fakes[v].vm, &fakes[callee].vm, index);
	if (!made("cap_new_entry", v, got, room(v)))
		return;
	o = new_obj(IV_CAP_ENTRY);
	objs[o].callee = callee;
	objs[o].index = index;
	add_cap(v, got, -1, o, 0, 0, IV_PERM_CALL | IV_PERM_GRANT, ENTRY_SEAL);
}

static void op_derive(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err, got;
	uint64_t off = fz_near(in, length_of(find(v, h)));
	uint64_t len = fz_near(in, length_of(find(v, h)));
	uint32_t perms = fz_u8(in);

	err = m_lookup(v, h, &j);
	if (!err && caps[j].seal != UNSEALED)
		err = -IV_EACCES;
	else if (!err && (perms & ~caps[j].perms))
		err = -IV_ENOTCAPABLE;
	else if (!err && (off > caps[j].length || len > caps[j].length - off))
		err = -IV_ERANGE;
	else if (!err)
		err = room(v);
	got = cap_derive(&fakes[v].vm, h, off, len, perms);
	if (made("cap_derive", v, got, err))
		add_child(v, got, j, caps[j].base + off, len, perms, UNSEALED);
}

static void op_drop(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j = find(v, h);

	expect_rc("cap_drop", cap_drop(&fakes[v].vm, h), j < 0 ? -IV_EBADF : 0);
	if (j >= 0)
		caps[j].live = false;
}

static void op_revoke(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err = m_lookup(v, h, &j);

	expect_rc("cap_revoke", cap_revoke(&fakes[v].vm, h), err);
	if (!err)
		m_revoke(j);
}

static void op_seal(struct fuzz_in *in, int v, bool seal)
{
	int h = pick_handle(in, v), s = pick_handle(in, v), j, k = -1, err, got;
	const char *op = seal ? "cap_seal" : "cap_unseal";

	err = m_lookup(v, h, &j);
	if (!err)
		err = m_lookup(v, s, &k);
	if (!err) {
		const struct mcap *c = &caps[j], *sc = &caps[k];

		if (objs[sc->obj].type != IV_CAP_SEALER || sc->seal != UNSEALED)
			err = -IV_EINVAL;
		else if (!(sc->perms & (seal ? IV_PERM_SEAL : IV_PERM_UNSEAL)))
			err = -IV_ENOTCAPABLE;
		else if (seal ? c->seal != UNSEALED : c->seal != sc->obj)
			err = -IV_EACCES;
		else
			err = room(v);
	}
	got = seal ? cap_seal(&fakes[v].vm, h, s) : cap_unseal(&fakes[v].vm, h, s);
	if (made(op, v, got, err))
		add_child(v, got, j, caps[j].base, caps[j].length, caps[j].perms,
			  seal ? caps[k].obj : UNSEALED);
}

static void op_transfer(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), t = pick_vm(in), j, err, got;

	err = m_lookup(v, h, &j);
	if (!err && !(caps[j].perms & IV_PERM_GRANT))
		err = -IV_ENOTCAPABLE;
	else if (!err && fakes[t].dead)
		err = -IV_ESRCH;
	else if (!err)
		err = room(t);
	got = cap_transfer(&fakes[v].vm, h, &fakes[t].vm);
	if (made("cap_transfer", t, got, err))
		add_child(t, got, j, caps[j].base, caps[j].length, caps[j].perms, caps[j].seal);
}

/* Loads into a scratch buffer or into the loader's own memory (as the hostcall does). */
static void op_load(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err;
	uint64_t off = fz_near(in, length_of(find(v, h)));
	uint32_t len = (uint32_t)fz_near(in, length_of(find(v, h)));
	uint8_t into_memory = fz_u8(in) & 1;
	uint32_t at = (uint32_t)fz_near(in, MEM_BYTES);
	uint8_t *dst = buf;

	into_memory = into_memory && (uint64_t)at + len <= MEM_BYTES;
	if (into_memory)
		dst = fakes[v].mem.data + at;
	err = m_memory(v, h, IV_PERM_LOAD, off, len, &j);
	if (!err)
		memcpy(expect, bytes_of(j, off), len);
	expect_rc("cap_load", cap_load(&fakes[v].vm, h, off, dst, len), err);
	if (err)
		return;
	CHECK(!memcmp(dst, expect, len), "cap_load: other bytes than stored");
	if (into_memory)
		memcpy(fakes[v].shadow + at, expect, len);
}

/* Stores from a scratch buffer or from the storer's own memory. */
static void op_store(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err;
	uint64_t off = fz_near(in, length_of(find(v, h)));
	uint32_t len = (uint32_t)fz_near(in, length_of(find(v, h)));
	uint8_t from_memory = fz_u8(in) & 1, seed = fz_u8(in);
	uint32_t at = (uint32_t)fz_near(in, MEM_BYTES), i;
	const uint8_t *src = buf, *model = buf;

	err = m_memory(v, h, IV_PERM_STORE, off, len, &j);
	if (from_memory && (uint64_t)at + len <= MEM_BYTES) {
		src = fakes[v].mem.data + at;
		model = fakes[v].shadow + at;
	} else if (!err) {
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(i * 13 + seed);
	}
	expect_rc("cap_store", cap_store(&fakes[v].vm, h, off, src, len), err);
	if (!err)
		memmove(bytes_of(j, off), model, len);
}

static void op_copy(struct fuzz_in *in, int v)
{
	int d = pick_handle(in, v), s, jd, js, err;
	uint64_t doff = fz_near(in, length_of(find(v, d))), soff, len;

	s = pick_handle(in, v);
	soff = fz_near(in, length_of(find(v, s)));
	len = (uint32_t)fz_near(in, length_of(find(v, s)));
	err = m_memory(v, d, IV_PERM_STORE, doff, len, &jd);
	if (!err)
		err = m_memory(v, s, IV_PERM_LOAD, soff, len, &js);
	expect_rc("cap_copy", cap_copy(&fakes[v].vm, d, doff, s, soff, (uint32_t)len), err);
	if (!err)
		memmove(bytes_of(jd, doff), bytes_of(js, soff), len);
}

/* The seal type cap_info shows: 0, the entry type, or one per sealer object, never shared. */
static void check_seal_type(int seal, uint32_t got)
{
	int i;

	if (seal == UNSEALED || seal == ENTRY_SEAL) {
		CHECK(got == (seal == UNSEALED ? 0 : CAP_OTYPE_ENTRY), "cap_info: seal type %u",
		      got);
		return;
	}
	if (objs[seal].otype) {
		CHECK(got == objs[seal].otype, "cap_info: seal type %u, was %u", got,
		      objs[seal].otype);
		return;
	}
	CHECK(got > CAP_OTYPE_ENTRY, "cap_info: sealed with type %u", got);
	for (i = 0; i < nobjs; i++)
		CHECK(objs[i].type != IV_CAP_SEALER || objs[i].otype != got,
		      "cap_info: two sealers of type %u", got);
	objs[seal].otype = got;
}

static void op_info(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err = m_lookup(v, h, &j);
	struct iv_cap_info info;
	const struct mcap *c;

	memset(&info, 0xa5, sizeof(info));
	expect_rc("cap_info", cap_info(&fakes[v].vm, h, &info), err);
	if (err)
		return;
	c = &caps[j];
	CHECK(info.base == c->base && info.length == c->length && info.perms == c->perms,
	      "cap_info: base %llu length %llu perms %#x, expected %llu %llu %#x",
	      (unsigned long long)info.base, (unsigned long long)info.length, info.perms,
	      (unsigned long long)c->base, (unsigned long long)c->length, c->perms);
	CHECK(info.type == objs[c->obj].type && info.reserved == 0, "cap_info: type %u",
	      info.type);
	CHECK(info.type != IV_CAP_MEMORY || info.base + info.length <= objs[c->obj].size,
	      "cap_info: a capability reaching past its memory");
	check_seal_type(c->seal, info.seal_type);
}

static void op_check_entry(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err = m_lookup(v, h, &j);
	struct cvm *callee = NULL;
	uint32_t index = 0;

	if (!err && (objs[caps[j].obj].type != IV_CAP_ENTRY || caps[j].seal != ENTRY_SEAL))
		err = -IV_EINVAL;
	else if (!err && !(caps[j].perms & IV_PERM_CALL))
		err = -IV_ENOTCAPABLE;
	expect_rc("cap_entry", cap_entry(&fakes[v].vm, h, &callee, &index), err);
	if (!err)
		CHECK(callee == &fakes[objs[caps[j].obj].callee].vm &&
		      index == objs[caps[j].obj].index, "cap_entry: another entry");
}

/* A YAML capfile: monitor-owned memory, held by the monitor, with data from the input. */
static void op_monitor_memory(struct fuzz_in *in)
{
	uint64_t size = fz_near(in, MEM_BYTES), len;
	struct cap_node *node;
	int o;

	if (size > MONITOR_MAX_BYTES)
		size %= MONITOR_MAX_BYTES + 1;
	len = fz_near(in, size);
	if (len > (uint64_t)(in->end - in->p))
		len = (uint64_t)(in->end - in->p);
	if (nmonitor == MAX_MONITOR)
		return;
	node = cap_new_monitor_memory(size, in->p, len);
	in->p += len;
	CHECK(!node == (len > size || size == 0), "cap_new_monitor_memory(%llu, %llu): %p",
	      (unsigned long long)size, (unsigned long long)len, (void *)node);
	if (!node)
		return;
	nmonitor++;
	o = new_obj(IV_CAP_MEMORY);
	objs[o].bytes = calloc(1, size);
	CHECK(objs[o].bytes, "out of memory");
	memcpy(objs[o].bytes, in->p - len, len);
	objs[o].size = size;
	caps[add_cap(-1, 0, -1, o, 0, size,
		     IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP | IV_PERM_GRANT, UNSEALED)]
		.node = node;
}

/* What the name registry does with an advertised capability: holds a child of it. */
static void op_hold(struct fuzz_in *in, int v)
{
	int h = pick_handle(in, v), j, err = m_lookup(v, h, &j), got = 1, k, held = 0;
	struct cap_node *node;

	for (k = 0; k < ncaps; k++)
		held += caps[k].vm < 0 && caps[k].live;
	if (held == MAX_HELD)
		return;
	node = cap_hold(&fakes[v].vm, h, &got);
	expect_rc("cap_hold", got, err);
	CHECK(!node == !!err, "cap_hold: node %p with error %d", (void *)node, err);
	if (node)
		caps[add_child(-1, 0, j, caps[j].base, caps[j].length, caps[j].perms, caps[j].seal)]
			.node = node;
}

static void op_grant(struct fuzz_in *in)
{
	int k = pick_held(in), t = pick_vm(in), got;
	uint64_t size = 12345;

	if (k < 0 || fakes[t].dead)
		return;
	got = cap_grant_node(&fakes[t].vm, caps[k].node, &size);
	if (!made("cap_grant_node", t, got, caps[k].revoked ? -IV_ESTALE : room(t)))
		return;
	CHECK(size == caps[k].length, "cap_grant_node: size %llu", (unsigned long long)size);
	add_child(t, got, k, caps[k].base, caps[k].length, caps[k].perms, caps[k].seal);
}

static void op_release(struct fuzz_in *in)
{
	int k = pick_held(in);

	if (k < 0)
		return;
	cap_release_node(caps[k].node);
	m_revoke(k);
	caps[k].live = false;
}

static void op_live(struct fuzz_in *in)
{
	int k = pick_held(in);

	if (k >= 0)
		CHECK(cap_node_live(caps[k].node) == !caps[k].revoked, "cap_node_live");
}

/* A cVM ends: everything naming its memory is revoked, wherever held; its table empties. */
static void op_teardown(int v)
{
	int j;

	cap_cvm_teardown(&fakes[v].vm);
	fakes[v].dead = true;
	for (j = 0; j < ncaps; j++) {
		const struct mobj *o = &objs[caps[j].obj];

		if (caps[j].vm == v)
			caps[j].live = false;
		if (o->type == IV_CAP_MEMORY && o->owner == v)
			caps[j].revoked = true;
	}
}

/* The guest writes its own memory. */
static void op_poke(struct fuzz_in *in, int v)
{
	uint32_t at = (uint32_t)fz_near(in, MEM_BYTES), len = fz_u8(in) % 64;

	if (len > (uint64_t)(in->end - in->p))
		len = (uint32_t)(in->end - in->p);
	if ((uint64_t)at + len > MEM_BYTES)
		return;
	memcpy(fakes[v].mem.data + at, in->p, len);
	memcpy(fakes[v].shadow + at, in->p, len);
	in->p += len;
}

static void run(struct fuzz_in *in)
{
	while (fz_more(in) && ncaps < MAX_CAPS - 1 && nobjs < MAX_OBJS - 1) {
		enum op op = (enum op)(fz_u8(in) % NOPS);
		int v = pick_vm(in);

		if (fakes[v].dead)
			continue;
		switch (op) {
		case OP_NEW_MEMORY: op_new_memory(in); break;
		case OP_SEALER: op_sealer(v); break;
		case OP_ENTRY: op_entry(in, v); break;
		case OP_DERIVE: op_derive(in, v); break;
		case OP_DROP: op_drop(in, v); break;
		case OP_REVOKE: op_revoke(in, v); break;
		case OP_SEAL: op_seal(in, v, true); break;
		case OP_UNSEAL: op_seal(in, v, false); break;
		case OP_TRANSFER: op_transfer(in, v); break;
		case OP_LOAD: op_load(in, v); break;
		case OP_STORE: op_store(in, v); break;
		case OP_COPY: op_copy(in, v); break;
		case OP_INFO: op_info(in, v); break;
		case OP_CHECK_ENTRY: op_check_entry(in, v); break;
		case OP_MONITOR_MEMORY: op_monitor_memory(in); break;
		case OP_HOLD: op_hold(in, v); break;
		case OP_GRANT: op_grant(in); break;
		case OP_RELEASE: op_release(in); break;
		case OP_LIVE: op_live(in); break;
		case OP_TEARDOWN:
			if (fz_u8(in) < 32) /* rarely: the rest of the input then skips this cVM */
				op_teardown(v);
			break;
		case OP_POKE: op_poke(in, v); break;
		case NOPS: break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fuzz_in in = {data, data + size};

	if (!ready) {
		setup();
		ready = true;
	}
	begin(&in);
	run(&in);
	end();
	return 0;
}
