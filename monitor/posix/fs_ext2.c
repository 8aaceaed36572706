/* The disk-image file system: an ext4 (or ext2/ext3) image served through libext2fs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <ext2fs/ext3_extents.h>

#include "errbuf.h"
#include "vfs.h"
#include "wasi_defs.h"

#define NSEC_PER_SEC 1000000000ull
#define LINKS_FOLLOWED_MAX 40
#define PATH_BYTES 4096		  /* a path, symbolic links expanded, fits in this with its NUL */
#define LAST_BLOCK 0xffffffffull  /* logical block numbers are 32 bits */
#define NO_BLOCK ((blk64_t)-1)
#define STACK_INLINE 32		  /* directory levels a resolution holds without allocating */

/* An inode that nodes have open, shared by all of them. */
struct disk_inode {
	struct disk_inode *next;
	ext2_ino_t ino;
	unsigned int refs;
	bool regular;	   /* a regular file: inode holds its inode as it stands */
	bool dirty;	   /* inode has changes the image's copy lacks */
	bool removed;	   /* its last name is gone: it is freed at the last close */
	bool mapped;	   /* mapping holds how some of its blocks lie (file_map) */
	struct ext2_inode_large inode;
	struct ext2fs_extent mapping;
};

/* The directory block readdir read last, kept while the directories stay unchanged. */
struct dir_block {
	char *buf;	     /* one block, NULL before the first read */
	uint64_t generation; /* disk_fs.dir_generation when read */
	uint64_t size;	     /* the directory's size then */
	blk64_t lblk;	     /* the logical block in buf, or NO_BLOCK */
};

struct disk_fs {
	struct vfs base;
	ext2_filsys fs;
	int fd;			 /* the image, locked with flock while mounted; file data moves
				  * through it */
	char *block;		 /* one block of room, where part of a new block is made */
	uint64_t dev;
	uint64_t dir_generation; /* counts directory changes */
	struct disk_inode *open;
};

struct disk_node {
	struct vfs_node base;
	struct disk_inode *inode;
	bool writable;
	struct dir_block dirblock;
};

/* What a path names: resolve()'s answer. */
struct lookup {
	ext2_ino_t parent; /* the directory holding the last component */
	ext2_ino_t ino;	   /* what the last component names, or 0 when nothing */
	struct ext2_inode_large inode; /* ino's inode, when ino is not 0 */
	char name[EXT2_NAME_LEN + 1];  /* the last component */
	bool dot;	   /* the last component is "." or ".." (ino is where it leads) */
	bool dir_only;	   /* the path ends with '/': only a directory will do */
};

static const struct vfs_ops disk_ops;

static struct disk_fs *disk_of(struct vfs_node *n)
{
	return (struct disk_fs *)n->fs;
}

static struct disk_node *node_of(struct vfs_node *n)
{
	return (struct disk_node *)n;
}

/* A libext2fs error code as a negated WASI errno. */
static int wasi_err(errcode_t e)
{
	switch (e) {
	case 0:
		return 0;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
		return -WASI_ENOSPC;
	case EXT2_ET_NO_MEMORY:
		return -WASI_ENOMEM;
	case EXT2_ET_FILE_TOO_BIG:
		return -WASI_EFBIG;
	case EXT2_ET_RO_FILSYS:
	case EXT2_ET_FILE_RO:
		return -WASI_EROFS;
	}
	/* Below the com_err tables, codes are host errno values. */
	if (e > 0 && e < 4096)
		return -wasi_from_errno((int)e);
	return -WASI_EIO;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Whether an inode holds the extra time fields (nanoseconds and epoch bits). */
static bool has_time_extra(ext2_filsys fs, const struct ext2_inode_large *in)
{
	return EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	       inode_includes((size_t)(EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize),
			      i_atime_extra);
}

/* An ext4 time: 32 bits of signed seconds, widened by 2 epoch bits and 30 nanosecond bits. */
static uint64_t time_get(uint32_t sec, uint32_t extra, bool has_extra)
{
	int64_t s = (int32_t)sec;
	uint64_t ns = 0;

	if (has_extra) {
		s += (int64_t)(extra & EXT4_EPOCH_MASK) << 32;
		ns = extra >> EXT4_EPOCH_BITS;
		if (ns >= NSEC_PER_SEC)
			ns = 0;
	}
	return s < 0 ? 0 : (uint64_t)s * NSEC_PER_SEC + ns;
}

/* Stores t, clamped to the latest time the fields hold (2446 with extra fields, else 2038). */
static void time_set(uint64_t t, uint32_t *sec, uint32_t *extra, bool has_extra)
{
	int64_t max = has_extra ? ((int64_t)EXT4_EPOCH_MASK << 32) + INT32_MAX : INT32_MAX;
	int64_t s = (int64_t)(t / NSEC_PER_SEC);
	uint32_t ns = (uint32_t)(t % NSEC_PER_SEC);

	if (s > max) {
		s = max;
		ns = NSEC_PER_SEC - 1;
	}
	*sec = (uint32_t)s;
	if (has_extra)
		*extra = ns << EXT4_EPOCH_BITS |
			 ((uint32_t)((s - (int32_t)(uint32_t)s) >> 32) & EXT4_EPOCH_MASK);
}

/* The times of an inode that inode_times_set() sets. */
enum inode_time {
	TIME_ACCESS = 1 << 0,
	TIME_MODIFY = 1 << 1,
	TIME_CHANGE = 1 << 2,
	TIME_CREATE = 1 << 3, /* where the inode has room for it */
	TIME_ALL = TIME_ACCESS | TIME_MODIFY | TIME_CHANGE | TIME_CREATE,
};

/* Sets the times of in that which names (enum inode_time) to t. */
static void inode_times_set(ext2_filsys fs, struct ext2_inode_large *in, unsigned int which,
			    uint64_t t)
{
	bool x = has_time_extra(fs, in);

	if (which & TIME_ACCESS)
		time_set(t, &in->i_atime, &in->i_atime_extra, x);
	if (which & TIME_MODIFY)
		time_set(t, &in->i_mtime, &in->i_mtime_extra, x);
	if (which & TIME_CHANGE)
		time_set(t, &in->i_ctime, &in->i_ctime_extra, x);
	if ((which & TIME_CREATE) && x &&
	    inode_includes((size_t)(EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize),
			   i_crtime_extra))
		time_set(t, &in->i_crtime, &in->i_crtime_extra, x);
}

static uint8_t filetype_of_mode(uint16_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
	case LINUX_S_IFDIR: return WASI_FILETYPE_DIRECTORY;
	case LINUX_S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
	case LINUX_S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
	case LINUX_S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
	case LINUX_S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
	default: return WASI_FILETYPE_UNKNOWN;
	}
}

