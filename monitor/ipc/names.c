/* The name registry: capfiles and call entries advertised by name, probed with a timeout. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cvm.h"
#include "ipc.h"
#include "rt.h"
#include "rt/interrupt.h"

struct name_entry {
	enum name_kind kind;
	char name[IV_NAME_MAX + 1];
	struct cvm *owner;            /* NULL: the monitor */
	struct cap_node *node;        /* NAME_CAPFILE */
	char **allow;                 /* NAME_CAPFILE: NULL-terminated, or NULL for all */
	struct cvm *callee;           /* NAME_ENTRY */
	uint32_t index;
	struct name_entry *next;
};

/* Names hash into buckets, so lookups stay cheap however many names exist. */
#define NBUCKETS 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t published = PTHREAD_COND_INITIALIZER;
static struct name_entry *buckets[NBUCKETS];

static struct name_entry **bucket(enum name_kind kind, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return &buckets[h % NBUCKETS];
}

static void entry_free(struct name_entry *e)
{
	size_t i;

	if (e->node)
		cap_release_node(e->node);
	for (i = 0; e->allow && e->allow[i]; i++)
		free(e->allow[i]);
	free(e->allow);
	free(e);
}

/* The live entry of this kind and name (lock held); revoked capfiles are dropped on sight. */
static struct name_entry *find(enum name_kind kind, const char *name)
{
	struct name_entry **p, *e;

	for (p = bucket(kind, name); (e = *p);) {
		if (e->kind == kind && !strcmp(e->name, name)) {
			if (e->node && !cap_node_live(e->node)) {
				*p = e->next;
				if (e->owner)
					e->owner->names_advertised--;
				entry_free(e);
				continue;
			}
			return e;
		}
		p = &e->next;
	}
	return NULL;
}

static int publish(struct name_entry *e)
{
	struct name_entry **b;

	pthread_mutex_lock(&lock);
	if (find(e->kind, e->name)) {
		pthread_mutex_unlock(&lock);
		return -IV_EEXIST;
	}
	/* Each cVM may hold as many names as capabilities: names cost the monitor memory too. */
	if (e->owner && e->owner->names_advertised >= e->owner->name_limit) {
		pthread_mutex_unlock(&lock);
		return -IV_EMFILE;
	}
	if (e->owner)
		e->owner->names_advertised++;
	b = bucket(e->kind, e->name);
	e->next = *b;
	*b = e;
	pthread_cond_broadcast(&published);
	pthread_mutex_unlock(&lock);
	return 0;
}

int names_publish_capfile(const char *name, struct cap_node *node, struct cvm *owner,
			  char *const *allow)
{
	struct name_entry *e = calloc(1, sizeof(*e));
	size_t n = 0, i;
	int err;

	if (!e)
		return -IV_ENOMEM;
	e->kind = NAME_CAPFILE;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->owner = owner;
	if (allow) {
		while (allow[n])
			n++;
		e->allow = calloc(n + 1, sizeof(*e->allow));
		for (i = 0; e->allow && i < n; i++)
			if (!(e->allow[i] = strdup(allow[i])))
				break;
		if (!e->allow || i < n) {
			entry_free(e);
			return -IV_ENOMEM;
		}
	}
	e->node = node;
	err = publish(e);
	if (err) {
		e->node = NULL; /* on failure the caller keeps the node */
		entry_free(e);
	}
	return err;
}

int names_publish_entry(const char *name, struct cvm *callee, uint32_t index)
{
	struct name_entry *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -IV_ENOMEM;
	e->kind = NAME_ENTRY;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->owner = callee;
	e->callee = callee;
	e->index = index;
	err = publish(e);
	if (err)
		free(e);
	return err;
}

static bool allowed(const struct name_entry *e, const struct cvm *asker)
{
	size_t i;

	if (!e->allow)
		return true;
	for (i = 0; e->allow[i]; i++)
		if (!strcmp(e->allow[i], asker->name))
			return true;
	return false;
}

int names_probe(struct cvm *asker, enum name_kind kind, const char *name, int timeout_ms,
		uint64_t *size)
{
	struct timespec deadline;
	struct name_entry *e;
	int rc = 0;

	ipc_wait_deadline(&deadline, &timeout_ms);
	ipc_block_begin(asker);
	pthread_mutex_lock(&lock);
	while (!(e = find(kind, name)) && timeout_ms != 0 && rc != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&published, &lock);
		else
			rc = pthread_cond_timedwait(&published, &lock, &deadline);
	}
	if (!e)
		rc = timeout_ms == 0 ? -IV_ENOENT : -IV_ETIMEDOUT;
	else if (kind == NAME_CAPFILE && !allowed(e, asker))
		rc = -IV_EACCES;
	else if (kind == NAME_CAPFILE)
		rc = cap_grant_node(asker, e->node, size);
	else
		rc = cap_new_entry(asker, e->callee, e->index);
	pthread_mutex_unlock(&lock);
	ipc_block_end(asker);
	if (rc == -IV_ETIMEDOUT && rt_deadline_passed())
		rt_trap_late();
	return rc;
}

void names_withdraw(struct cvm *vm)
{
	struct name_entry **p, *e;
	size_t i;

	if (!vm->names_advertised)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < NBUCKETS && vm->names_advertised; i++) {
		for (p = &buckets[i]; (e = *p);) {
			if (e->owner == vm) {
				*p = e->next;
				vm->names_advertised--;
				entry_free(e);
			} else {
				p = &e->next;
			}
		}
	}
	pthread_mutex_unlock(&lock);
}

void names_clear(void)
{
	struct name_entry *e;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < NBUCKETS; i++) {
		while ((e = buckets[i])) {
			buckets[i] = e->next;
			if (e->owner)
				e->owner->names_advertised--;
			entry_free(e);
		}
	}
	pthread_mutex_unlock(&lock);
}
