/* Stream test (posix): stream ends as file descriptors, with read, write, poll and fcntl. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <intravisor.h>

#include "expect.h"

static int pair(void)
{
	int r, w, fr, fw, r2, w2, fr2, fw2;
	struct pollfd p[2];
	struct stat st;
	char buf[64];

	expect_ok(iv_stream_new(0, 0, &r, &w), "stream_new");
	fr = (int)expect_ok(iv_stream_fd(r), "a descriptor for the read end");
	fw = (int)expect_ok(iv_stream_fd(w), "a descriptor for the write end");
	expect_true(fr == 3 && fw == 4, "the lowest free descriptors, from 3");
	expect_err(iv_stream_fd(r), IV_EEXIST, "a second descriptor for one end");
	expect_true(fstat(fr, &st) == 0 && S_ISSOCK(st.st_mode) && !isatty(fw),
		    "a stream is a socket, not a terminal");
	p[0] = (struct pollfd){.fd = fr, .events = POLLIN};
	p[1] = (struct pollfd){.fd = fw, .events = POLLOUT};
	expect_true(poll(p, 2, 0) == 1 && p[1].revents == POLLOUT && !p[0].revents,
		    "poll: writable, nothing to read");
	expect_true(poll(p, 1, 50) == 0, "poll times out after 50 ms on an empty stream");
	expect_true(write(fw, "hello", 5) == 5, "write");
	expect_true(poll(p, 1, -1) == 1 && p[0].revents == POLLIN, "poll: readable");
	expect_true(read(fr, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "read");
	expect_true(fcntl(fr, F_SETFL, O_NONBLOCK) == 0, "fcntl O_NONBLOCK");
	expect_true(read(fr, buf, sizeof(buf)) == -1 && errno == EAGAIN, "read: EAGAIN");
	expect_true(close(fw) == 0, "close the write end");
	expect_true(poll(p, 1, -1) == 1 && (p[0].revents & POLLHUP), "poll: hang-up");
	expect_true(read(fr, buf, sizeof(buf)) == 0, "read: EOF");
	expect_true(close(fr) == 0 && read(fr, buf, 1) == -1 && errno == EBADF, "closed: EBADF");

	expect_ok(iv_stream_new(0, 0, &r2, &w2), "stream_new");
	fr2 = iv_stream_fd(r2);
	fw2 = iv_stream_fd(w2);
	expect_true(fr2 == 3 && fw2 == 4, "descriptors are reused");
	expect_true(close(fr2) == 0, "close the read end");
	expect_true(write(fw2, "x", 1) == -1 && errno == EPIPE, "write: EPIPE, and no signal");
	expect_true(lseek(fw2, 0, SEEK_SET) == -1 && errno == ESPIPE, "lseek: ESPIPE");
	return check_status();
}

/* The YAML bound this cVM's fd 7 to the write end of "numbered". */
static int writer(void)
{
	static const char text[] = "hello through fd 7\n";

	expect_true(write(7, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1, "write fd 7");
	expect_true(write(5, "x", 1) == -1 && errno == EBADF, "fd 5 is not bound here");
	return check_status();
}

/* ... and this one's fd 5 to its read end. */
static int reader(void)
{
	char buf[64];
	ssize_t n, total = 0;

	while ((n = read(5, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	buf[total] = 0;
	expect_true(n == 0 && !strcmp(buf, "hello through fd 7\n"), "read fd 5 until EOF");
	expect_true(write(5, "x", 1) == -1 && errno == EBADF, "a read end is not writable");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "pair"))
		return pair();
	return strcmp(argv[1], "writer") ? reader() : writer();
}