/* The directory-entry file type (EXT2_FT_*) of a mode. */
static int dirent_type_of_mode(uint16_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG: return EXT2_FT_REG_FILE;
	case LINUX_S_IFDIR: return EXT2_FT_DIR;
	case LINUX_S_IFLNK: return EXT2_FT_SYMLINK;
	case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
	case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
	case LINUX_S_IFIFO: return EXT2_FT_FIFO;
	case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static uint8_t filetype_of_dirent(int type)
{
	switch (type) {
	case EXT2_FT_REG_FILE: return WASI_FILETYPE_REGULAR_FILE;
	case EXT2_FT_DIR: return WASI_FILETYPE_DIRECTORY;
	case EXT2_FT_SYMLINK: return WASI_FILETYPE_SYMBOLIC_LINK;
	case EXT2_FT_CHRDEV: return WASI_FILETYPE_CHARACTER_DEVICE;
	case EXT2_FT_BLKDEV: return WASI_FILETYPE_BLOCK_DEVICE;
	case EXT2_FT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
	default: return WASI_FILETYPE_UNKNOWN;
	}
}

/* The largest size a file of this inode can reach. */
static uint64_t file_size_max(ext2_filsys fs, const struct ext2_inode *in)
{
	uint64_t per = fs->blocksize / sizeof(uint32_t);
	uint64_t blocks = LAST_BLOCK;

	if (!(in->i_flags & EXT4_EXTENTS_FL) &&
	    EXT2_NDIR_BLOCKS + per + per * per + per * per * per < blocks)
		blocks = EXT2_NDIR_BLOCKS + per + per * per + per * per * per;
	return blocks * fs->blocksize;
}

/* Whether a name is "." or "..". */
static bool is_dot_name(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static struct disk_inode *open_find(struct disk_fs *d, ext2_ino_t ino)
{
	struct disk_inode *o;

	for (o = d->open; o; o = o->next)
		if (o->ino == ino)
			return o;
	return NULL;
}

static errcode_t inode_read(struct disk_fs *d, ext2_ino_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	return ext2fs_read_inode_full(d->fs, ino, (struct ext2_inode *)in, sizeof(*in));
}

/* Writes an inode, and into the copy an open file of it keeps. */
static errcode_t inode_write(struct disk_fs *d, ext2_ino_t ino, struct ext2_inode_large *in)
{
	struct disk_inode *o = open_find(d, ino);
	errcode_t err;

	err = ext2fs_write_inode_full(d->fs, ino, (struct ext2_inode *)in, sizeof(*in));
	if (!err && o && o->regular) {
		o->inode = *in;
		o->dirty = false;
	}
	return err;
}

/* Writes out the changes an open file's inode holds back. */
static errcode_t open_settle(struct disk_fs *d, struct disk_inode *o)
{
	errcode_t err;

	if (!o->dirty)
		return 0;
	err = ext2fs_write_inode_full(d->fs, o->ino, (struct ext2_inode *)&o->inode,
				      sizeof(o->inode));
	if (!err)
		o->dirty = false;
	return err;
}

/* Takes the image's copy of an open file's inode again, after a change made to it there. */
static errcode_t open_reload(struct disk_fs *d, struct disk_inode *o)
{
	struct ext2_inode_large in;
	errcode_t err = inode_read(d, o->ino, &in);

	if (!err)
		o->inode = in;
	o->mapped = false;
	return err;
}

/* An inode as it stands: an open file's own copy, else the image's. */
static errcode_t inode_load(struct disk_fs *d, ext2_ino_t ino, struct ext2_inode_large *in)
{
	struct disk_inode *o = open_find(d, ino);

	if (o && o->regular) {
		*in = o->inode;
		return 0;
	}
	return inode_read(d, ino, in);
}

/* Whether ino is a directory whose last name is gone (nothing may be created in it). */
static bool is_removed(struct disk_fs *d, ext2_ino_t ino)
{
	struct disk_inode *o = open_find(d, ino);

	return o && o->removed;
}

/* Adds link count delta to inode ino (a directory's count of 1 means "many" and stays), and
 * sets its change time. */
static errcode_t inode_links(struct disk_fs *d, ext2_ino_t ino, int delta)
{
	struct ext2_inode_large in;
	errcode_t err = inode_load(d, ino, &in);
	bool dir;

	if (err)
		return err;
	dir = LINUX_S_ISDIR(in.i_mode);
	if (!(dir && in.i_links_count == 1)) {
		in.i_links_count = (uint16_t)(in.i_links_count + delta);
		if (dir && in.i_links_count >= EXT2_LINK_MAX)
			in.i_links_count = 1;
	}
	inode_times_set(d->fs, &in, TIME_CHANGE, now_ns());
	return inode_write(d, ino, &in);
}

/* Sets the times of inode ino that which names (enum inode_time) to now. */
static errcode_t inode_stamp(struct disk_fs *d, ext2_ino_t ino, unsigned int which)
{
	struct ext2_inode_large in;
	errcode_t err = inode_read(d, ino, &in);

	if (err)
		return err;
	inode_times_set(d->fs, &in, which, now_ns());
	return inode_write(d, ino, &in);
}

/* Sets a directory's modification and change times to now. */
static errcode_t dir_touch(struct disk_fs *d, ext2_ino_t dir)
{
	return inode_stamp(d, dir, TIME_MODIFY | TIME_CHANGE);
}

/* The logical block at which extent-mapped inode ino, from logical block start on, holds the
 * file system's last block, or NO_BLOCK. */
static errcode_t last_block_mapping(ext2_filsys fs, ext2_ino_t ino, blk64_t start, blk64_t *lblk)
{
	blk64_t last = ext2fs_blocks_count(fs->super) - 1;
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	errcode_t err = ext2fs_extent_open(fs, ino, &h);

	*lblk = NO_BLOCK;
	if (err)
		return err;
	for (err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &e); !err;
	     err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &e)) {
		if ((e.e_flags & EXT2_EXTENT_FLAGS_LEAF) && e.e_pblk <= last &&
		    last - e.e_pblk < e.e_len && e.e_lblk + (last - e.e_pblk) >= start) {
			*lblk = e.e_lblk + (last - e.e_pblk);
			break;
		}
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_NO_CURRENT_NODE ? 0 : err;
}

/* Unmaps logical block lblk of inode ino, a one-block extent of the file system's last block,
 * and frees that block. */
static errcode_t last_block_release(ext2_filsys fs, ext2_ino_t ino, blk64_t lblk)
{
	blk64_t last = ext2fs_blocks_count(fs->super) - 1;
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	struct ext2_inode in;
	errcode_t err = ext2fs_extent_open(fs, ino, &h);

	if (err)
		return err;
	err = ext2fs_extent_goto(h, lblk);
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (!err && (e.e_lblk != lblk || e.e_len != 1 || e.e_pblk != last))
		err = EXT2_ET_EXTENT_NOT_FOUND;
	if (!err)
		err = ext2fs_extent_delete(h, 0);
	ext2fs_extent_free(h);
	if (!err)
		err = ext2fs_read_inode(fs, ino, &in);
	if (!err)
		err = ext2fs_iblk_sub_blocks(fs, &in, 1);
	if (!err)
		err = ext2fs_write_inode(fs, ino, &in);
	if (!err)
		ext2fs_block_alloc_stats2(fs, last, -1);
	return err;
}

/*
 * Frees inode ino's blocks from logical block start on. libext2fs 1.47.0 fails to free an
 * extent ending at the file system's last block, after taking it out of the tree (an
 * off-by-one fixed in 1.47.1): that block's mapping is taken apart here instead.
 */
static errcode_t blocks_free(struct disk_fs *d, ext2_ino_t ino, blk64_t start)
{
	ext2_filsys fs = d->fs;
	struct ext2_inode in;
	blk64_t lblk = NO_BLOCK;
	errcode_t err = ext2fs_read_inode(fs, ino, &in);

	if (err || !ext2fs_inode_has_valid_blocks2(fs, &in))
		return err;
	if (in.i_flags & EXT4_EXTENTS_FL)
		err = last_block_mapping(fs, ino, start, &lblk);
	if (err || lblk == NO_BLOCK)
		return err ? err : ext2fs_punch(fs, ino, NULL, NULL, start, LAST_BLOCK);
	if (lblk > start)
		err = ext2fs_punch(fs, ino, NULL, NULL, start, lblk - 1);
	if (!err && lblk < LAST_BLOCK)
		err = ext2fs_punch(fs, ino, NULL, NULL, lblk + 1, LAST_BLOCK);
	return err ? err : last_block_release(fs, ino, lblk);
}

/* Frees inode ino, whose last name is gone: its blocks, its attribute block, itself. */
static errcode_t inode_delete(struct disk_fs *d, ext2_ino_t ino)
{
	ext2_filsys fs = d->fs;
	struct ext2_inode_large in;
	struct ext2_inode *small = (struct ext2_inode *)&in;
	errcode_t err = blocks_free(d, ino, 0);
	blk64_t attr;

	if (!err)
		err = inode_read(d, ino, &in);
	if (err)
		return err;
	attr = ext2fs_file_acl_block(fs, small);
	if (attr) {
		__u32 refs;

		err = ext2fs_adjust_ea_refcount3(fs, attr, NULL, -1, &refs, ino);
		if (err)
			return err;
		if (refs == 0)
			ext2fs_block_alloc_stats2(fs, attr, -1);
		ext2fs_file_acl_block_set(fs, small, 0);
	}
	in.i_links_count = 0;
	in.i_dtime = (uint32_t)(now_ns() / NSEC_PER_SEC);
	err = ext2fs_write_inode_full(fs, ino, small, sizeof(in));
	if (err)
		return err;
	ext2fs_inode_alloc_stats2(fs, ino, -1, LINUX_S_ISDIR(in.i_mode));
	return 0;
}

/* Takes a name of inode ino away (all: a directory's every link); with the last one the inode
 * goes, or, when nodes have it open, at their last close. */
static errcode_t inode_drop(struct disk_fs *d, ext2_ino_t ino, bool all)
{
	struct disk_inode *o = open_find(d, ino);
	struct ext2_inode_large in;
	errcode_t err = inode_load(d, ino, &in);

	if (err)
		return err;
	in.i_links_count = all || in.i_links_count <= 1 ? 0 : in.i_links_count - 1;
	inode_times_set(d->fs, &in, TIME_CHANGE, now_ns());
	err = inode_write(d, ino, &in);
	if (err || in.i_links_count)
		return err;
	if (o) {
		o->removed = true;
		return 0;
	}
	return inode_delete(d, ino);
}

/* Adds the entry name -> ino to directory dir, growing it when it is full (and not indexed). */
static errcode_t dir_add(struct disk_fs *d, ext2_ino_t dir, const char *name, ext2_ino_t ino,
			 int type)
{
	struct ext2_inode in;
	errcode_t err = ext2fs_link(d->fs, dir, name, ino, type);

	d->dir_generation++;
	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_read_inode(d->fs, dir, &in);
		if (!err && (in.i_flags & EXT2_INDEX_FL))
			err = EXT2_ET_DIR_NO_SPACE;
		else if (!err)
			err = ext2fs_expand_dir(d->fs, dir);
		if (!err)
			err = ext2fs_link(d->fs, dir, name, ino, type);
	}
	return err ? err : dir_touch(d, dir);
}

static errcode_t dir_remove(struct disk_fs *d, ext2_ino_t dir, const char *name, ext2_ino_t ino)
{
	errcode_t err = ext2fs_unlink(d->fs, dir, name, ino, 0);

	d->dir_generation++;
	return err ? err : dir_touch(d, dir);
}

struct retarget {
	const char *name;
	size_t namelen;
	ext2_ino_t ino;
	int type; /* EXT2_FT_*, or -1 without the filetype feature */
	bool done;
};

