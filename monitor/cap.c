/* Capability tables, derivation trees, revocation, and access by copy and by mapping. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cap.h"
#include "cvm.h"
#include "ipc/stream.h"

#define HANDLE_INDEX_BITS 16
#define HANDLE_INDEX_MASK ((1u << HANDLE_INDEX_BITS) - 1)
#define HANDLE_GEN_MAX 0x7fffu /* handles stay positive as i32 */
#define TABLE_LIMIT_MAX HANDLE_INDEX_MASK

enum obj_type {
	OBJ_MEMORY = IV_CAP_MEMORY,
	OBJ_ENTRY = IV_CAP_ENTRY,
	OBJ_SEALER = IV_CAP_SEALER,
	OBJ_STREAM = IV_CAP_STREAM,
};

struct cap_object {
	enum obj_type type;
	unsigned refs;                /* nodes naming it */
	struct cap_node *nodes;       /* every node naming it */
	struct cap_object *next_memory; /* list of live memory objects */
	/* OBJ_MEMORY */
	uint8_t *data;                /* host view of the bytes */
	uint64_t size;
	int fd;                       /* backing memfd, for mapping */
	uint64_t fd_offset;
	struct cvm *owner;            /* whose linear memory it is; NULL: the monitor's */
	bool monitor_owned;           /* data and fd are the object's own, freed with it */
	uint32_t events;              /* cap_notify's count, for IV_WAIT_NOTIFY */
	/* OBJ_ENTRY */
	struct cvm *callee;
	uint32_t export_index;
	/* OBJ_SEALER */
	uint32_t otype;
	/* OBJ_STREAM */
	const struct cap_end_ops *ops;
	void *priv;
	uint32_t end;
	uint32_t end_perm;            /* the permission that makes a node a holder of the end */
};

struct cap_mapping {
	struct cvm *holder;
	uint32_t dst;
	uint64_t len;
	struct cap_node *node;
	struct cap_mapping *next_in_node;
};

struct cap_node {
	struct cap_object *obj;
	uint64_t base, length;
	uint32_t perms;
	uint32_t seal;
	_Atomic bool revoked;         /* read without the lock by cap_end_fast */
	bool in_slot;                 /* held in a table slot (else by the monitor or a mapping) */
	uint32_t tickets;             /* monitor-held stream end: probes it still promises */
	struct cap_node *parent, *children, *sibling;
	struct cap_node *next_of_obj, *prev_of_obj;
	struct cap_mapping *mappings;
};

/* Read without the lock by cap_end_fast, so atomic: node is stored after gen. */
struct cap_slot {
	_Atomic uint16_t gen;
	struct cap_node *_Atomic node;
};

/*
 * A grown slot array replaces the old one, which is kept until the table is freed: a reader
 * without the lock (cap_end_fast) may still be looking at it. Arrays double, so those kept
 * are fewer than the slots in use. n is stored after slots, and read before.
 */
#define RETIRED_MAX 16

