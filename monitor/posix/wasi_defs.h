/* WASI preview1 constants shared by the libOS modules, and host errno translation. */
#ifndef IV_WASI_DEFS_H
#define IV_WASI_DEFS_H

#include <stdint.h>

/* errno values (wasi_snapshot_preview1 `errno`). */
enum wasi_errno {
	WASI_ESUCCESS = 0,
	WASI_E2BIG = 1,
	WASI_EACCES = 2,
	WASI_EADDRINUSE = 3,
	WASI_EADDRNOTAVAIL = 4,
	WASI_EAFNOSUPPORT = 5,
	WASI_EAGAIN = 6,
	WASI_EALREADY = 7,
	WASI_EBADF = 8,
	WASI_EBUSY = 10,
	WASI_ECONNABORTED = 13,
	WASI_ECONNREFUSED = 14,
	WASI_ECONNRESET = 15,
	WASI_EDEADLK = 16,
	WASI_EDQUOT = 19,
	WASI_EEXIST = 20,
	WASI_EFAULT = 21,
	WASI_EFBIG = 22,
	WASI_EHOSTUNREACH = 23,
	WASI_EINPROGRESS = 26,
	WASI_EINTR = 27,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_EISCONN = 30,
	WASI_EISDIR = 31,
	WASI_ELOOP = 32,
	WASI_EMFILE = 33,
	WASI_EMLINK = 34,
	WASI_EMSGSIZE = 35,
	WASI_ENAMETOOLONG = 37,
	WASI_ENETDOWN = 38,
	WASI_ENETUNREACH = 40,
	WASI_ENFILE = 41,
	WASI_ENOBUFS = 42,
	WASI_ENODEV = 43,
	WASI_ENOENT = 44,
	WASI_ENOMEM = 48,
	WASI_ENOPROTOOPT = 50,
	WASI_ENOSPC = 51,
	WASI_ENOSYS = 52,
	WASI_ENOTCONN = 53,
	WASI_ENOTDIR = 54,
	WASI_ENOTEMPTY = 55,
	WASI_ENOTSOCK = 57,
	WASI_ENOTSUP = 58,
	WASI_ENXIO = 60,
	WASI_EOVERFLOW = 61,
	WASI_EPERM = 63,
	WASI_EPIPE = 64,
	WASI_EPROTONOSUPPORT = 66,
	WASI_EROFS = 69,
	WASI_ESPIPE = 70,
	WASI_ETIMEDOUT = 73,
	WASI_ETXTBSY = 74,
	WASI_EXDEV = 75,
	WASI_ENOTCAPABLE = 76,
};

/* filetype */
enum wasi_filetype {
	WASI_FILETYPE_UNKNOWN = 0,
	WASI_FILETYPE_BLOCK_DEVICE = 1,
	WASI_FILETYPE_CHARACTER_DEVICE = 2,
	WASI_FILETYPE_DIRECTORY = 3,
	WASI_FILETYPE_REGULAR_FILE = 4,
	WASI_FILETYPE_SOCKET_DGRAM = 5,
	WASI_FILETYPE_SOCKET_STREAM = 6,
	WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* whence */
#define WASI_WHENCE_SET 0
#define WASI_WHENCE_CUR 1
#define WASI_WHENCE_END 2

/* fdflags */
#define WASI_FDFLAGS_APPEND (1u << 0)
#define WASI_FDFLAGS_DSYNC (1u << 1)
#define WASI_FDFLAGS_NONBLOCK (1u << 2)
#define WASI_FDFLAGS_RSYNC (1u << 3)
#define WASI_FDFLAGS_SYNC (1u << 4)

/* lookupflags */
#define WASI_LOOKUPFLAGS_SYMLINK_FOLLOW (1u << 0)

/* oflags */
#define WASI_OFLAGS_CREAT (1u << 0)
#define WASI_OFLAGS_DIRECTORY (1u << 1)
#define WASI_OFLAGS_EXCL (1u << 2)
#define WASI_OFLAGS_TRUNC (1u << 3)

/* fstflags */
#define WASI_FSTFLAGS_ATIM (1u << 0)
#define WASI_FSTFLAGS_ATIM_NOW (1u << 1)
#define WASI_FSTFLAGS_MTIM (1u << 2)
#define WASI_FSTFLAGS_MTIM_NOW (1u << 3)

/* advice */
#define WASI_ADVICE_NORMAL 0
#define WASI_ADVICE_NOREUSE 5 /* the largest value */

/* rights */
#define WASI_RIGHT_FD_DATASYNC (1ull << 0)
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_SEEK (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WASI_RIGHT_FD_SYNC (1ull << 4)
#define WASI_RIGHT_FD_TELL (1ull << 5)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_FD_ADVISE (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET (1ull << 12)
#define WASI_RIGHT_PATH_OPEN (1ull << 13)
#define WASI_RIGHT_FD_READDIR (1ull << 14)
#define WASI_RIGHT_PATH_READLINK (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN (1ull << 28)
#define WASI_RIGHT_SOCK_ACCEPT (1ull << 29)
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* Rights that change what a file system holds: none of them on a read-only mount. */
#define WASI_RIGHTS_FS_WRITE                                                                  \
	(WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |              \
	 WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                     \
	 WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |                          \
	 WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |                      \
	 WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |             \
	 WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES |                 \
	 WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY |                         \
	 WASI_RIGHT_PATH_UNLINK_FILE | WASI_RIGHT_FD_SYNC)

/* riflags, roflags, sdflags, siflags */
#define WASI_RIFLAGS_RECV_PEEK (1u << 0)
#define WASI_RIFLAGS_RECV_WAITALL (1u << 1)
#define WASI_ROFLAGS_RECV_DATA_TRUNCATED (1u << 0)
#define WASI_SDFLAGS_RD (1u << 0)
#define WASI_SDFLAGS_WR (1u << 1)

/* eventtype, eventrwflags, subclockflags; record sizes of poll_oneoff */
#define WASI_EVENTTYPE_CLOCK 0
#define WASI_EVENTTYPE_FD_READ 1
#define WASI_EVENTTYPE_FD_WRITE 2
#define WASI_EVENTRWFLAGS_HANGUP 1
#define WASI_SUBCLOCKFLAGS_ABSTIME 1
#define WASI_SUBSCRIPTION_BYTES 48
#define WASI_EVENT_BYTES 32

/* Record sizes: fdstat, filestat, prestat, and the dirent header fd_readdir writes. */
#define WASI_FDSTAT_BYTES 24
#define WASI_FILESTAT_BYTES 64
#define WASI_PRESTAT_BYTES 8
#define WASI_DIRENT_BYTES 24

/* A host errno as the WASI errno of the same meaning (EIO when WASI has none). */
uint16_t wasi_from_errno(int host_errno);

#endif