static int retarget_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset,
			  int blocksize, char *buf, void *priv)
{
	struct retarget *r = priv;

	(void)dir;
	(void)entry;
	(void)offset;
	(void)blocksize;
	(void)buf;
	if ((size_t)ext2fs_dirent_name_len(dirent) != r->namelen ||
	    memcmp(dirent->name, r->name, r->namelen) != 0)
		return 0;
	dirent->inode = r->ino;
	if (r->type >= 0)
		ext2fs_dirent_set_file_type(dirent, r->type);
	r->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Points the existing entry name of directory dir at ino instead. */
static errcode_t dir_retarget(struct disk_fs *d, ext2_ino_t dir, const char *name, ext2_ino_t ino,
			      int type)
{
	struct retarget r = {name, strlen(name), ino, type, false};
	errcode_t err;

	if (!ext2fs_has_feature_filetype(d->fs->super))
		r.type = -1;
	err = ext2fs_dir_iterate2(d->fs, dir, 0, NULL, retarget_entry, &r);
	d->dir_generation++;
	if (!err && !r.done)
		err = EXT2_ET_FILE_NOT_FOUND;
	return err ? err : dir_touch(d, dir);
}

/*
 * The first live entry of directory ino at byte position pos or after, into *out: 1, or 0
 * at the end. Positions are the cookies: block * block size + offset in the block. An entry
 * is found by walking its block from the start, so a position that an unlink merged into
 * the entry before it still continues correctly.
 */
static int dir_entry_at(struct disk_fs *d, ext2_ino_t ino, struct dir_block *c, uint64_t pos,
			struct vfs_dirent *out)
{
	ext2_filsys fs = d->fs;
	unsigned int bs = fs->blocksize;
	errcode_t err;

	if (!c->buf || c->generation != d->dir_generation) {
		struct ext2_inode in;

		if (!c->buf) {
			c->buf = malloc(bs);
			if (!c->buf)
				return -WASI_ENOMEM;
		}
		err = ext2fs_read_inode(fs, ino, &in);
		if (err)
			return wasi_err(err);
		c->size = EXT2_I_SIZE(&in);
		c->lblk = NO_BLOCK;
		c->generation = d->dir_generation;
	}
	for (; pos < c->size; pos = (pos / bs + 1) * bs) {
		blk64_t lblk = pos / bs, pblk;
		unsigned int at, rec_len, namelen;

		if (c->lblk != lblk) {
			err = ext2fs_bmap2(fs, ino, NULL, NULL, 0, lblk, NULL, &pblk);
			if (!err && !pblk)
				continue; /* a hole */
			if (!err)
				err = ext2fs_read_dir_block4(fs, pblk, c->buf, 0, ino);
			if (err)
				return wasi_err(err);
			c->lblk = lblk;
		}
		for (at = 0; at < bs; at += rec_len) {
			struct ext2_dir_entry *e = (struct ext2_dir_entry *)(c->buf + at);

			if (bs - at < 8 || ext2fs_get_rec_len(fs, e, &rec_len) || rec_len < 8 ||
			    rec_len % 4 || rec_len > bs - at)
				return -WASI_EIO;
			namelen = (unsigned int)ext2fs_dirent_name_len(e);
			if (namelen + 8 > rec_len)
				return -WASI_EIO;
			if (at < pos % bs || !e->inode || !namelen)
				continue;
			out->next = lblk * bs + at + rec_len;
			out->ino = e->inode;
			out->filetype = filetype_of_dirent(ext2fs_dirent_file_type(e));
			if (out->filetype == WASI_FILETYPE_UNKNOWN) {
				struct ext2_inode in;

				err = ext2fs_read_inode(fs, e->inode, &in);
				if (err)
					return wasi_err(err);
				out->filetype = filetype_of_mode(in.i_mode);
			}
			out->namelen = namelen;
			memcpy(out->name, e->name, namelen);
			return 1;
		}
	}
	return 0;
}

/* 1 when directory ino holds nothing but "." and "..", 0 when it holds more, or an errno. */
static int dir_is_empty(struct disk_fs *d, ext2_ino_t ino)
{
	struct dir_block c = {0};
	struct vfs_dirent e;
	uint64_t pos = 0;
	int r;

	while ((r = dir_entry_at(d, ino, &c, pos, &e)) == 1 && is_dot_name(e.name, e.namelen))
		pos = e.next;
	free(c.buf);
	return r < 0 ? r : r == 0;
}

/* The target of symbolic link ino into buf (PATH_BYTES), NUL-terminated; its length in *len. */
static int link_target(struct disk_fs *d, ext2_ino_t ino, struct ext2_inode_large *in, char *buf,
		       size_t *len)
{
	uint64_t size = EXT2_I_SIZE(in);
	ext2_file_t file;
	unsigned int got = 0;
	errcode_t err, cerr;

	if (size >= PATH_BYTES)
		return -WASI_ENAMETOOLONG;
	if (ext2fs_is_fast_symlink((struct ext2_inode *)in)) {
		memcpy(buf, in->i_block, size);
	} else {
		err = ext2fs_file_open2(d->fs, ino, (struct ext2_inode *)in, 0, &file);
		if (err)
			return wasi_err(err);
		err = ext2fs_file_read(file, buf, (unsigned int)size, &got);
		cerr = ext2fs_file_close(file);
		if (err || cerr)
			return wasi_err(err ? err : cerr);
		if (got != size)
			return -WASI_EIO;
	}
	buf[size] = '\0';
	*len = size;
	return 0;
}

/* The directories a resolution went down through: ".." pops one. */
struct ino_stack {
	ext2_ino_t *at;
	size_t depth, cap;
	ext2_ino_t inline_at[STACK_INLINE];
};

static bool stack_push(struct ino_stack *s, ext2_ino_t ino)
{
	if (s->depth == s->cap) {
		ext2_ino_t *grown = malloc(2 * s->cap * sizeof(*grown));

		if (!grown)
			return false;
		memcpy(grown, s->at, s->depth * sizeof(*grown));
		if (s->at != s->inline_at)
			free(s->at);
		s->at = grown;
		s->cap *= 2;
	}
	s->at[s->depth++] = ino;
	return true;
}

/*
 * Resolves path beneath directory start (vfs.h's rules) into *lk. A missing last component
 * is no error: lk->ino is 0 and lk->parent, lk->name say where it would be. follow: a
 * symbolic link as last component is followed (a trailing slash always follows).
 */
static int resolve_walk(struct disk_fs *d, struct ino_stack *st, char *work, bool follow,
			struct lookup *lk)
{
	char target[PATH_BYTES];
	char *p = work;
	int links = 0;
	errcode_t err;

	for (;;) {
		ext2_ino_t dir = st->at[st->depth - 1], ino;
		char *name, *next;
		size_t len, rest, tlen;
		bool last, slash;
		int r;

		while (*p == '/')
			p++;
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		for (next = p; *next == '/'; next++)
			;
		last = *next == '\0';
		slash = last && next != p;
		p = next;
		if (len > EXT2_NAME_LEN)
			return -WASI_ENAMETOOLONG;
		if (is_dot_name(name, len)) {
			if (len == 2) {
				if (st->depth == 1)
					return -WASI_ENOTCAPABLE;
				st->depth--;
			}
			if (!last)
				continue;
			lk->parent = lk->ino = st->at[st->depth - 1];
			memcpy(lk->name, name, len);
			lk->name[len] = '\0';
			lk->dot = true;
			return wasi_err(inode_load(d, lk->ino, &lk->inode));
		}
		err = ext2fs_lookup(d->fs, dir, name, (int)len, NULL, &ino);
		if (err == EXT2_ET_FILE_NOT_FOUND && last) {
			lk->parent = dir;
			lk->ino = 0;
			memcpy(lk->name, name, len);
			lk->name[len] = '\0';
			lk->dir_only = slash;
			return 0;
		}
		if (err == EXT2_ET_FILE_NOT_FOUND)
			return -WASI_ENOENT;
		if (!err)
			err = inode_load(d, ino, &lk->inode);
		if (err)
			return wasi_err(err);
		if (LINUX_S_ISLNK(lk->inode.i_mode) && (!last || follow || slash)) {
			if (++links > LINKS_FOLLOWED_MAX)
				return -WASI_ELOOP;
			r = link_target(d, ino, &lk->inode, target, &tlen);
			if (r)
				return r;
			if (tlen == 0)
				return -WASI_ENOENT;
			if (target[0] == '/')
				return -WASI_ENOTCAPABLE;
			/* The rest of the path now follows the target: target/rest. */
			rest = strlen(p);
			if (tlen + 1 + rest >= PATH_BYTES)
				return -WASI_ENAMETOOLONG;
			memmove(work + tlen + 1, p, rest + 1);
			memcpy(work, target, tlen);
			work[tlen] = rest || slash ? '/' : '\0';
			p = work;
			continue;
		}
		if (last) {
			lk->parent = dir;
			lk->ino = ino;
			memcpy(lk->name, name, len);
			lk->name[len] = '\0';
			lk->dir_only = slash;
			return slash && !LINUX_S_ISDIR(lk->inode.i_mode) ? -WASI_ENOTDIR : 0;
		}
		if (!LINUX_S_ISDIR(lk->inode.i_mode))
			return -WASI_ENOTDIR;
		if (!stack_push(st, ino))
			return -WASI_ENOMEM;
	}
}

static int resolve(struct disk_fs *d, ext2_ino_t start, const char *path, bool follow,
		   struct lookup *lk)
{
	char work[PATH_BYTES];
	struct ino_stack st;
	size_t len = strlen(path);
	int r;

	memset(lk, 0, sizeof(*lk));
	if (len == 0)
		return -WASI_ENOENT;
	if (path[0] == '/')
		return -WASI_ENOTCAPABLE;
	if (len >= PATH_BYTES)
		return -WASI_ENAMETOOLONG;
	memcpy(work, path, len + 1);
	st.at = st.inline_at;
	st.cap = STACK_INLINE;
	st.depth = 1;
	st.at[0] = start;
	r = resolve_walk(d, &st, work, follow, lk);
	if (st.at != st.inline_at)
		free(st.at);
	return r;
}

/* Resolves path beneath directory node dirnode into *lk, as resolve() does. */
static int lookup_at(struct vfs_node *dirnode, const char *path, bool follow, struct lookup *lk)
{
	return resolve(disk_of(dirnode), node_of(dirnode)->inode->ino, path, follow, lk);
}

/* lookup_at() for an operation that changes the tree: -WASI_EROFS on a read-only mount. */
static int lookup_to_change(struct vfs_node *dirnode, const char *path, bool follow,
			    struct lookup *lk)
{
	if (disk_of(dirnode)->base.readonly)
		return -WASI_EROFS;
	return lookup_at(dirnode, path, follow, lk);
}

/* 0 when a new name may go where lk says (a directory's name may end with '/'), else why
 * not. */
static int name_free(struct disk_fs *d, const struct lookup *lk, bool dir)
{
	if (lk->ino)
		return -WASI_EEXIST;
	if ((lk->dir_only && !dir) || is_removed(d, lk->parent))
		return -WASI_ENOENT;
	return 0;
}

/* A node on inode ino (in: its inode as it stands), sharing the inode's open state. */
static int node_new(struct disk_fs *d, ext2_ino_t ino, struct ext2_inode_large *in, bool writable,
		    struct vfs_node **out)
{
	struct disk_node *n = calloc(1, sizeof(*n));
	struct disk_inode *o = open_find(d, ino);

	if (!n)
		return -WASI_ENOMEM;
	if (!o) {
		o = calloc(1, sizeof(*o));
		if (!o) {
			free(n);
			return -WASI_ENOMEM;
		}
		o->ino = ino;
		o->regular = LINUX_S_ISREG(in->i_mode);
		o->inode = *in;
		o->next = d->open;
		d->open = o;
	}
	o->refs++;
	n->base.fs = &d->base;
	n->base.is_dir = LINUX_S_ISDIR(in->i_mode);
	n->inode = o;
	n->writable = writable;
	n->dirblock.lblk = NO_BLOCK;
	*out = &n->base;
	return 0;
}

/* The last node of an open inode is gone: its state is written out, and a removed inode
 * freed. */
static void open_release(struct disk_fs *d, struct disk_inode *o)
{
	struct disk_inode **at;

	open_settle(d, o);
	for (at = &d->open; *at != o; at = &(*at)->next)
		;
	*at = o->next;
	if (o->removed)
		inode_delete(d, o->ino);
	free(o);
}

/* Reads len bytes at byte off of the image into buf. */
static errcode_t image_read(struct disk_fs *d, uint64_t off, char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = pread(d->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? (errcode_t)errno : EXT2_ET_SHORT_READ;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes len bytes from buf at byte off of the image. */
static errcode_t image_write(struct disk_fs *d, uint64_t off, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = pwrite(d->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? (errcode_t)errno : EXT2_ET_SHORT_WRITE;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The blocks that len bytes from byte pos on touch, as many as one extent holds at most. */
static blk64_t blocks_spanned(unsigned int bs, uint64_t pos, uint64_t len)
{
	uint64_t n = (pos % bs + len + bs - 1) / bs;

	return n < EXT_INIT_MAX_LEN ? n : EXT_INIT_MAX_LEN;
}

/* How extent tree h maps logical blocks from lblk on, as an extent that starts there: e_pblk
 * is 0 in a hole (which lasts until the next extent). */
static errcode_t extent_from(ext2_extent_handle_t h, blk64_t lblk, struct ext2fs_extent *out)
{
	struct ext2fs_extent e;
	errcode_t err = ext2fs_extent_goto(h, lblk);

	out->e_lblk = lblk;
	if (!err) {
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
		if (err)
			return err;
		out->e_pblk = e.e_pblk + (lblk - e.e_lblk);
		out->e_len = (__u32)(e.e_lblk + e.e_len - lblk);
		out->e_flags = e.e_flags;
		return 0;
	}
	if (err != EXT2_ET_EXTENT_NOT_FOUND)
		return err;
	out->e_pblk = 0;
	out->e_len = (__u32)(LAST_BLOCK - lblk);
	out->e_flags = 0;
	/* goto left the nearest extent current. */
	err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (!err && e.e_lblk < lblk)
		err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &e);
	if (!err && e.e_lblk > lblk)
		out->e_len = (__u32)(e.e_lblk - lblk);
	return err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_NO_CURRENT_NODE ? 0 : err;
}

/* How block-mapped open file o maps logical blocks from lblk on, as extent_from() tells it for
 * extents, looking no further than want blocks. */
static errcode_t bmap_from(struct disk_fs *d, struct disk_inode *o, blk64_t lblk, blk64_t want,
			   struct ext2fs_extent *out)
{
	blk64_t pblk;
	errcode_t err;

	out->e_lblk = lblk;
	out->e_len = 0;
	out->e_flags = 0;
	do {
		err = ext2fs_bmap2(d->fs, o->ino, (struct ext2_inode *)&o->inode, NULL, 0,
				   lblk + out->e_len, NULL, &pblk);
		if (err)
			return err;
		if (!out->e_len)
			out->e_pblk = pblk;
		else if (out->e_pblk ? pblk != out->e_pblk + out->e_len : pblk != 0)
			break;
		out->e_len++;
	} while (out->e_len < want && lblk + out->e_len < LAST_BLOCK);
	return 0;
}

/* How open file o's blocks lie from logical block lblk on, as an extent that starts there
 * (e_pblk 0 in a hole); want: the blocks the caller is after. Remembered while they stay put. */
static errcode_t file_map(struct disk_fs *d, struct disk_inode *o, blk64_t lblk, blk64_t want,
			  struct ext2fs_extent *out)
{
	struct ext2fs_extent *m = &o->mapping;
	struct ext2_inode *in = (struct ext2_inode *)&o->inode;
	blk64_t blocks = ext2fs_blocks_count(d->fs->super);
	ext2_extent_handle_t h;
	errcode_t err;

	if (!o->mapped || lblk < m->e_lblk || lblk - m->e_lblk >= m->e_len) {
		o->mapped = false;
		if (in->i_flags & EXT4_EXTENTS_FL) {
			err = ext2fs_extent_open2(d->fs, o->ino, in, &h);
			if (err)
				return err;
			err = extent_from(h, lblk, m);
			ext2fs_extent_free(h);
		} else {
			err = bmap_from(d, o, lblk, want, m);
		}
		if (err)
			return err;
		/* A damaged map: no data goes to or comes from outside the file system. */
		if (m->e_pblk && (m->e_pblk >= blocks || m->e_len > blocks - m->e_pblk))
			return EXT2_ET_BAD_BLOCK_NUM;
		o->mapped = true;
	}
	out->e_lblk = lblk;
	out->e_pblk = m->e_pblk ? m->e_pblk + (lblk - m->e_lblk) : 0;
	out->e_len = (__u32)(m->e_len - (lblk - m->e_lblk));
	out->e_flags = m->e_flags;
	return 0;
}

/* Open file o's data changed now: its modification and change times say so. */
static void data_changed(struct disk_fs *d, struct disk_inode *o)
{
	inode_times_set(d->fs, &o->inode, TIME_MODIFY | TIME_CHANGE, now_ns());
	o->dirty = true;
}

/* Zeros the rest of open file o's block holding byte size, where that block is written, so
 * that growing the file again reads zeros there. */
static errcode_t tail_zero(struct disk_fs *d, struct disk_inode *o, uint64_t size)
{
	unsigned int bs = d->fs->blocksize, off = (unsigned int)(size % bs);
	struct ext2fs_extent at;
	errcode_t err;

	if (!off)
		return 0;
	err = file_map(d, o, size / bs, 1, &at);
	if (err || !at.e_pblk || (at.e_flags & EXT2_EXTENT_FLAGS_UNINIT))
		return err;
	memset(d->block, 0, bs - off);
	return image_write(d, at.e_pblk * bs + off, d->block, bs - off);
}

/*
 * Fills the hole at logical block lblk of inode ino (extent tree h on inode in) with buf's
 * first *count blocks: blocks are found, written, then claimed and mapped, the extent before
 * growing when they follow it. *count: how many (fewer when free space is in pieces).
 */
static errcode_t hole_fill(ext2_filsys fs, ext2_ino_t ino, ext2_extent_handle_t h,
			   struct ext2_inode *in, blk64_t lblk, blk64_t *count, const char *buf)
{
	struct ext2fs_extent left, e, add;
	bool grow = false;
	blk64_t goal, pblk, len;
	errcode_t err;
	int op;

	if (lblk > 0 && ext2fs_extent_goto(h, lblk - 1) == 0 &&
	    ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &left) == 0)
		grow = !(left.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
	goal = grow ? left.e_pblk + left.e_len : ext2fs_find_inode_goal(fs, ino, in, lblk);
	len = *count < EXT_INIT_MAX_LEN ? *count : EXT_INIT_MAX_LEN;
	err = ext2fs_new_range(fs, 0, goal, len, NULL, &pblk, &len);
	if (err)
		return err;
	if (len > *count)
		len = *count;
	if (len > EXT_INIT_MAX_LEN)
		len = EXT_INIT_MAX_LEN;
	err = io_channel_write_blk64(fs->io, pblk, (int)len, buf);
	if (err)
		return err;
	ext2fs_block_alloc_stats_range(fs, pblk, (blk_t)len, +1);
	if (grow && left.e_pblk + left.e_len == pblk && left.e_len + len <= EXT_INIT_MAX_LEN) {
		left.e_len += (__u32)len;
		err = ext2fs_extent_goto(h, left.e_lblk);
		if (!err)
			err = ext2fs_extent_replace(h, 0, &left);
	} else {
		add.e_pblk = pblk;
		add.e_lblk = lblk;
		add.e_len = (__u32)len;
		add.e_flags = 0;
		/* goto leaves the nearest extent current: insert after it, or before when it
		 * comes later (or there is none). */
		ext2fs_extent_goto(h, lblk);
		op = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e) == 0 && e.e_lblk < lblk
			     ? EXT2_EXTENT_INSERT_AFTER
			     : 0;
		err = ext2fs_extent_insert(h, op, &add);
		if (!err)
			err = ext2fs_extent_fix_parents(h);
	}
	if (!err)
		err = ext2fs_iblk_add_blocks(fs, in, len);
	if (err) {
		ext2fs_block_alloc_stats_range(fs, pblk, (blk_t)len, -1);
		return err;
	}
	*count = len;
	return 0;
}

/*
 * Marks want blocks from logical block lblk written, all in one unwritten extent of tree h;
 * *count: how many were marked, also on failure. They join the written extent that ends just
 * before them where there is one, else the extent is split in up to three; in a full node, a
 * block at a time (libext2fs splits the node then).
 */
static errcode_t unwritten_mark(ext2_extent_handle_t h, blk64_t lblk, blk64_t want,
				blk64_t *count)
{
	struct ext2fs_extent e, prev, add;
	struct ext2_extent_info info;
	errcode_t err = ext2fs_extent_goto(h, lblk);
	blk64_t end;

	*count = 0;
	if (!err)
		err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &e);
	if (!err)
		err = ext2fs_extent_get_info(h, &info);
	if (err)
		return err;
	end = e.e_lblk + e.e_len;
	if (lblk == e.e_lblk && ext2fs_extent_get(h, EXT2_EXTENT_PREV_LEAF, &prev) == 0 &&
	    !(prev.e_flags & EXT2_EXTENT_FLAGS_UNINIT) && prev.e_lblk + prev.e_len == lblk &&
	    prev.e_pblk + prev.e_len == e.e_pblk && prev.e_len + want <= EXT_INIT_MAX_LEN) {
		/* The extent before grows; the unwritten one shrinks, or goes. */
		prev.e_len += (__u32)want;
		err = ext2fs_extent_replace(h, 0, &prev);
		if (!err)
			err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &e);
		if (!err && want == e.e_len) {
			err = ext2fs_extent_delete(h, 0);
			if (!err)
				err = ext2fs_extent_fix_parents(h);
			if (err == EXT2_ET_NO_CURRENT_NODE)
				err = 0;
		} else if (!err) {
			e.e_lblk += want;
			e.e_pblk += want;
			e.e_len -= (__u32)want;
			err = ext2fs_extent_replace(h, 0, &e);
			if (!err)
				err = ext2fs_extent_fix_parents(h);
		}
	} else if (info.max_entries - info.num_entries >= 2) {
		/* Room in the node for the split: unwritten, written, unwritten. */
		add.e_lblk = lblk;
		add.e_pblk = e.e_pblk + (lblk - e.e_lblk);
		add.e_len = (__u32)want;
		add.e_flags = 0;
		err = ext2fs_extent_goto(h, lblk);
		if (!err && lblk > e.e_lblk) {
			e.e_len = (__u32)(lblk - e.e_lblk);
			err = ext2fs_extent_replace(h, 0, &e);
			if (!err)
				err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &add);
		} else if (!err) {
			err = ext2fs_extent_replace(h, 0, &add);
		}
		if (!err && lblk + want < end) {
			add.e_lblk += want;
			add.e_pblk += want;
			add.e_len = (__u32)(end - add.e_lblk);
			add.e_flags = EXT2_EXTENT_FLAGS_UNINIT;
			err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &add);
		}
		if (!err)
			err = ext2fs_extent_fix_parents(h);
	} else {
		while (!err && *count < want) {
			err = ext2fs_extent_set_bmap(h, lblk + *count,
						     e.e_pblk + (lblk + *count - e.e_lblk), 0);
			if (!err)
				(*count)++;
		}
		return err;
	}
	if (!err)
		*count = want;
	return err;
}