struct cap_table {
	struct cap_slot *_Atomic slots; /* slot 0 unused: handle 0 is never valid */
	_Atomic uint32_t n;
	uint32_t cap, limit;          /* entries allocated; most handles */
	struct cap_slot *retired[RETIRED_MAX];
	uint32_t nretired;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cap_object *memory_objects;
static uint32_t next_otype = CAP_OTYPE_ENTRY + 1;

/* ---- objects and nodes (lock held) ---- */

static void object_put(struct cap_object *o)
{
	struct cap_object **p;

	if (--o->refs)
		return;
	if (o->type == OBJ_STREAM)
		o->ops->released(o->priv, o->end);
	if (o->type == OBJ_MEMORY) {
		for (p = &memory_objects; *p; p = &(*p)->next_memory) {
			if (*p == o) {
				*p = o->next_memory;
				break;
			}
		}
		if (o->monitor_owned) {
			munmap(o->data, (o->size + IV_MAP_ALIGN - 1) / IV_MAP_ALIGN * IV_MAP_ALIGN);
			close(o->fd);
		}
	}
	free(o);
}

static struct cap_node *node_new(struct cap_object *obj, struct cap_node *parent, uint64_t base,
				 uint64_t length, uint32_t perms, uint32_t seal)
{
	struct cap_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->obj = obj;
	obj->refs++;
	n->base = base;
	n->length = length;
	n->perms = perms;
	n->seal = seal;
	n->next_of_obj = obj->nodes;
	if (obj->nodes)
		obj->nodes->prev_of_obj = n;
	obj->nodes = n;
	if (parent) {
		n->parent = parent;
		n->sibling = parent->children;
		parent->children = n;
	}
	return n;
}

/*
 * Tells a stream end's object that n's weight as a holder changed by delta: a node in a
 * slot weighs 1, a monitor-held one its tickets.
 */
static void count_holder(struct cap_node *n, int delta)
{
	struct cap_object *o = n->obj;

	if (o->type == OBJ_STREAM && (n->perms & o->end_perm))
		o->ops->holders(o->priv, o->end, delta);
}

static void unlink_child(struct cap_node *n)
{
	struct cap_node **p;

	if (!n->parent)
		return;
	for (p = &n->parent->children; *p; p = &(*p)->sibling) {
		if (*p == n) {
			*p = n->sibling;
			break;
		}
	}
	n->parent = NULL;
	n->sibling = NULL;
}

/* Frees a node nobody holds any more; its children move up to its parent. */
static void node_maybe_free(struct cap_node *n)
{
	struct cap_node *c, *next;

	if (n->in_slot || n->mappings)
		return;
	if (n->tickets && !n->revoked)
		count_holder(n, -(int)n->tickets);
	for (c = n->children; c; c = next) {
		next = c->sibling;
		c->parent = n->parent;
		c->sibling = NULL;
		if (n->parent) {
			c->sibling = n->parent->children;
			n->parent->children = c;
		}
	}
	n->children = NULL;
	unlink_child(n);
	if (n->prev_of_obj)
		n->prev_of_obj->next_of_obj = n->next_of_obj;
	else
		n->obj->nodes = n->next_of_obj;
	if (n->next_of_obj)
		n->next_of_obj->prev_of_obj = n->prev_of_obj;
	object_put(n->obj);
	free(n);
}

/* Makes a revoked window inaccessible: the holder's next access traps it, not the monitor. */
static void seal_off(struct cap_mapping *m)
{
	struct cvm *h = m->holder;

	if (h->mem && h->mem->data)
		mmap(h->mem->data + m->dst, m->len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}

/* Revokes n and its whole subtree, iteratively: derivation chains may be long. */
static void revoke_tree(struct cap_node *n)
{
	struct cap_node *cur = n;
	struct cap_mapping *m;

	for (;;) {
		if (!cur->revoked) {
			cur->revoked = true;
			for (m = cur->mappings; m; m = m->next_in_node)
				seal_off(m);
			if (cur->obj->type == OBJ_STREAM) {
				if (cur->in_slot)
					count_holder(cur, -1);
				else if (cur->tickets)
					count_holder(cur, -(int)cur->tickets);
				cur->obj->ops->revoked(cur->obj->priv, cur->obj->end);
			}
		}
		if (cur->children) {
			cur = cur->children;
			continue;
		}
		while (cur != n && !cur->sibling)
			cur = cur->parent;
		if (cur == n)
			return;
		cur = cur->sibling;
	}
}

/* ---- tables (lock held) ---- */

struct cap_table *cap_table_new(uint32_t limit)
{
	struct cap_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->limit = limit > TABLE_LIMIT_MAX ? TABLE_LIMIT_MAX : limit;
	return t;
}

static int slot_put(struct cvm *vm, struct cap_node *n)
{
	struct cap_table *t = vm->caps;
	uint32_t i;

	/* A slot whose generations are used up is retired: a stale handle never comes back. */
	for (i = 1; i < t->n; i++)
		if (!t->slots[i].node && t->slots[i].gen < HANDLE_GEN_MAX)
			goto found;
	if (t->n == 0)
		t->n = 1;
	i = t->n;
	if (i > t->limit)
		return -IV_EMFILE;
	if (i >= t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16, j;
		struct cap_slot *grown, *old = t->slots;

		/* 16 doubled 12 times covers every index: RETIRED_MAX is never reached. */
		if (t->nretired == RETIRED_MAX || !(grown = malloc(cap * sizeof(*grown))))
			return -IV_ENOMEM;
		for (j = 0; j < cap; j++) {
			atomic_init(&grown[j].gen, j < t->cap ? atomic_load(&old[j].gen) : 0);
			atomic_init(&grown[j].node, j < t->cap ? atomic_load(&old[j].node) : NULL);
		}
		t->slots = grown;
		if (old)
			t->retired[t->nretired++] = old;
		t->cap = cap;
	}
	t->n = i + 1;
found:
	t->slots[i].gen = (uint16_t)(t->slots[i].gen + 1);
	t->slots[i].node = n;
	n->in_slot = true;
	count_holder(n, +1);
	return (int)((uint32_t)t->slots[i].gen << HANDLE_INDEX_BITS | i);
}

/*
 * The node behind handle h in vm's table. Fails with EBADF for anything but a live slot of
 * the right generation, ESTALE when revoked.
 */
static int lookup(struct cvm *vm, int h, struct cap_node **out)
{
	struct cap_table *t = vm->caps;
	uint32_t i = (uint32_t)h & HANDLE_INDEX_MASK, gen = (uint32_t)h >> HANDLE_INDEX_BITS;

	if (h <= 0 || !t || i == 0 || i >= t->n || !t->slots[i].node || t->slots[i].gen != gen)
		return -IV_EBADF;
	if (t->slots[i].node->revoked)
		return -IV_ESTALE;
	*out = t->slots[i].node;
	return 0;
}

/* lookup + the checks every use of a capability makes: unsealed, its type, permissions. */
static int lookup_checked(struct cvm *vm, int h, uint32_t type, uint32_t need,
			  struct cap_node **out)
{
	int err = lookup(vm, h, out);

	if (err)
		return err;
	if ((*out)->seal)
		return -IV_EACCES;
	if ((*out)->obj->type != type)
		return -IV_EINVAL;
	if (((*out)->perms & need) != need)
		return -IV_ENOTCAPABLE;
	return 0;
}

/* lookup_checked for a memory capability, and [offset, offset+len) inside its range. */
static int lookup_memory(struct cvm *vm, int h, uint32_t need, uint64_t offset, uint64_t len,
			 struct cap_node **out)
{
	struct cap_node *n;
	int err = lookup_checked(vm, h, OBJ_MEMORY, need, &n);

	if (err)
		return err;
	if (offset > n->length || len > n->length - offset)
		return -IV_ERANGE;
	*out = n;
	return 0;
}

void cap_table_free(struct cap_table *t)
{
	if (!t)
		return;
	free(t->slots);
	while (t->nretired)
		free(t->retired[--t->nretired]);
	free(t);
}

/* ---- creating objects ---- */

static struct cap_object *object_new(enum obj_type type)
{
	struct cap_object *o = calloc(1, sizeof(*o));

	if (o) {
		o->type = type;
		o->fd = -1;
	}
	return o;
}

/* Puts a fresh root node for o in vm's table; frees o on failure. */
static int root_in_slot(struct cvm *vm, struct cap_object *o, uint64_t length, uint32_t perms,
			uint32_t seal)
{
	struct cap_node *n = node_new(o, NULL, 0, length, perms, seal);
	int h;

	if (!n) {
		if (!o->refs)
			free(o);
		return -IV_ENOMEM;
	}
	h = slot_put(vm, n);
	if (h < 0) {
		node_maybe_free(n);
		return h;
	}
	return h;
}

int cap_new_cvm_memory(struct cvm *holder, struct cvm *owner, uint32_t offset, uint32_t len,
		       uint32_t perms)
{
	struct cap_object *o;
	int h;

	if (!owner->mem || (uint64_t)offset + len > owner->mem->size || (perms & ~IV_PERM_ALL))
		return -IV_EFAULT;
	o = object_new(OBJ_MEMORY);
	if (!o)
		return -IV_ENOMEM;
	o->data = owner->mem->data + offset;
	o->size = len;
	o->fd = owner->mem->fd;
	o->fd_offset = offset;
	o->owner = owner;
	pthread_mutex_lock(&lock);
	h = root_in_slot(holder, o, len, perms & (IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP |
						  IV_PERM_GRANT), 0);
	if (h > 0) {
		o->next_memory = memory_objects;
		memory_objects = o;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

int cap_lend(struct cvm *holder, struct cvm *owner, uint32_t offset, uint32_t len,
	     uint32_t perms, struct cap_object **lent)
{
	int h = cap_new_cvm_memory(holder, owner, offset, len, perms);

	*lent = NULL;
	if (h > 0) {
		struct cap_node *n;

		pthread_mutex_lock(&lock);
		if (lookup(holder, h, &n) == 0) {
			*lent = n->obj;
			n->obj->refs++; /* the lender's own reference, dropped by cap_end_lending */
		}
		pthread_mutex_unlock(&lock);
	}
	return h;
}

void cap_end_lending(struct cap_object *lent)
{
	struct cap_node *n;

	pthread_mutex_lock(&lock);
	/* Every node of the object, however derived, transferred or re-rooted by drops. */
	for (n = lent->nodes; n; n = n->next_of_obj)
		revoke_tree(n);
	object_put(lent);
	pthread_mutex_unlock(&lock);
}

struct cap_node *cap_new_monitor_memory(uint64_t size, const void *data, size_t data_len)
{
	struct cap_object *o = object_new(OBJ_MEMORY);
	struct cap_node *n = NULL;
	uint64_t rounded;

	if (!o || data_len > size || size == 0)
		goto fail;
	rounded = (size + IV_MAP_ALIGN - 1) / IV_MAP_ALIGN * IV_MAP_ALIGN;
	o->fd = memfd_create("capfile", MFD_CLOEXEC);
	if (o->fd < 0 || ftruncate(o->fd, (off_t)rounded))
		goto fail;
	o->data = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
	if (o->data == MAP_FAILED) {
		o->data = NULL;
		goto fail;
	}
	if (data_len)
		memcpy(o->data, data, data_len);
	o->size = size;
	o->monitor_owned = true;
	pthread_mutex_lock(&lock);
	n = node_new(o, NULL, 0, size, IV_PERM_ALL & ~(IV_PERM_CALL | IV_PERM_SEAL |
						      IV_PERM_UNSEAL), 0);
	if (n) {
		o->next_memory = memory_objects;
		memory_objects = o;
	}
	pthread_mutex_unlock(&lock);
	if (n)
		return n;
	munmap(o->data, rounded);
fail:
	if (o && o->fd >= 0)
		close(o->fd);
	free(o);
	return NULL;
}

int cap_new_entry(struct cvm *holder, struct cvm *callee, uint32_t index)
{
	struct cap_object *o = object_new(OBJ_ENTRY);
	int h;

	if (!o)
		return -IV_ENOMEM;
	o->callee = callee;
	o->export_index = index;
	pthread_mutex_lock(&lock);
	h = root_in_slot(holder, o, 0, IV_PERM_CALL | IV_PERM_GRANT, CAP_OTYPE_ENTRY);
	pthread_mutex_unlock(&lock);
	return h;
}

int cap_grant_node(struct cvm *vm, struct cap_node *node, uint64_t *size_out)
{
	struct cap_node *n;
	int h = -IV_ESTALE;

	pthread_mutex_lock(&lock);
	if (node->revoked)
		goto out;
	h = -IV_ENOMEM;
	n = node_new(node->obj, node, node->base, node->length, node->perms, node->seal);
	if (!n)
		goto out;
	h = slot_put(vm, n);
	if (h < 0)
		node_maybe_free(n);
	else if (size_out)
		*size_out = node->length;
out:
	pthread_mutex_unlock(&lock);
	return h;
}

struct cap_node *cap_hold(struct cvm *vm, int h, int *err)
{
	struct cap_node *n, *child = NULL;

	pthread_mutex_lock(&lock);
	*err = lookup(vm, h, &n);
	if (!*err) {
		child = node_new(n->obj, n, n->base, n->length, n->perms, n->seal);
		if (!child)
			*err = -IV_ENOMEM;
	}
	pthread_mutex_unlock(&lock);
	return child;
}

void cap_release_node(struct cap_node *node)
{
	pthread_mutex_lock(&lock);
	revoke_tree(node);
	node_maybe_free(node);
	pthread_mutex_unlock(&lock);
}

bool cap_node_live(struct cap_node *node)
{
	bool live;

	pthread_mutex_lock(&lock);
	live = !node->revoked;
	pthread_mutex_unlock(&lock);
	return live;
}

int cap_entry(struct cvm *vm, int h, struct cvm **callee, uint32_t *index)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (!err && (n->obj->type != OBJ_ENTRY || n->seal != CAP_OTYPE_ENTRY))
		err = -IV_EINVAL;
	if (!err && !(n->perms & IV_PERM_CALL))
		err = -IV_ENOTCAPABLE;
	if (!err) {
		*callee = n->obj->callee;
		*index = n->obj->export_index;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

struct cap_node *cap_hold_checked(struct cvm *vm, int h, uint32_t type, uint32_t need,
				  int *err)
{
	struct cap_node *n, *child = NULL;

	pthread_mutex_lock(&lock);
	*err = lookup_checked(vm, h, type, need, &n);
	if (!*err) {
		child = node_new(n->obj, n, n->base, n->length, n->perms, n->seal);
		if (!child)
			*err = -IV_ENOMEM;
	}
	pthread_mutex_unlock(&lock);
	return child;
}

int cap_place_node(struct cvm *vm, struct cap_node *node)
{
	int h = -IV_ESTALE;

	pthread_mutex_lock(&lock);
	if (!vm->caps || vm->torn_down)
		h = -IV_ESRCH;
	else if (!node->revoked)
		h = slot_put(vm, node);
	pthread_mutex_unlock(&lock);
	return h;
}

void cap_set_tickets(struct cap_node *node, uint32_t tickets)
{
	pthread_mutex_lock(&lock);
	if (!node->revoked && !node->in_slot) {
		count_holder(node, (int)tickets - (int)node->tickets);
		node->tickets = tickets;
	}
	pthread_mutex_unlock(&lock);
}

int cap_grant_ticket(struct cvm *vm, struct cap_node *node, uint32_t *left)
{
	struct cap_node *n;
	int h = -IV_ESTALE;

	pthread_mutex_lock(&lock);
	if (node->revoked || !node->tickets)
		goto out;
	h = -IV_ENOMEM;
	n = node_new(node->obj, node, node->base, node->length, node->perms, node->seal);
	if (!n)
		goto out;
	h = slot_put(vm, n);
	if (h < 0) {
		node_maybe_free(n);
		goto out;
	}
	/* The new holder was counted first, so the end never looks closed in between. */
	node->tickets--;
	count_holder(node, -1);
out:
	*left = node->tickets;
	pthread_mutex_unlock(&lock);
	return h;
}

void cap_forget_node(struct cap_node *node)
{
	pthread_mutex_lock(&lock);
	node_maybe_free(node);
	pthread_mutex_unlock(&lock);
}

void cap_release_node_in_hook(struct cap_node *node)
{
	revoke_tree(node);
	node_maybe_free(node);
}

struct cap_node *cap_new_end(const struct cap_end_ops *ops, void *priv, uint32_t end,
			     uint64_t length)
{
	struct cap_object *o = object_new(OBJ_STREAM);
	struct cap_node *n;

	if (!o)
		return NULL;
	o->ops = ops;
	o->priv = priv;
	o->end = end;
	o->end_perm = end == IV_STREAM_WRITE ? IV_PERM_STORE : IV_PERM_LOAD;
	pthread_mutex_lock(&lock);
	n = node_new(o, NULL, 0, length, o->end_perm | IV_PERM_GRANT, 0);
	pthread_mutex_unlock(&lock);
	if (!n)
		free(o);
	return n;
}

int cap_end(struct cvm *vm, int h, uint32_t need, void **priv, uint32_t *end)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_checked(vm, h, OBJ_STREAM, need, &n);
	if (!err) {
		n->obj->ops->get(n->obj->priv);
		*priv = n->obj->priv;
		*end = n->obj->end;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_end_fast(struct cvm *vm, int h, uint32_t need, void **priv, uint32_t *end)
{
	const struct cap_table *t = vm->caps;
	uint32_t i = (uint32_t)h & HANDLE_INDEX_MASK, gen = (uint32_t)h >> HANDLE_INDEX_BITS;
	const struct cap_slot *slots;
	const struct cap_node *n;

	/* As lookup, with each shared field read once, atomically: n before slots (see above). */
	if (h <= 0 || !t || i == 0 || i >= atomic_load(&t->n))
		return -IV_EBADF;
	slots = atomic_load(&t->slots);
	n = atomic_load(&slots[i].node);
	if (!n || atomic_load(&slots[i].gen) != gen)
		return -IV_EBADF;
	if (n->revoked)
		return -IV_ESTALE;
	if (n->seal)
		return -IV_EACCES;
	if (n->obj->type != OBJ_STREAM)
		return -IV_EINVAL;
	if ((n->perms & need) != need)
		return -IV_ENOTCAPABLE;
	*priv = n->obj->priv;
	*end = n->obj->end;
	return 0;
}

int cap_notify(struct cvm *vm, int h)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_checked(vm, h, OBJ_MEMORY, IV_PERM_STORE, &n);
	if (!err)
		n->obj->events++;
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_events(struct cvm *vm, int h, uint32_t *count)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_checked(vm, h, OBJ_MEMORY, IV_PERM_LOAD, &n);
	if (!err)
		*count = n->obj->events;
	pthread_mutex_unlock(&lock);
	return err;
}

/* ---- guest operations ---- */

int cap_info(struct cvm *vm, int h, struct iv_cap_info *out)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (!err) {
		memset(out, 0, sizeof(*out));
		out->base = n->base;
		out->length = n->length;
		out->perms = n->perms;
		out->type = n->obj->type;
		out->seal_type = n->seal;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_derive(struct cvm *vm, int h, uint64_t offset, uint64_t length, uint32_t perms)
{
	struct cap_node *n, *child;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (err)
		goto out;
	err = -IV_EACCES;
	if (n->seal)
		goto out;
	err = -IV_ENOTCAPABLE;
	if (perms & ~n->perms)
		goto out;
	err = -IV_ERANGE;
	if (offset > n->length || length > n->length - offset)
		goto out;
	err = -IV_ENOMEM;
	child = node_new(n->obj, n, n->base + offset, length, perms, 0);
	if (!child)
		goto out;
	err = slot_put(vm, child);
	if (err < 0)
		node_maybe_free(child);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_drop(struct cvm *vm, int h)
{
	struct cap_table *t = vm->caps;
	uint32_t i = (uint32_t)h & HANDLE_INDEX_MASK;
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (err == -IV_ESTALE)
		err = 0, n = t->slots[i].node; /* dropping a revoked handle is how it is freed */
	if (!err) {
		if (!n->revoked)
			count_holder(n, -1);
		t->slots[i].node = NULL;
		n->in_slot = false;
		node_maybe_free(n);
	}
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_revoke(struct cvm *vm, int h)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (!err)
		revoke_tree(n);
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_sealer(struct cvm *vm)
{
	struct cap_object *o = object_new(OBJ_SEALER);
	int h;

	if (!o)
		return -IV_ENOMEM;
	pthread_mutex_lock(&lock);
	/* Seal types are never reused, or a new sealer could open an old sealer's capabilities. */
	if (next_otype == UINT32_MAX) {
		pthread_mutex_unlock(&lock);
		free(o);
		return -IV_ENOSPC;
	}
	o->otype = next_otype++;
	h = root_in_slot(vm, o, 0, IV_PERM_SEAL | IV_PERM_UNSEAL | IV_PERM_GRANT, 0);
	pthread_mutex_unlock(&lock);
	return h;
}

static int seal_op(struct cvm *vm, int h, int sealer, bool seal)
{
	struct cap_node *n, *s, *child;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (!err)
		err = lookup(vm, sealer, &s);
	if (err)
		goto out;
	err = -IV_EINVAL;
	if (s->obj->type != OBJ_SEALER || s->seal)
		goto out;
	err = -IV_ENOTCAPABLE;
	if (!(s->perms & (seal ? IV_PERM_SEAL : IV_PERM_UNSEAL)))
		goto out;
	err = -IV_EACCES;
	if (seal ? n->seal != 0 : n->seal != s->obj->otype)
		goto out;
	err = -IV_ENOMEM;
	child = node_new(n->obj, n, n->base, n->length, n->perms, seal ? s->obj->otype : 0);
	if (!child)
		goto out;
	err = slot_put(vm, child);
	if (err < 0)
		node_maybe_free(child);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_seal(struct cvm *vm, int h, int sealer)
{
	return seal_op(vm, h, sealer, true);
}

int cap_unseal(struct cvm *vm, int h, int sealer)
{
	return seal_op(vm, h, sealer, false);
}

int cap_transfer(struct cvm *vm, int h, struct cvm *target)
{
	struct cap_node *n, *child;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup(vm, h, &n);
	if (err)
		goto out;
	err = -IV_ENOTCAPABLE;
	if (!(n->perms & IV_PERM_GRANT))
		goto out;
	err = -IV_ESRCH;
	if (!target->caps || target->torn_down)
		goto out;
	err = -IV_ENOMEM;
	child = node_new(n->obj, n, n->base, n->length, n->perms, n->seal);
	if (!child)
		goto out;
	err = slot_put(target, child);
	if (err < 0)
		node_maybe_free(child);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_load(struct cvm *vm, int h, uint64_t offset, void *dst, uint32_t len)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_memory(vm, h, IV_PERM_LOAD, offset, len, &n);
	if (!err)
		memmove(dst, n->obj->data + n->base + offset, len);
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_store(struct cvm *vm, int h, uint64_t offset, const void *src, uint32_t len)
{
	struct cap_node *n;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_memory(vm, h, IV_PERM_STORE, offset, len, &n);
	if (!err)
		memmove(n->obj->data + n->base + offset, src, len);
	pthread_mutex_unlock(&lock);
	return err;
}

int cap_copy(struct cvm *vm, int dst, uint64_t dst_off, int src, uint64_t src_off,
	     uint32_t len)
{
	struct cap_node *d, *s;
	int err;

	pthread_mutex_lock(&lock);
	err = lookup_memory(vm, dst, IV_PERM_STORE, dst_off, len, &d);
	if (!err)
		err = lookup_memory(vm, src, IV_PERM_LOAD, src_off, len, &s);
	if (!err)
		memmove(d->obj->data + d->base + dst_off, s->obj->data + s->base + src_off, len);
	pthread_mutex_unlock(&lock);
	return err;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool cap_overlaps_mapping(const struct cvm *vm, uint32_t ptr, uint64_t len)
{
	size_t i;

	for (i = 0; i < vm->nmaps; i++)
		if (ranges_overlap(ptr, len ? len : 1, vm->maps[i]->dst, vm->maps[i]->len))
			return true;
	return false;
}

int cap_map(struct cvm *vm, int h, uint32_t dst)
{
	struct cap_mapping *m = NULL, **grown;
	struct cap_object *o;
	struct cap_node *n;
	int prot, err;
	void *p;

	pthread_mutex_lock(&lock);
	err = lookup_memory(vm, h, IV_PERM_MAP | IV_PERM_LOAD, 0, 0, &n);
	if (err)
		goto out;
	o = n->obj;
	err = -IV_EINVAL;
	if (n->length == 0 || (o->fd_offset + n->base) % IV_MAP_ALIGN || n->length % IV_MAP_ALIGN ||
	    dst % IV_MAP_ALIGN)
		goto out;
	err = -IV_EFAULT;
	if (!vm->mem || (uint64_t)dst + n->length > vm->mem->size ||
	    cap_overlaps_mapping(vm, dst, n->length))
		goto out;
	/* Nor over a region this cVM lent out: its pages must stay plain memory. */
	for (o = memory_objects; o; o = o->next_memory)
		if (o->owner == vm && ranges_overlap(dst, n->length, o->fd_offset, o->size))
			goto out;
	o = n->obj;
	err = -IV_ENOMEM;
	m = calloc(1, sizeof(*m));
	grown = realloc(vm->maps, (vm->nmaps + 1) * sizeof(*grown));
	if (!m || !grown)
		goto out;
	vm->maps = grown;
	prot = PROT_READ | (n->perms & IV_PERM_STORE ? PROT_WRITE : 0);
	/* Pages mapped in two places must never be recycled for another cVM (rt/memory.c). */
	if (o->owner && o->owner->mem)
		o->owner->mem->shared = 1;
	vm->mem->shared = 1;
	p = mmap(vm->mem->data + dst, n->length, prot, MAP_SHARED | MAP_FIXED, o->fd,
		 (off_t)(o->fd_offset + n->base));
	if (p == MAP_FAILED)
		goto out;
	m->holder = vm;
	m->dst = dst;
	m->len = n->length;
	m->node = n;
	m->next_in_node = n->mappings;
	n->mappings = m;
	vm->maps[vm->nmaps++] = m;
	m = NULL;
	err = 0;
out:
	free(m);
	pthread_mutex_unlock(&lock);
	return err;
}

/* Puts vm's own pages back under a window and forgets the window (lock held). */
static void unmap_window(struct cvm *vm, size_t i, bool restore)
{
	struct cap_mapping *m = vm->maps[i], **p;
	struct cap_node *n = m->node;

	if (restore && vm->mem && vm->mem->data)
		mmap(vm->mem->data + m->dst, m->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     vm->mem->fd, m->dst);
	for (p = &n->mappings; *p; p = &(*p)->next_in_node) {
		if (*p == m) {
			*p = m->next_in_node;
			break;
		}
	}
	vm->maps[i] = vm->maps[--vm->nmaps];
	free(m);
	node_maybe_free(n);
}

int cap_unmap(struct cvm *vm, uint32_t dst)
{
	size_t i;
	int err = -IV_EINVAL;

	pthread_mutex_lock(&lock);
	for (i = 0; i < vm->nmaps; i++) {
		if (vm->maps[i]->dst == dst) {
			unmap_window(vm, i, true);
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return err;
}

void cap_cvm_teardown(struct cvm *vm)
{
	struct cap_table *t = vm->caps;
	struct cap_object *o;
	struct cap_node *n;
	uint32_t i;

	/* Its stream advertisements go first: they hold nodes, released under the lock. */
	stream_cvm_ended(vm);
	pthread_mutex_lock(&lock);
	vm->torn_down = true;
	/* Everything naming this cVM's memory, wherever it is held, dies with it. */
	for (o = memory_objects; o; o = o->next_memory)
		if (o->owner == vm)
			for (n = o->nodes; n; n = n->next_of_obj)
				revoke_tree(n);
	while (vm->nmaps)
		unmap_window(vm, vm->nmaps - 1, false);
	for (i = 1; t && i < t->n; i++) {
		n = t->slots[i].node;
		if (n) {
			if (!n->revoked)
				count_holder(n, -1);
			t->slots[i].node = NULL;
			n->in_slot = false;
			node_maybe_free(n);
		}
	}
	/* Objects of this memory still named elsewhere stay revoked; they must not point at it. */
	for (o = memory_objects; o; o = o->next_memory) {
		if (o->owner == vm) {
			o->owner = NULL;
			o->data = NULL;
			o->fd = -1;
		}
	}
	free(vm->maps);
	vm->maps = NULL;
	pthread_mutex_unlock(&lock);
}
