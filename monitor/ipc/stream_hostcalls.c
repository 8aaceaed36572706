/* The guest edge of CAP_STREAM: stream_* and cap_notify hostcalls decode and check, then act. */
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "posix/fdtable.h"
#include "rt.h"
#include "stream.h"

static const struct import_def defs[] = {
	{IV_HC_STREAM_NEW, "iii:i"},
	{IV_HC_STREAM_ADV, "iiii:i"},
	{IV_HC_STREAM_PRB, "iiii:i"},
	{IV_HC_STREAM_SEND, "iiiii:i"},
	{IV_HC_STREAM_RECV, "iiiii:i"},
	{IV_HC_STREAM_WAIT, "iii:i"},
	{IV_HC_STREAM_FD, "i:i"},
	{IV_HC_CAP_NOTIFY, "i:i"},
};

const struct import_family stream_family = {
	IV_IMPORT_MODULE, CFG_ABI_BARE, defs, sizeof(defs) / sizeof(defs[0]),
};

/* A guest timeout in ms (negative: none) as the stream layer's nanoseconds (-1: none). */
static int64_t timeout_ns(uint32_t timeout_ms)
{
	return (int32_t)timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
}

static uint32_t result(int rc)
{
	return (uint32_t)stream_trap_if_late(rc);
}

uint32_t Z_intravisorZ_stream_new(struct cvm *vm, uint32_t capacity, uint32_t flags,
				  uint32_t ends_ptr)
{
	int ends[2], err;

	rt_check_stack();
	if (!gm_range(vm, ends_ptr, sizeof(ends)))
		return (uint32_t)-IV_EFAULT;
	err = stream_new(vm, capacity, flags, ends);
	if (err)
		return (uint32_t)err;
	gm_store(vm, ends_ptr, ends, sizeof(ends));
	return 0;
}

uint32_t Z_intravisorZ_stream_adv(struct cvm *vm, uint32_t name, uint32_t name_len, uint32_t h,
				  uint32_t takers)
{
	char key[IV_NAME_MAX + 1];
	int err;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (err)
		return (uint32_t)err;
	return (uint32_t)stream_advertise(vm, key, (int)h, takers);
}

uint32_t Z_intravisorZ_stream_prb(struct cvm *vm, uint32_t name, uint32_t name_len,
				  uint32_t end, uint32_t timeout_ms)
{
	char key[IV_NAME_MAX + 1];
	int err;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (err)
		return (uint32_t)err;
	if (end > IV_STREAM_WRITE)
		return (uint32_t)-IV_EINVAL;
	return result(stream_probe(vm, key, end, (int)timeout_ms));
}

uint32_t Z_intravisorZ_stream_send(struct cvm *vm, uint32_t h, uint32_t buf, uint32_t len,
				   uint32_t cap, uint32_t timeout_ms)
{
	struct stream_iov iov = {buf, len};

	rt_check_stack();
	if (!gm_range(vm, buf, len))
		return (uint32_t)-IV_EFAULT;
	return result(stream_send(vm, (int)h, &iov, 1, (int)cap, timeout_ns(timeout_ms)));
}

uint32_t Z_intravisorZ_stream_recv(struct cvm *vm, uint32_t h, uint32_t buf, uint32_t len,
				   uint32_t cap_out, uint32_t timeout_ms)
{
	struct stream_iov iov = {buf, len};
	int cap = 0, rc;

	rt_check_stack();
	if (!gm_range(vm, buf, len) || (cap_out && !gm_range(vm, cap_out, 4)))
		return (uint32_t)-IV_EFAULT;
	rc = stream_recv(vm, (int)h, &iov, 1, cap_out ? &cap : NULL, timeout_ns(timeout_ms));
	if (rc >= 0 && cap_out)
		gm_store_u32(vm, cap_out, (uint32_t)cap);
	return result(rc);
}

uint32_t Z_intravisorZ_stream_wait(struct cvm *vm, uint32_t items_ptr, uint32_t n,
				   uint32_t timeout_ms)
{
	struct stream_poll items[IV_WAIT_MAX];
	struct iv_wait w;
	const uint8_t *raw;
	uint32_t i;
	int rc;

	rt_check_stack();
	if (n == 0 || n > IV_WAIT_MAX)
		return (uint32_t)-IV_EINVAL;
	raw = gm_array(vm, items_ptr, n, sizeof(w));
	if (!raw)
		return (uint32_t)-IV_EFAULT;
	for (i = 0; i < n; i++) {
		memcpy(&w, raw + (size_t)i * sizeof(w), sizeof(w));
		/* Each item waits for one thing: an end is read or written, memory notified. */
		if (w.events != IV_WAIT_READ && w.events != IV_WAIT_WRITE &&
		    w.events != IV_WAIT_NOTIFY)
			return (uint32_t)-IV_EINVAL;
		memset(&items[i], 0, sizeof(items[i]));
		items[i].handle = w.handle;
		items[i].events = w.events;
		items[i].seq = w.seq;
	}
	rc = stream_poll(vm, items, n, timeout_ns(timeout_ms));
	for (i = 0; rc >= 0 && i < n; i++) {
		w.handle = items[i].handle;
		w.events = (uint16_t)items[i].events;
		w.revents = (uint16_t)items[i].revents;
		w.seq = items[i].seq;
		w.error = items[i].error;
		/* Checked again: the cVM could be called, and change its memory, while it waited. */
		if (gm_store(vm, items_ptr + i * (uint32_t)sizeof(w), &w, sizeof(w)))
			return (uint32_t)-IV_EFAULT;
	}
	return result(rc);
}

uint32_t Z_intravisorZ_stream_fd(struct cvm *vm, uint32_t h)
{
	rt_check_stack();
	return (uint32_t)fdt_bind_stream(vm, -1, (int)h);
}

uint32_t Z_intravisorZ_cap_notify(struct cvm *vm, uint32_t h)
{
	int err;

	rt_check_stack();
	err = cap_notify(vm, (int)h);
	if (!err)
		stream_notify_waiters();
	return (uint32_t)err;
}
