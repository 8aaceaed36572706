/* A posix cVM's descriptor table: a growable array of entries, closed by kind. */
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "fdtable.h"
#include "intravisor/abi.h"
#include "ipc/stream.h"
#include "net.h"
#include "vfs.h"
#include "wasi_defs.h"

struct fdtable {
	struct fd_entry **slots; /* NULL: free */
	uint32_t n;              /* slots allocated */
	uint32_t limit;          /* descriptors 0 .. limit - 1 may be open */
	uint32_t open;
};

/* What the console's descriptors may do: read stdin, write stdout and stderr, poll both. */
#define CONSOLE_RIGHTS_IN (WASI_RIGHT_FD_READ | WASI_RIGHT_POLL_FD_READWRITE | \
			   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET)
#define CONSOLE_RIGHTS_OUT (WASI_RIGHT_FD_WRITE | WASI_RIGHT_POLL_FD_READWRITE | \
			    WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET)

static int grow(struct fdtable *t, uint32_t need)
{
	uint32_t n = t->n ? t->n : 16;
	struct fd_entry **slots;

	while (n <= need)
		n *= 2;
	if (n > t->limit)
		n = t->limit;
	slots = realloc(t->slots, n * sizeof(*slots));
	if (!slots)
		return -WASI_ENOMEM;
	memset(slots + t->n, 0, (n - t->n) * sizeof(*slots));
	t->slots = slots;
	t->n = n;
	return 0;
}

struct fdtable *fdt_new(uint32_t limit)
{
	struct fdtable *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->limit = limit ? limit : IV_FDS_DEFAULT;
	if (t->limit > IV_FDS_MAX)
		t->limit = IV_FDS_MAX;
	if (grow(t, 3))
		goto fail;
	for (i = 0; i < 3; i++) {
		struct fd_entry *e = calloc(1, sizeof(*e));
		if (!e)
			goto fail;
		e->kind = FD_CONSOLE;
		e->u.console = i;
		e->rights = i == 0 ? CONSOLE_RIGHTS_IN : CONSOLE_RIGHTS_OUT;
		t->slots[i] = e;
		t->open++;
	}
	return t;
fail:
	for (i = 0; t->slots && i < 3; i++)
		free(t->slots[i]);
	free(t->slots);
	free(t);
	return NULL;
}

/* Releases what an entry refers to, then the entry. */
static void release(struct cvm *vm, struct fd_entry *e)
{
	switch (e->kind) {
	case FD_CONSOLE:
		break;
	case FD_STREAM:
		cap_drop(vm, e->u.stream); /* fails harmlessly if the guest dropped it itself */
		break;
	case FD_NODE:
		e->u.node->fs->ops->close(e->u.node);
		break;
	case FD_SOCKET:
		net_sock_close(e->u.sock);
		break;
	}
	free(e->preopen);
	free(e);
}

void fdt_free(struct cvm *vm, struct fdtable *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		if (t->slots[i])
			release(vm, t->slots[i]);
	free(t->slots);
	free(t);
}

struct fd_entry *fdt_get(struct cvm *vm, uint32_t fd)
{
	struct fdtable *t = vm->fds;

	return t && fd < t->n ? t->slots[fd] : NULL;
}

int fdt_install(struct cvm *vm, int fd, const struct fd_entry *e)
{
	struct fdtable *t = vm->fds;
	struct fd_entry *copy;
	uint32_t at;

	if (!t)
		return -WASI_EBADF;
	if (fd < 0) {
		for (at = 3; at < t->n && t->slots[at]; at++)
			;
		if (at >= t->limit)
			return -WASI_EMFILE;
	} else {
		at = (uint32_t)fd;
		if (at >= IV_FDS_MAX)
			return -WASI_EBADF;
		if (at >= t->limit)
			return -WASI_EMFILE;
		if (at < t->n && t->slots[at])
			return -WASI_EEXIST;
	}
	if (at >= t->n && grow(t, at))
		return -WASI_ENOMEM;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -WASI_ENOMEM;
	*copy = *e;
	t->slots[at] = copy;
	t->open++;
	return (int)at;
}

int fdt_close(struct cvm *vm, uint32_t fd)
{
	struct fdtable *t = vm->fds;
	struct fd_entry *e = fdt_get(vm, fd);

	if (!e)
		return -WASI_EBADF;
	t->slots[fd] = NULL;
	t->open--;
	release(vm, e);
	return 0;
}

int fdt_renumber(struct cvm *vm, uint32_t from, uint32_t to)
{
	struct fdtable *t = vm->fds;
	struct fd_entry *e = fdt_get(vm, from);

	if (!e || !fdt_get(vm, to))
		return -WASI_EBADF;
	if (from == to)
		return 0;
	fdt_close(vm, to);
	t->slots[to] = e;
	t->slots[from] = NULL;
	return 0;
}

int fdt_bind_stream(struct cvm *vm, int fd, int h)
{
	struct fdtable *t = vm->fds;
	struct fd_entry e = {.kind = FD_STREAM, .u.stream = h};
	uint32_t end, i;
	bool message;
	int err;

	if (!t || fd >= IV_FDS_MAX)
		return -WASI_EBADF;
	err = stream_end_info(vm, h, &end, &message);
	if (err)
		return err;
	/* One descriptor per handle: closing it drops the handle under any other. */
	for (i = 0; i < t->n; i++)
		if (t->slots[i] && t->slots[i]->kind == FD_STREAM && t->slots[i]->u.stream == h)
			return -WASI_EEXIST;
	e.rights = WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
		   WASI_RIGHT_FD_FILESTAT_GET |
		   (end == IV_STREAM_READ ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
	/* A YAML binding may replace the console's stdio descriptor. */
	if (fd >= 0 && fd <= 2 && fdt_get(vm, (uint32_t)fd) &&
	    fdt_get(vm, (uint32_t)fd)->kind == FD_CONSOLE)
		fdt_close(vm, (uint32_t)fd);
	return fdt_install(vm, fd, &e);
}

uint32_t fdt_count(struct cvm *vm)
{
	return vm->fds ? vm->fds->open : 0;
}