/*
 * Writes *count whole blocks from buf at logical block at->e_lblk of open file o, where it
 * has a hole or unwritten blocks (at: how they lie): blocks are allocated and mapped, or
 * marked written. *count: how many were written, also on failure (fewer when free space is
 * in pieces).
 */
static errcode_t blocks_fill(struct disk_fs *d, struct disk_inode *o,
			     const struct ext2fs_extent *at, blk64_t *count, const char *buf)
{
	ext2_filsys fs = d->fs;
	struct ext2_inode *in = (struct ext2_inode *)&o->inode;
	unsigned int bs = fs->blocksize;
	blk64_t want = *count, lblk = at->e_lblk, pblk;
	ext2_extent_handle_t h;
	errcode_t err;

	o->mapped = false;
	o->dirty = true;
	*count = 0;
	if (!(in->i_flags & EXT4_EXTENTS_FL)) {
		/* Block maps: a block at a time, where libext2fs finds room. */
		while (*count < want) {
			err = ext2fs_bmap2(fs, o->ino, in, NULL, BMAP_ALLOC, lblk + *count, NULL,
					   &pblk);
			if (!err)
				err = image_write(d, pblk * bs, buf + *count * bs, bs);
			if (err)
				return err;
			(*count)++;
		}
		return 0;
	}
	err = ext2fs_extent_open2(fs, o->ino, in, &h);
	if (err)
		return err;
	if (!at->e_pblk) {
		*count = want;
		err = hole_fill(fs, o->ino, h, in, lblk, count, buf);
		if (err)
			*count = 0;
	} else {
		/* Unwritten blocks, once written, are marked so. */
		err = image_write(d, at->e_pblk * bs, buf, want * bs);
		if (!err)
			err = unwritten_mark(h, lblk, want, count);
	}
	ext2fs_extent_free(h);
	return err;
}

