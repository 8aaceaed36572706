/* WASI poll_oneoff: relative and absolute clocks, several at once, files always ready, errors. */
#include <string.h>

#include "check.h"

#define MS 1000000ull

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
				       __wasi_timestamp_t timeout, __wasi_subclockflags_t flags)
{
	__wasi_subscription_t s;

	memset(&s, 0, sizeof(s));
	s.userdata = ud;
	s.u.tag = __WASI_EVENTTYPE_CLOCK;
	s.u.u.clock.id = id;
	s.u.u.clock.timeout = timeout;
	s.u.u.clock.flags = flags;
	return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type,
				    __wasi_fd_t fd)
{
	__wasi_subscription_t s;

	memset(&s, 0, sizeof(s));
	s.userdata = ud;
	s.u.tag = type;
	if (type == __WASI_EVENTTYPE_FD_READ)
		s.u.u.fd_read.file_descriptor = fd;
	else
		s.u.u.fd_write.file_descriptor = fd;
	return s;
}

/* Polls n subscriptions; returns the number of events, elapsed time in *ns. */
static size_t poll(const __wasi_subscription_t *subs, size_t n, __wasi_event_t *ev,
		   __wasi_timestamp_t *ns, const char *what)
{
	__wasi_timestamp_t start = clock_now(__WASI_CLOCKID_MONOTONIC);
	size_t nevents = 0;

	memset(ev, 0xee, n * sizeof(*ev));
	check_errno(__wasi_poll_oneoff(subs, ev, n, &nevents), 0, "poll_oneoff: %s", what);
	*ns = clock_now(__WASI_CLOCKID_MONOTONIC) - start;
	return nevents;
}

static int is_event(const __wasi_event_t *e, __wasi_userdata_t ud, __wasi_eventtype_t type,
		    __wasi_errno_t error)
{
	return e->userdata == ud && e->type == type && e->error == error;
}

