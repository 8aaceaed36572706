/* Capabilities: per-cVM tables of handles to objects, derived monotonically, revocable. */
#ifndef IV_CAP_H
#define IV_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intravisor/abi.h"

struct cvm;
struct cap_table;

/* The seal type of entry capabilities; no sealer for it is ever handed out. */
#define CAP_OTYPE_ENTRY 1u

/*
 * Every function here returns 0 (or a new handle > 0) on success and a negated enum
 * iv_error on failure, and takes the one capability lock itself: callers hold no lock.
 * Handles are checked for index, generation, revocation, type, seal and permissions.
 */

/* A table for a cVM with room for limit handles. NULL when out of memory. */
struct cap_table *cap_table_new(uint32_t limit);

/*
 * A cVM is ending (its memory is about to be freed): revokes every capability to its
 * memory, wherever held, unmaps them, withdraws what it advertised, and empties its table.
 */
void cap_cvm_teardown(struct cvm *vm);

/* Frees the (emptied) table. */
void cap_table_free(struct cap_table *t);

/* Objects the other modules create. Each returns a handle in vm's table. */

/* A capability to [offset, offset+len) of owner's own memory (capfile_adv, lent buffers). */
int cap_new_cvm_memory(struct cvm *holder, struct cvm *owner, uint32_t offset, uint32_t len,
		       uint32_t perms);

/*
 * Lends [offset, offset+len) of owner's memory to holder for a while (a call's buffer):
 * returns the handle in holder's table and, in *lent, the object, whose every capability
 * cap_end_lending revokes however it was derived, transferred or dropped meanwhile.
 */
struct cap_object;
int cap_lend(struct cvm *holder, struct cvm *owner, uint32_t offset, uint32_t len,
	     uint32_t perms, struct cap_object **lent);
void cap_end_lending(struct cap_object *lent);

/* Monitor-owned memory (YAML capfiles): a node held by the monitor, NULL on failure. */
struct cap_node *cap_new_monitor_memory(uint64_t size, const void *data, size_t data_len);

/* An entry capability (sealed, CALL) to callee's export number index. */
int cap_new_entry(struct cvm *holder, struct cvm *callee, uint32_t index);

/* A copy of a monitor-held node (e.g. from the name registry) in vm's table. */
int cap_grant_node(struct cvm *vm, struct cap_node *node, uint64_t *size_out);

/* A monitor-held child of handle h (for the name registry); NULL with *err set. */
struct cap_node *cap_hold(struct cvm *vm, int h, int *err);

/* Revokes and releases a monitor-held node. */
void cap_release_node(struct cap_node *node);

/* True while a monitor-held node has not been revoked. */
bool cap_node_live(struct cap_node *node);

/* The entry behind a CALL capability: callee and export index. */
int cap_entry(struct cvm *vm, int h, struct cvm **callee, uint32_t *index);

/*
 * A monitor-held child of h for another module to keep, after checking that h is unsealed,
 * of type type (enum iv_cap_type) and holds the permissions need. NULL with *err set.
 */
struct cap_node *cap_hold_checked(struct cvm *vm, int h, uint32_t type, uint32_t need,
				  int *err);

/*
 * Moves a monitor-held node into vm's table and returns its handle; on failure the node
 * stays the monitor's (-IV_EMFILE, -IV_ESTALE when it was revoked meanwhile, -IV_ESRCH when
 * vm has ended).
 */
int cap_place_node(struct cvm *vm, struct cap_node *node);

/*
 * Tickets: a monitor-held stream end (an advertisement) counts as tickets holders until
 * cap_grant_ticket hands them out one by one, each as a capability in vm's table, *left
 * getting how many remain (-IV_ESTALE once revoked or all handed out). Revoking or letting
 * go of the node ends its tickets.
 */
void cap_set_tickets(struct cap_node *node, uint32_t tickets);
int cap_grant_ticket(struct cvm *vm, struct cap_node *node, uint32_t *left);