/* Reads up to len bytes at pos of open file o into buf, stopping at its end; *done: how
 * many. Holes and unwritten blocks read as zeros. */
static errcode_t file_read(struct disk_fs *d, struct disk_inode *o, uint64_t pos, char *buf,
			   size_t len, size_t *done)
{
	unsigned int bs = d->fs->blocksize;
	uint64_t size = EXT2_I_SIZE(&o->inode), at_pos, part;
	struct ext2fs_extent at;
	errcode_t err = 0;

	*done = 0;
	if (pos >= size)
		return 0;
	if (len > size - pos)
		len = (size_t)(size - pos);
	while (!err && *done < len) {
		at_pos = pos + *done;
		err = file_map(d, o, at_pos / bs, blocks_spanned(bs, at_pos, len - *done), &at);
		if (err)
			break;
		part = (uint64_t)at.e_len * bs - at_pos % bs;
		if (part > len - *done)
			part = len - *done;
		if (!at.e_pblk || (at.e_flags & EXT2_EXTENT_FLAGS_UNINIT))
			memset(buf + *done, 0, part);
		else
			err = image_read(d, at.e_pblk * bs + at_pos % bs, buf + *done, part);
		if (!err)
			*done += part;
	}
	return err;
}

/*
 * Writes len bytes from buf at pos of open file o; *done: how many. Where it has blocks the
 * bytes go in place; elsewhere whole blocks are written (blocks_fill), part of one padded
 * with the zeros it reads as.
 */
static errcode_t file_write(struct disk_fs *d, struct disk_inode *o, uint64_t pos,
			    const char *buf, size_t len, size_t *done)
{
	unsigned int bs = d->fs->blocksize, off;
	struct ext2fs_extent at;
	uint64_t at_pos, part;
	const char *from;
	blk64_t count;
	errcode_t err = 0;
	bool whole;

	*done = 0;
	while (!err && *done < len) {
		at_pos = pos + *done;
		off = (unsigned int)(at_pos % bs);
		err = file_map(d, o, at_pos / bs, blocks_spanned(bs, at_pos, len - *done), &at);
		if (err)
			break;
		part = (uint64_t)at.e_len * bs - off;
		if (part > len - *done)
			part = len - *done;
		if (at.e_pblk && !(at.e_flags & EXT2_EXTENT_FLAGS_UNINIT)) {
			err = image_write(d, at.e_pblk * bs + off, buf + *done, part);
			if (!err)
				*done += part;
			continue;
		}
		whole = !off && part >= bs;
		from = buf + *done;
		count = part / bs;
		if (!whole) {
			if (part > bs - off)
				part = bs - off;
			memset(d->block, 0, bs);
			memcpy(d->block + off, from, part);
			from = d->block;
			count = 1;
		}
		err = blocks_fill(d, o, &at, &count, from);
		*done += whole ? count * bs : count ? part : 0;
	}
	return err;
}

