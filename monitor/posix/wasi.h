/* WASI preview1 host functions, as the symbols compiled cVMs import. */
#ifndef IV_WASI_H
#define IV_WASI_H

#include <stdint.h>

struct cvm;

/*
 * One prototype per function of wasi_snapshot_preview1; each returns a WASI errno (0 on
 * success) except proc_exit. Functions of the libOS not provided yet return ENOSYS (52).
 */
uint32_t Z_wasi_snapshot_preview1Z_args_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_args_sizes_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_environ_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_environ_sizes_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_clock_res_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_clock_time_get(struct cvm *vm, uint32_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_advise(struct cvm *vm, uint32_t, uint64_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_allocate(struct cvm *vm, uint32_t, uint64_t, uint64_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_close(struct cvm *vm, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_datasync(struct cvm *vm, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(struct cvm *vm, uint32_t, uint64_t, uint64_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_size(struct cvm *vm, uint32_t, uint64_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_times(struct cvm *vm, uint32_t, uint64_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_pread(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_pwrite(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_read(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_readdir(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_renumber(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_seek(struct cvm *vm, uint32_t, uint64_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_sync(struct cvm *vm, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_tell(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_fd_write(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_create_directory(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_filestat_get(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_filestat_set_times(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint64_t, uint64_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_link(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_open(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_readlink(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_remove_directory(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_rename(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_symlink(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_path_unlink_file(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_poll_oneoff(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
void Z_wasi_snapshot_preview1Z_proc_exit(struct cvm *vm, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_proc_raise(struct cvm *vm, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_sched_yield(struct cvm *vm);
uint32_t Z_wasi_snapshot_preview1Z_random_get(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_sock_accept(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_sock_recv(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_sock_send(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_wasi_snapshot_preview1Z_sock_shutdown(struct cvm *vm, uint32_t, uint32_t);

#endif