static void clocks(void)
{
	__wasi_subscription_t s[3];
	__wasi_event_t ev[3];
	__wasi_timestamp_t ns;
	size_t n;

	s[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 30 * MS, 0);
	n = poll(s, 1, ev, &ns, "a relative 30 ms clock");
	check(n == 1 && is_event(&ev[0], 11, __WASI_EVENTTYPE_CLOCK, 0),
	      "one clock event with its userdata");
	check(ns >= 30 * MS, "it waited at least 30 ms (%llu us)", (unsigned long long)ns / 1000);

	s[0] = clock_sub(12, __WASI_CLOCKID_MONOTONIC,
			 clock_now(__WASI_CLOCKID_MONOTONIC) + 30 * MS,
			 __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
	n = poll(s, 1, ev, &ns, "an absolute clock 30 ms ahead");
	check(n == 1 && is_event(&ev[0], 12, __WASI_EVENTTYPE_CLOCK, 0), "one clock event");
	check(ns >= 25 * MS, "it waited until then (%llu us)", (unsigned long long)ns / 1000);

	s[0] = clock_sub(13, __WASI_CLOCKID_MONOTONIC, 1,
			 __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
	n = poll(s, 1, ev, &ns, "an absolute clock in the past");
	check(n == 1 && is_event(&ev[0], 13, __WASI_EVENTTYPE_CLOCK, 0) && ns < 1000 * MS,
	      "it is due at once");

	s[0] = clock_sub(14, __WASI_CLOCKID_REALTIME, 20 * MS, 0);
	n = poll(s, 1, ev, &ns, "a relative 20 ms realtime clock");
	check(n == 1 && is_event(&ev[0], 14, __WASI_EVENTTYPE_CLOCK, 0) && ns >= 20 * MS,
	      "it waited 20 ms");

	s[0] = clock_sub(21, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
	s[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
	s[2] = clock_sub(23, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0);
	n = poll(s, 3, ev, &ns, "clocks of 5 s, 20 ms and 3 s");
	check(n == 1 && is_event(&ev[0], 22, __WASI_EVENTTYPE_CLOCK, 0),
	      "only the 20 ms clock fired");
	check(ns >= 20 * MS && ns < 3000 * MS, "after 20 ms, before 3 s (%llu us)",
	      (unsigned long long)ns / 1000);
}

static void files(__wasi_fd_t dir)
{
	__wasi_subscription_t s[3];
	__wasi_event_t ev[3];
	__wasi_timestamp_t ns;
	__wasi_fd_t fd;
	size_t n;

	put_file(dir, "ten", "0123456789");
	fd = open_at(dir, "ten", 0, RIGHTS_RW | __WASI_RIGHTS_POLL_FD_READWRITE, 0);
	s[0] = fd_sub(31, __WASI_EVENTTYPE_FD_READ, fd);
	s[1] = clock_sub(32, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
	n = poll(s, 2, ev, &ns, "fd_read on a file, with a 5 s clock");
	check(n == 1 && is_event(&ev[0], 31, __WASI_EVENTTYPE_FD_READ, 0) && ns < 1000 * MS,
	      "the file is readable at once");
	check(n == 1 && ev[0].fd_readwrite.nbytes == 10,
	      "nbytes: the 10 bytes left to read (%llu)",
	      (unsigned long long)ev[0].fd_readwrite.nbytes);

	s[0] = fd_sub(33, __WASI_EVENTTYPE_FD_WRITE, fd);
	n = poll(s, 2, ev, &ns, "fd_write on a file, with a 5 s clock");
	check(n == 1 && is_event(&ev[0], 33, __WASI_EVENTTYPE_FD_WRITE, 0) && ns < 1000 * MS,
	      "the file is writable at once");

	s[0] = fd_sub(34, __WASI_EVENTTYPE_FD_READ, fd);
	s[1] = fd_sub(35, __WASI_EVENTTYPE_FD_WRITE, fd);
	s[2] = clock_sub(36, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
	n = poll(s, 3, ev, &ns, "fd_read and fd_write on one file");
	check(n == 2 && ns < 1000 * MS &&
	      ((is_event(&ev[0], 34, __WASI_EVENTTYPE_FD_READ, 0) &&
		is_event(&ev[1], 35, __WASI_EVENTTYPE_FD_WRITE, 0)) ||
	       (is_event(&ev[1], 34, __WASI_EVENTTYPE_FD_READ, 0) &&
		is_event(&ev[0], 35, __WASI_EVENTTYPE_FD_WRITE, 0))), "both are ready at once");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");

	s[0] = fd_sub(41, __WASI_EVENTTYPE_FD_READ, 1000);
	s[1] = clock_sub(42, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
	n = poll(s, 2, ev, &ns, "fd_read on fd 1000, with a 5 s clock");
	check(n == 1 && is_event(&ev[0], 41, __WASI_EVENTTYPE_FD_READ, __WASI_ERRNO_BADF) &&
	      ns < 1000 * MS, "an event for fd 1000 carrying EBADF, at once");
	s[0] = fd_sub(43, __WASI_EVENTTYPE_FD_WRITE, fd);
	n = poll(s, 2, ev, &ns, "fd_write on a closed descriptor");
	check(n == 1 && is_event(&ev[0], 43, __WASI_EVENTTYPE_FD_WRITE, __WASI_ERRNO_BADF),
	      "an event carrying EBADF");

	s[0] = fd_sub(44, __WASI_EVENTTYPE_FD_WRITE, 1);
	n = poll(s, 2, ev, &ns, "fd_write on stdout");
	check(n == 1 && is_event(&ev[0], 44, __WASI_EVENTTYPE_FD_WRITE, 0) && ns < 1000 * MS,
	      "stdout is writable at once");
}

static void errors(void)
{
	__wasi_subscription_t s = clock_sub(51, __WASI_CLOCKID_MONOTONIC, 0, 0);
	__wasi_event_t ev;
	size_t n = 0;
	uint8_t *end = (uint8_t *)memory_end();

	check_errno(__wasi_poll_oneoff(&s, &ev, 0, &n), __WASI_ERRNO_INVAL,
		    "poll_oneoff of no subscriptions");
	check_errno(__wasi_poll_oneoff((const __wasi_subscription_t *)(end - 16), &ev, 1, &n),
		    __WASI_ERRNO_FAULT, "poll_oneoff: subscriptions past the end of memory");
	check_errno(__wasi_poll_oneoff(&s, (__wasi_event_t *)(end - 16), 1, &n),
		    __WASI_ERRNO_FAULT, "poll_oneoff: events past the end of memory");
	check_errno(__wasi_poll_oneoff(&s, &ev, 1, (size_t *)end), __WASI_ERRNO_FAULT,
		    "poll_oneoff: the count past the end of memory");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("poll", argc > 1 ? argv[1] : "");

	clocks();
	files(dir);
	errors();
	put_file(dir, "kept", "poll\n");
	return check_summary("poll");
}