/* Sets an open file's size: blocks past the end are freed, growth reads as zeros. */
static int file_resize(struct disk_fs *d, struct disk_inode *o, uint64_t size)
{
	unsigned int bs = d->fs->blocksize;
	errcode_t err, rerr;

	if (size > file_size_max(d->fs, (struct ext2_inode *)&o->inode))
		return -WASI_EFBIG;
	err = open_settle(d, o);
	if (err)
		return wasi_err(err);
	err = blocks_free(d, o->ino, (size + bs - 1) / bs);
	rerr = open_reload(d, o);
	if (!err)
		err = rerr;
	if (!err)
		err = tail_zero(d, o, size);
	if (!err)
		err = ext2fs_inode_size_set(d->fs, (struct ext2_inode *)&o->inode, size);
	if (!err)
		data_changed(d, o);
	return wasi_err(err);
}

/* A new, empty regular file named lk->name in lk->parent; *lk then describes it. */
static int file_create(struct disk_fs *d, struct lookup *lk)
{
	ext2_filsys fs = d->fs;
	struct ext2_inode_large *in = &lk->inode;
	size_t isize = EXT2_INODE_SIZE(fs->super);
	uint16_t mode = LINUX_S_IFREG | 0644;
	ext2_ino_t ino;
	errcode_t err;
	char *raw;

	if (is_removed(d, lk->parent))
		return -WASI_ENOENT;
	err = ext2fs_new_inode(fs, lk->parent, mode, NULL, &ino);
	if (err)
		return wasi_err(err);
	memset(in, 0, sizeof(*in));
	in->i_mode = mode;
	in->i_links_count = 1;
	if (isize > EXT2_GOOD_OLD_INODE_SIZE)
		in->i_extra_isize = (uint16_t)((isize < sizeof(*in) ? isize : sizeof(*in)) -
					       EXT2_GOOD_OLD_INODE_SIZE);
	inode_times_set(fs, in, TIME_ALL, now_ns());
	if (ext2fs_has_feature_extents(fs->super)) {
		/* An empty extent tree: its header alone, in i_block. */
		struct ext3_extent_header *eh = (struct ext3_extent_header *)in->i_block;

		eh->eh_magic = ext2fs_cpu_to_le16(EXT3_EXT_MAGIC);
		eh->eh_max = ext2fs_cpu_to_le16((sizeof(in->i_block) - sizeof(*eh)) /
						sizeof(struct ext3_extent));
		in->i_flags |= EXT4_EXTENTS_FL;
	}
	/* The whole on-disk inode is written, so nothing of a former inode (attributes in its
	 * extra space) survives. */
	raw = calloc(1, isize > sizeof(*in) ? isize : sizeof(*in));
	if (!raw)
		return -WASI_ENOMEM;
	memcpy(raw, in, isize < sizeof(*in) ? isize : sizeof(*in));
	err = ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)raw, (int)isize);
	free(raw);
	if (err)
		return wasi_err(err);
	ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	err = dir_add(d, lk->parent, lk->name, ino, EXT2_FT_REG_FILE);
	if (err) {
		inode_delete(d, ino);
		return wasi_err(err);
	}
	lk->ino = ino;
	return 0;
}

static int disk_open(struct vfs_node *dirnode, const char *path, const struct vfs_open *how,
		     struct vfs_node **out)
{
	struct disk_fs *d = disk_of(dirnode);
	bool creat = how->oflags & WASI_OFLAGS_CREAT, excl = how->oflags & WASI_OFLAGS_EXCL;
	bool trunc = how->oflags & WASI_OFLAGS_TRUNC;
	bool want_dir = how->oflags & WASI_OFLAGS_DIRECTORY;
	struct lookup lk;
	uint16_t mode;
	int r;

	if (creat && want_dir)
		return -WASI_EINVAL;
	/* O_CREAT | O_EXCL never follows a link: the link itself exists. */
	r = lookup_at(dirnode, path, how->follow && !(creat && excl), &lk);
	if (r)
		return r;
	if (!lk.ino) {
		if (!creat)
			return -WASI_ENOENT;
		if (lk.dir_only)
			return -WASI_EISDIR;
		if (d->base.readonly)
			return -WASI_EROFS;
		r = file_create(d, &lk);
		if (r)
			return r;
	} else {
		mode = lk.inode.i_mode;
		if (creat && excl)
			return -WASI_EEXIST;
		if (LINUX_S_ISLNK(mode))
			return -WASI_ELOOP;
		if (LINUX_S_ISDIR(mode) && (how->write || trunc))
			return -WASI_EISDIR;
		if (!LINUX_S_ISDIR(mode) && want_dir)
			return -WASI_ENOTDIR;
		if (!LINUX_S_ISDIR(mode) && !LINUX_S_ISREG(mode))
			return -WASI_ENOTSUP;
		if (d->base.readonly && (how->write || trunc))
			return -WASI_EROFS;
	}
	r = node_new(d, lk.ino, &lk.inode, how->write, out);
	if (r || !trunc || EXT2_I_SIZE(&lk.inode) == 0)
		return r;
	r = file_resize(d, node_of(*out)->inode, 0);
	if (r)
		disk_ops.close(*out);
	return r;
}

static void disk_close(struct vfs_node *node)
{
	struct disk_fs *d = disk_of(node);
	struct disk_node *n = node_of(node);
	struct disk_inode *o = n->inode;

	free(n->dirblock.buf);
	free(n);
	if (--o->refs == 0)
		open_release(d, o);
}

/* 0 when node's file data may be changed through it, else why not. */
static int data_change_check(struct vfs_node *node)
{
	if (disk_of(node)->base.readonly)
		return -WASI_EROFS;
	if (node->is_dir)
		return -WASI_EISDIR;
	if (!node_of(node)->writable)
		return -WASI_EBADF;
	return 0;
}

static int64_t disk_read(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off)
{
	struct disk_fs *d = disk_of(node);
	struct disk_inode *o = node_of(node)->inode;
	uint64_t total = 0;
	errcode_t err = 0;
	size_t done;
	int i;

	if (node->is_dir)
		return -WASI_EISDIR;
	for (i = 0; i < n && !err; i++) {
		err = file_read(d, o, *off + total, iov[i].iov_base, iov[i].iov_len, &done);
		total += done;
		if (done < iov[i].iov_len)
			break;
	}
	if (err && total == 0)
		return wasi_err(err);
	*off += total;
	return (int64_t)total;
}

static int64_t disk_write(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off,
			  bool append)
{
	struct disk_fs *d = disk_of(node);
	struct disk_inode *o = node_of(node)->inode;
	struct ext2_inode *in = (struct ext2_inode *)&o->inode;
	uint64_t pos, total = 0, want = 0;
	errcode_t err = 0, serr;
	size_t done;
	int i, r = data_change_check(node);

	if (r)
		return r;
	pos = append ? EXT2_I_SIZE(in) : *off;
	for (i = 0; i < n; i++)
		want += iov[i].iov_len;
	if (want && (pos + want < pos || pos + want > file_size_max(d->fs, in)))
		return -WASI_EFBIG;
	for (i = 0; i < n && !err; i++) {
		err = file_write(d, o, pos + total, iov[i].iov_base, iov[i].iov_len, &done);
		total += done;
	}
	if (total) {
		if (pos + total > EXT2_I_SIZE(in)) {
			serr = ext2fs_inode_size_set(d->fs, in, pos + total);
			if (!err)
				err = serr;
		}
		data_changed(d, o);
	}
	if (err && total == 0)
		return wasi_err(err);
	*off = pos + total;
	return (int64_t)total;
}

static void stat_fill(struct disk_fs *d, ext2_ino_t ino, const struct ext2_inode_large *in,
		      struct vfs_stat *out)
{
	bool x = has_time_extra(d->fs, in);

	out->dev = d->dev;
	out->ino = ino;
	out->filetype = filetype_of_mode(in->i_mode);
	out->nlink = in->i_links_count;
	out->size = EXT2_I_SIZE(in);
	out->atim = time_get(in->i_atime, in->i_atime_extra, x);
	out->mtim = time_get(in->i_mtime, in->i_mtime_extra, x);
	out->ctim = time_get(in->i_ctime, in->i_ctime_extra, x);
}

static int disk_stat(struct vfs_node *node, struct vfs_stat *out)
{
	struct disk_fs *d = disk_of(node);
	ext2_ino_t ino = node_of(node)->inode->ino;
	struct ext2_inode_large in;
	errcode_t err = inode_load(d, ino, &in);

	if (err)
		return wasi_err(err);
	stat_fill(d, ino, &in, out);
	return 0;
}

static int disk_set_size(struct vfs_node *node, uint64_t size)
{
	int r = data_change_check(node);

	return r ? r : file_resize(disk_of(node), node_of(node)->inode, size);
}

/* Sets the access and modification times of inode ino as fstflags say, its change time to
 * now. */