/* Lets go of a monitor-held node without revoking what was derived from it. */
void cap_forget_node(struct cap_node *node);

/* As cap_release_node, for the hooks below, which run with the capability lock held. */
void cap_release_node_in_hook(struct cap_node *node);

/*
 * ---- Stream ends (IV_CAP_STREAM) ----
 * cap.c holds the capabilities; ipc/stream.c implements the object behind them and hears,
 * through these hooks, how many cVMs hold each end. A node counts as a holder while it sits
 * in a cVM's table, is not revoked and has the end's permission (LOAD for the read end,
 * STORE for the write end). Hooks run with the capability lock held: they must not call
 * cap.c, except cap_release_node_in_hook.
 */
struct cap_end_ops {
	void (*get)(void *priv);                              /* a reference for cap_end's caller */
	void (*holders)(void *priv, uint32_t end, int delta); /* a holder came (+1) or went (-1) */
	void (*revoked)(void *priv, uint32_t end);            /* a capability to it was revoked */
	void (*released)(void *priv, uint32_t end);           /* the end object is gone */
};

/*
 * A new end object for end (IV_STREAM_READ or _WRITE) of priv with length bytes, held by
 * the monitor: its root node, NULL when out of memory (then no hook runs). Perms: the
 * end's permission and IV_PERM_GRANT.
 */
struct cap_node *cap_new_end(const struct cap_end_ops *ops, void *priv, uint32_t end,
			     uint64_t length);

/*
 * The end behind handle h, which must be unsealed and hold need: *priv (after ops->get) and
 * *end. -IV_EINVAL when h is not a stream end.
 */
int cap_end(struct cvm *vm, int h, uint32_t need, void **priv, uint32_t *end);

/*
 * As cap_end, without the lock and without a reference, for the data path. Only for code
 * running for vm (its own thread, or a call into it, holding its run lock): only such code
 * frees the nodes of vm's table, so the end stays valid until vm's code runs again or the
 * caller lets others in (ipc_block_begin); it must take its own reference before.
 */
int cap_end_fast(struct cvm *vm, int h, uint32_t need, void **priv, uint32_t *end);

/*
 * Events on memory objects (IV_WAIT_NOTIFY): cap_notify counts one on the object of h
 * (needs STORE); cap_events reads the count (needs LOAD). 0 or a negated iv_error.
 */
int cap_notify(struct cvm *vm, int h);
int cap_events(struct cvm *vm, int h, uint32_t *count);

/* Guest operations (see abi.h for their meaning). */
int cap_info(struct cvm *vm, int h, struct iv_cap_info *out);
int cap_derive(struct cvm *vm, int h, uint64_t offset, uint64_t length, uint32_t perms);
int cap_drop(struct cvm *vm, int h);
int cap_revoke(struct cvm *vm, int h);
int cap_sealer(struct cvm *vm);
int cap_seal(struct cvm *vm, int h, int sealer);
int cap_unseal(struct cvm *vm, int h, int sealer);
int cap_transfer(struct cvm *vm, int h, struct cvm *target);
int cap_load(struct cvm *vm, int h, uint64_t offset, void *dst, uint32_t len);
int cap_store(struct cvm *vm, int h, uint64_t offset, const void *src, uint32_t len);
int cap_copy(struct cvm *vm, int dst, uint64_t dst_off, int src, uint64_t src_off,
	     uint32_t len);
int cap_map(struct cvm *vm, int h, uint32_t dst);
int cap_unmap(struct cvm *vm, uint32_t dst);

/*
 * True when [ptr, ptr+len) of vm's memory overlaps a mapped capability window. Hostcalls
 * refuse such pointers, so monitor code never touches pages whose protection another thread
 * may change (a revocation). Called only on vm's own execution, which alone adds or removes
 * its windows.
 */
bool cap_overlaps_mapping(const struct cvm *vm, uint32_t ptr, uint64_t len);

#endif
