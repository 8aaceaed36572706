/* The cVM configuration: the original Intravisor's YAML schema, parsed into plain structs. */
#ifndef IV_CONFIG_H
#define IV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A position in the YAML file, 1-based, for FILE:LINE:COL messages. */
struct cfg_mark {
	unsigned line;
	unsigned col;
};

/* Which guest ABI a cVM uses; AUTO decides from the module's imports. */
enum cfg_abi {
	CFG_ABI_AUTO = 0,
	CFG_ABI_BARE,
	CFG_ABI_POSIX,
};

/* The memory cap of a cVM whose YAML has no `isolation` (bytes). */
#define CFG_DEFAULT_MEMORY_CAP (256ull << 20)

/* A host folder bound at a guest path (`mounts:`). */
struct cfg_mount {
	char *host;                   /* joined to the YAML's folder */
	char *guest;                  /* absolute, normalized: no "." or ".." parts, no "//" */
	bool readonly;                /* mode: ro (default) or rw */
	struct cfg_mark mark;
};

/* One address of the network policy: "tcp:HOST:PORT" or "unix:PATH". */
enum cfg_net_kind { CFG_NET_TCP, CFG_NET_UNIX };

struct cfg_endpoint {
	enum cfg_net_kind kind;
	char *host;                   /* tcp: an IPv4 or IPv6 literal (no brackets); unix: the path */
	uint16_t port;                /* tcp; 0 in `connect` means any port */
	char *text;                   /* as written, for messages */
	struct cfg_mark mark;
};

/* `net:` as a mapping: sockets the monitor opens for the cVM, and where it may connect. */
struct cfg_net {
	struct cfg_endpoint *listen;
	size_t nlisten;
	struct cfg_endpoint *connect;
	size_t nconnect;
};

struct cfg_cvm {
	char *name;
	struct cfg_mark mark;         /* where this cVM's mapping starts */
	char *runtime;                /* path to the .wasm, already joined to the YAML's folder */
	struct cfg_mark runtime_mark; /* position of the runtime value */
	char **argv;                  /* NULL-terminated; argv[0] first (defaults to {name}) */
	int argc;
	char **env;                   /* NULL-terminated "KEY=VALUE" strings, possibly empty */
	int envc;
	char *disk;                   /* ext4 image for `/`, joined to the YAML's folder; or NULL */
	struct cfg_mark disk_mark;
	struct cfg_mount *mounts;     /* host folders bound at guest paths */
	size_t nmounts;
	struct cfg_net net;           /* empty: no network at all */
	int stdin_attached;           /* `stdin: true/false`; -1 when absent */
	char *callback_out;           /* NULL or "monitor" means the monitor serves the hostcalls */
	struct cfg_mark callback_out_mark;
	char *callback_in;
	bool clean_room;
	int wait;                     /* -1: join before the next cVM starts; N > 0: sleep N s */
	bool has_isolation;
	uint64_t iso_base, iso_size, iso_begin, iso_end;
	uint64_t memory_cap;          /* iso_size, or CFG_DEFAULT_MEMORY_CAP */
	struct cfg_mark size_mark;    /* position of isolation.size (or of the cVM if absent) */
	enum cfg_abi abi;
	uint32_t cap_limit;           /* limits.caps: capability table size; 0: the default */
	uint32_t timeout_s;           /* limits.timeout: wall-clock seconds; 0: no limit */
	uint32_t cpu_s;               /* limits.cpu: CPU seconds; 0: no limit */
	uint32_t fd_limit;            /* limits.fds: open descriptors; 0: the default */
};

struct cfg_capfile {
	char *name;
	struct cfg_mark mark;
	uint64_t size;
	char *data;                   /* NULL when absent */
	size_t data_len;
	char **allow;                 /* NULL-terminated cVM names that may probe it; NULL: all */
};

/* A cVM holding an end of a YAML stream, and the descriptor the end is bound to. */
struct cfg_stream_end {
	char *cvm;
	struct cfg_mark mark;
	int fd;                       /* posix descriptor (0 stdin, 1 stdout, ...); -1: none */
};

struct cfg_stream {
	char *name;
	struct cfg_mark mark;
	uint32_t capacity;            /* bytes as written; 0: the default */
	bool message;                 /* mode: message (true) or byte */
	struct cfg_stream_end *ends[2]; /* [0]: readers, [1]: writers (enum iv_stream_end) */
	size_t nends[2];
};

struct config {
	char *path;                   /* the YAML file as given on the command line */
	char *dir;                    /* its folder: runtime and disk paths are relative to it */
	struct cfg_cvm *cvms;         /* in file order, across all --- documents */
	size_t ncvms;
	struct cfg_capfile *capfiles;
	size_t ncapfiles;
	struct cfg_stream *streams;
	size_t nstreams;
};

/*
 * Reads and validates the YAML file at path. On success returns 0 and sets *out. On any
 * error prints every problem found as "FILE:LINE:COL: message" to err and returns -1;
 * nothing is returned half-built. Warnings (keys of features not implemented yet) go to err
 * as "FILE:LINE:COL: warning: ..." and do not fail the load.
 */
int cfg_load(const char *path, struct config **out, FILE *err);

/* Same as cfg_load, but from a buffer; name is used in messages and dir for relative paths. */
int cfg_load_buffer(const char *name, const char *dir, const char *text, size_t len,
		    struct config **out, FILE *err);

/* Prints "FILE:LINE:COL: message\n" for a config-level problem found after loading. */
void cfg_report(const struct config *cfg, struct cfg_mark mark, FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void cfg_free(struct config *cfg);

#endif