static int times_apply(struct disk_fs *d, ext2_ino_t ino, uint64_t atim, uint64_t mtim,
		       uint32_t fstflags)
{
	struct ext2_inode_large in;
	uint64_t now = now_ns();
	errcode_t err = inode_load(d, ino, &in);

	if (err)
		return wasi_err(err);
	if (fstflags & WASI_FSTFLAGS_ATIM_NOW)
		atim = now;
	if (fstflags & WASI_FSTFLAGS_MTIM_NOW)
		mtim = now;
	if (fstflags & (WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW))
		inode_times_set(d->fs, &in, TIME_ACCESS, atim);
	if (fstflags & (WASI_FSTFLAGS_MTIM | WASI_FSTFLAGS_MTIM_NOW))
		inode_times_set(d->fs, &in, TIME_MODIFY, mtim);
	inode_times_set(d->fs, &in, TIME_CHANGE, now);
	return wasi_err(inode_write(d, ino, &in));
}

static int fstflags_check(struct disk_fs *d, uint32_t fstflags)
{
	if ((fstflags & ~(WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM |
			  WASI_FSTFLAGS_MTIM_NOW)) ||
	    ((fstflags & WASI_FSTFLAGS_ATIM) && (fstflags & WASI_FSTFLAGS_ATIM_NOW)) ||
	    ((fstflags & WASI_FSTFLAGS_MTIM) && (fstflags & WASI_FSTFLAGS_MTIM_NOW)))
		return -WASI_EINVAL;
	return d->base.readonly ? -WASI_EROFS : 0;
}

static int disk_set_times(struct vfs_node *node, uint64_t atim, uint64_t mtim, uint32_t fstflags)
{
	struct disk_fs *d = disk_of(node);
	int r = fstflags_check(d, fstflags);

	return r ? r : times_apply(d, node_of(node)->inode->ino, atim, mtim, fstflags);
}

static int disk_sync(struct vfs_node *node, bool data_only)
{
	struct disk_fs *d = disk_of(node);
	struct disk_inode *o;
	errcode_t err = 0;

	(void)data_only; /* the allocation metadata the data needs goes out with it */
	if (d->base.readonly)
		return 0;
	/* The whole file system's metadata goes out: every open file's inode too. */
	for (o = d->open; o && !err; o = o->next)
		err = open_settle(d, o);
	if (!err)
		err = ext2fs_flush(d->fs);
	return wasi_err(err);
}

static int disk_allocate(struct vfs_node *node, uint64_t off, uint64_t len)
{
	struct disk_fs *d = disk_of(node);
	struct disk_inode *o = node_of(node)->inode;
	unsigned int bs = d->fs->blocksize;
	errcode_t err, rerr;
	int r = data_change_check(node);

	if (r)
		return r;
	if (len == 0)
		return -WASI_EINVAL;
	if (off + len < off || off + len > file_size_max(d->fs, (struct ext2_inode *)&o->inode))
		return -WASI_EFBIG;
	err = open_settle(d, o);
	if (err)
		return wasi_err(err);
	/* Blocks past the end are allocated unwritten: they read as zeros. */
	err = ext2fs_fallocate(d->fs, 0, o->ino, NULL, ~0ull, off / bs,
			       (off + len - 1) / bs - off / bs + 1);
	rerr = open_reload(d, o);
	if (err || rerr)
		return wasi_err(err ? err : rerr);
	if (off + len > EXT2_I_SIZE(&o->inode))
		return file_resize(d, o, off + len);
	return 0;
}

static int disk_readdir(struct vfs_node *dir, uint64_t cookie, struct vfs_dirent *out)
{
	struct disk_node *n = node_of(dir);

	if (!dir->is_dir)
		return -WASI_ENOTDIR;
	if (n->inode->removed)
		return 0;
	return dir_entry_at(disk_of(dir), n->inode->ino, &n->dirblock, cookie, out);
}

/* Gives new inode ino, made in directory lk->parent, its times and the name lk->name; on
 * failure ino is freed. */
static errcode_t inode_name_new(struct disk_fs *d, const struct lookup *lk, ext2_ino_t ino,
				int type)
{
	errcode_t err = inode_stamp(d, ino, TIME_ALL);

	if (!err)
		err = dir_add(d, lk->parent, lk->name, ino, type);
	if (err)
		inode_delete(d, ino);
	return err;
}

static int disk_mkdir(struct vfs_node *dirnode, const char *path)
{
	struct disk_fs *d = disk_of(dirnode);
	struct lookup lk;
	ext2_ino_t ino;
	errcode_t err;
	int r = lookup_to_change(dirnode, path, false, &lk);

	if (!r)
		r = name_free(d, &lk, true);
	if (r)
		return r;
	err = ext2fs_new_inode(d->fs, lk.parent, LINUX_S_IFDIR | 0755, NULL, &ino);
	if (!err)
		err = ext2fs_mkdir(d->fs, lk.parent, ino, NULL);
	if (err)
		return wasi_err(err);
	err = inode_name_new(d, &lk, ino, EXT2_FT_DIR);
	if (err)
		inode_links(d, lk.parent, -1);
	return wasi_err(err);
}

static int disk_rmdir(struct vfs_node *dirnode, const char *path)
{
	struct disk_fs *d = disk_of(dirnode);
	struct lookup lk;
	errcode_t err;
	int r = lookup_to_change(dirnode, path, false, &lk);

	if (r)
		return r;
	if (lk.dot)
		return lk.name[1] ? -WASI_ENOTEMPTY : -WASI_EINVAL;
	if (!lk.ino)
		return -WASI_ENOENT;
	if (!LINUX_S_ISDIR(lk.inode.i_mode))
		return -WASI_ENOTDIR;
	r = dir_is_empty(d, lk.ino);
	if (r <= 0)
		return r ? r : -WASI_ENOTEMPTY;
	err = dir_remove(d, lk.parent, lk.name, lk.ino);
	if (!err)
		err = inode_links(d, lk.parent, -1);
	if (!err)
		err = inode_drop(d, lk.ino, true);
	return wasi_err(err);
}

static int disk_unlink(struct vfs_node *dirnode, const char *path)
{
	struct disk_fs *d = disk_of(dirnode);
	struct lookup lk;
	errcode_t err;
	int r = lookup_to_change(dirnode, path, false, &lk);

	if (r)
		return r;
	if (!lk.ino)
		return -WASI_ENOENT;
	if (lk.dot || LINUX_S_ISDIR(lk.inode.i_mode))
		return -WASI_EISDIR;
	err = dir_remove(d, lk.parent, lk.name, lk.ino);
	if (!err)
		err = inode_drop(d, lk.ino, false);
	return wasi_err(err);
}

/* -WASI_EINVAL when directory dir is ancestor, or dir itself, of directory below. */
static int check_not_within(struct disk_fs *d, ext2_ino_t dir, ext2_ino_t below)
{
	ext2_ino_t at = below;
	uint32_t steps;
	errcode_t err;

	for (steps = 0; steps <= d->fs->super->s_inodes_count; steps++) {
		if (at == dir)
			return -WASI_EINVAL;
		if (at == EXT2_ROOT_INO)
			return 0;
		err = ext2fs_lookup(d->fs, at, "..", 2, NULL, &at);
		if (err)
			return wasi_err(err);
	}
	return -WASI_EIO;
}

static int disk_rename(struct vfs_node *from_dir, const char *from, struct vfs_node *to_dir,
		       const char *to)
{
	struct disk_fs *d = disk_of(from_dir);
	struct lookup src, dst;
	bool src_dir, dst_dir = false;
	errcode_t err;
	int r = lookup_to_change(from_dir, from, false, &src);

	if (!r)
		r = lookup_at(to_dir, to, false, &dst);
	if (r)
		return r;
	if (src.dot || dst.dot)
		return -WASI_EBUSY;
	if (!src.ino)
		return -WASI_ENOENT;
	src_dir = LINUX_S_ISDIR(src.inode.i_mode);
	if (dst.dir_only && !src_dir)
		return -WASI_ENOTDIR;
	if (dst.ino == src.ino)
		return 0;
	if (dst.ino) {
		dst_dir = LINUX_S_ISDIR(dst.inode.i_mode);
		if (src_dir && !dst_dir)
			return -WASI_ENOTDIR;
		if (!src_dir && dst_dir)
			return -WASI_EISDIR;
		if (dst_dir) {
			r = dir_is_empty(d, dst.ino);
			if (r <= 0)
				return r ? r : -WASI_ENOTEMPTY;
		}
	}
	if (src_dir) {
		r = check_not_within(d, src.ino, dst.parent);
		if (r)
			return r;
	}
	if (is_removed(d, dst.parent))
		return -WASI_ENOENT;
	if (dst.ino)
		err = dir_retarget(d, dst.parent, dst.name, src.ino,
				   dirent_type_of_mode(src.inode.i_mode));
	else
		err = dir_add(d, dst.parent, dst.name, src.ino,
			      dirent_type_of_mode(src.inode.i_mode));
	if (!err)
		err = dir_remove(d, src.parent, src.name, src.ino);
	if (!err && src_dir && src.parent != dst.parent) {
		err = dir_retarget(d, src.ino, "..", dst.parent, EXT2_FT_DIR);
		if (!err)
			err = inode_links(d, src.parent, -1);
		if (!err)
			err = inode_links(d, dst.parent, +1);
	}
	if (!err && dst.ino) {
		err = inode_drop(d, dst.ino, dst_dir);
		if (!err && dst_dir)
			err = inode_links(d, dst.parent, -1);
	}
	if (!err)
		err = inode_links(d, src.ino, 0);
	return wasi_err(err);
}

static int disk_link(struct vfs_node *from_dir, const char *from, bool follow,
		     struct vfs_node *to_dir, const char *to)
{
	struct disk_fs *d = disk_of(from_dir);
	struct lookup src, dst;
	errcode_t err;
	int r = lookup_to_change(from_dir, from, follow, &src);

	if (!r)
		r = lookup_at(to_dir, to, false, &dst);
	if (r)
		return r;
	if (!src.ino)
		return -WASI_ENOENT;
	if (LINUX_S_ISDIR(src.inode.i_mode))
		return -WASI_EPERM;
	r = name_free(d, &dst, false);
	if (r)
		return r;
	if (src.inode.i_links_count >= EXT2_LINK_MAX)
		return -WASI_EMLINK;
	err = dir_add(d, dst.parent, dst.name, src.ino, dirent_type_of_mode(src.inode.i_mode));
	if (!err)
		err = inode_links(d, src.ino, +1);
	return wasi_err(err);
}

static int disk_symlink(const char *target, struct vfs_node *dirnode, const char *path)
{
	struct disk_fs *d = disk_of(dirnode);
	size_t tlen = strlen(target);
	struct lookup lk;
	ext2_ino_t ino;
	errcode_t err;
	int r;

	if (d->base.readonly)
		return -WASI_EROFS;
	if (tlen == 0)
		return -WASI_ENOENT;
	if (tlen >= d->fs->blocksize || tlen >= PATH_BYTES)
		return -WASI_ENAMETOOLONG;
	r = lookup_at(dirnode, path, false, &lk);
	if (!r)
		r = name_free(d, &lk, false);
	if (r)
		return r;
	err = ext2fs_new_inode(d->fs, lk.parent, LINUX_S_IFLNK | 0777, NULL, &ino);
	if (!err)
		err = ext2fs_symlink(d->fs, lk.parent, ino, NULL, target);
	if (err)
		return wasi_err(err);
	return wasi_err(inode_name_new(d, &lk, ino, EXT2_FT_SYMLINK));
}

static int disk_readlink(struct vfs_node *dirnode, const char *path, char *buf, size_t len,
			 size_t *outlen)
{
	struct disk_fs *d = disk_of(dirnode);
	char target[PATH_BYTES];
	struct lookup lk;
	size_t tlen;
	int r = lookup_at(dirnode, path, false, &lk);

	if (r)
		return r;
	if (!lk.ino)
		return -WASI_ENOENT;
	if (!LINUX_S_ISLNK(lk.inode.i_mode))
		return -WASI_EINVAL;
	r = link_target(d, lk.ino, &lk.inode, target, &tlen);
	if (r)
		return r;
	*outlen = tlen < len ? tlen : len;
	memcpy(buf, target, *outlen);
	return 0;
}

static int disk_path_stat(struct vfs_node *dirnode, const char *path, bool follow,
			  struct vfs_stat *out)
{
	struct disk_fs *d = disk_of(dirnode);
	struct lookup lk;
	int r = lookup_at(dirnode, path, follow, &lk);

	if (r)
		return r;
	if (!lk.ino)
		return -WASI_ENOENT;
	stat_fill(d, lk.ino, &lk.inode, out);
	return 0;
}

static int disk_path_set_times(struct vfs_node *dirnode, const char *path, bool follow,
			       uint64_t atim, uint64_t mtim, uint32_t fstflags)
{
	struct disk_fs *d = disk_of(dirnode);
	struct lookup lk;
	int r = fstflags_check(d, fstflags);

	if (!r)
		r = lookup_at(dirnode, path, follow, &lk);
	if (r)
		return r;
	if (!lk.ino)
		return -WASI_ENOENT;
	return times_apply(d, lk.ino, atim, mtim, fstflags);
}

static void disk_unmount(struct vfs *fs)
{
	struct disk_fs *d = (struct disk_fs *)fs;

	while (d->open)
		open_release(d, d->open);
	if (!fs->readonly) {
		d->fs->super->s_state |= EXT2_VALID_FS;
		ext2fs_mark_super_dirty(d->fs);
	}
	ext2fs_close_free(&d->fs);
	close(d->fd);
	free(d->block);
	free(d);
}

static const struct vfs_ops disk_ops = {
	.open = disk_open,
	.close = disk_close,
	.read = disk_read,
	.write = disk_write,
	.stat = disk_stat,
	.set_size = disk_set_size,
	.set_times = disk_set_times,
	.sync = disk_sync,
	.allocate = disk_allocate,
	.readdir = disk_readdir,
	.mkdir = disk_mkdir,
	.rmdir = disk_rmdir,
	.unlink = disk_unlink,
	.rename = disk_rename,
	.link = disk_link,
	.symlink = disk_symlink,
	.readlink = disk_readlink,
	.path_stat = disk_path_stat,
	.path_set_times = disk_path_set_times,
	.unmount = disk_unmount,
};

/* Why an image cannot be mounted (so), or NULL. */
static const char *refusal(struct ext2_super_block *sb, bool readonly)
{
	if (sb->s_state & EXT2_ERROR_FS)
		return "the file system has errors (run e2fsck -f)";
	if (!(sb->s_state & EXT2_VALID_FS))
		return "the file system was not cleanly unmounted (run e2fsck -f)";
	if (ext2fs_has_feature_journal_needs_recovery(sb))
		return "the journal needs recovery (run e2fsck)";
	if (sb->s_last_orphan || ext2fs_has_feature_orphan_present(sb))
		return "deleted files are pending removal (run e2fsck)";
	if (ext2fs_has_feature_journal_dev(sb))
		return "it is an external journal, not a file system";
	if (ext2fs_has_feature_inline_data(sb))
		return "feature inline_data is not supported";
	if (ext2fs_has_feature_encrypt(sb))
		return "feature encrypt is not supported";
	if (ext2fs_has_feature_casefold(sb))
		return "feature casefold is not supported";
	if (readonly)
		return NULL;
	if (ext2fs_has_feature_readonly(sb))
		return "the image is marked read-only (mount it readonly)";
	if (ext2fs_has_feature_mmp(sb))
		return "feature mmp is not supported read-write";
	if (ext2fs_has_feature_quota(sb))
		return "feature quota is not supported read-write";
	if (ext2fs_has_feature_bigalloc(sb))
		return "feature bigalloc is not supported read-write";
	if (ext2fs_has_feature_ea_inode(sb))
		return "feature ea_inode is not supported read-write";
	if (ext2fs_has_feature_verity(sb))
		return "feature verity is not supported read-write";
	if (ext2fs_has_feature_shared_blocks(sb))
		return "feature shared_blocks is not supported read-write";
	return NULL;
}

/* libext2fs's messages, for error_message(). */
static void messages_init(void)
{
	initialize_ext2_error_table();
}

struct vfs *vfs_ext2_mount(const char *path, bool readonly, struct vfs_node **root,
			   char *err, size_t errlen)
{
	static pthread_once_t messages_once = PTHREAD_ONCE_INIT;
	struct ext2_inode_large in;
	struct disk_fs *d;
	struct stat sb;
	const char *why;
	errcode_t e;
	int fd, r;

	pthread_once(&messages_once, messages_init);
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) || fstat(fd, &sb)) {
		errbuf_set(err, errlen, "%s",
			   errno == EWOULDBLOCK ? "image in use (another mount holds it)"
						: strerror(errno));
		close(fd);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errbuf_set(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	d->base.ops = &disk_ops;
	d->base.readonly = readonly;
	d->fd = fd;
	d->dev = (uint64_t)sb.st_dev << 32 ^ (uint64_t)sb.st_ino;
	/* Without libext2fs's own block cache: in 1.47.0 a large write leaves stale clean copies
	 * of the blocks it covers in it (fixed later); the kernel caches the image anyway. */
	e = ext2fs_open2(path, "cache=off", EXT2_FLAG_64BITS | (readonly ? 0 : EXT2_FLAG_RW), 0,
			 0, unix_io_manager, &d->fs);
	if (e) {
		errbuf_set(err, errlen, "cannot open it as ext2/3/4: %s", error_message(e));
		d->fs = NULL;
		goto fail;
	}
	why = refusal(d->fs->super, readonly);
	if (why) {
		errbuf_set(err, errlen, "%s", why);
		goto fail;
	}
	d->block = malloc(d->fs->blocksize);
	if (!d->block) {
		errbuf_set(err, errlen, "out of memory");
		goto fail;
	}
	if (!readonly) {
		/* Marked not clean while mounted: after a crash, the next mount asks for
		 * e2fsck. */
		e = ext2fs_read_bitmaps(d->fs);
		if (!e) {
			d->fs->super->s_state &= (__u16)~EXT2_VALID_FS;
			d->fs->super->s_mnt_count++;
			d->fs->super->s_mtime = (__u32)time(NULL);
			ext2fs_mark_super_dirty(d->fs);
			e = ext2fs_flush(d->fs);
		}
		if (e) {
			errbuf_set(err, errlen, "%s", error_message(e));
			goto fail;
		}
	}
	e = inode_read(d, EXT2_ROOT_INO, &in);
	r = e ? wasi_err(e) : node_new(d, EXT2_ROOT_INO, &in, false, root);
	if (r) {
		errbuf_set(err, errlen, "cannot open the root directory");
		if (!readonly) {
			d->fs->super->s_state |= EXT2_VALID_FS;
			ext2fs_mark_super_dirty(d->fs);
		}
		goto fail;
	}
	return &d->base;
fail:
	if (d->fs)
		ext2fs_close_free(&d->fs);
	close(fd);
	free(d->block);
	free(d);
	return NULL;
}
