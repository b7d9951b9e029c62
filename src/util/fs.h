// fs.h: files and paths, with caps, atomic writes, and no links followed where it matters.
//
// Everything eureka reads from outside (LLM replies, rewards, worker output, run
// directories) goes through a capped reader that accepts only regular files; everything
// it writes goes to a new file (O_EXCL) that is renamed into place, so a crash or a full
// disk never leaves half a file behind. Files inside a directory someone else may have
// prepared (a shared run directory) are reached with the *_in functions: the path below
// the directory is walked from its descriptor without following any symbolic link.
#ifndef EUREKA_FS_H
#define EUREKA_FS_H

#include <stddef.h>
#include "util/err.h"

#define FS_PATH_MAX 4096

// The project root (tasks/, rewards/, prompts/, src/reward/prelude.h):
// $EUREKA_ROOT if set, else the source tree the binary was built from. Borrowed.
const char *fs_root(void);

// Use root as the project root from now on (the worker gets its parent's root in the
// job: its environment is empty). root is copied.
void fs_set_root(const char *root);

// Read a whole regular file (links followed: the user named it), at most cap bytes (more
// is ERR_LIMIT, naming the file and the cap). Returns a NUL-terminated buffer owned by the
// caller; *len (if non-NULL) gets the length.
char *fs_read(const char *path, size_t cap, size_t *len, err_info *e);

// Write data to path via a new temporary file + fsync + rename (atomic on POSIX); a link
// at path is replaced, never written through.
int fs_write_atomic(const char *path, const char *data, size_t len, err_info *e);

// Append one line (a '\n' is added) to path with O_APPEND and fsync; path must be a
// regular file (a link there is refused).
int fs_append_line(const char *path, const char *line, err_info *e);

// mkdir -p.
int fs_mkdirs(const char *path, err_info *e);

// 1 if path exists (any type).
int fs_exists(const char *path);

// 1 if the file system that holds path (a file or a directory; for a path that does not
// exist, its directory) has less than 64 KiB left for us: a failed write there was a full
// disk, whatever words the writer chose (another program's messages may be localised).
int fs_no_space(const char *path);

// snprintf into buf; ERR_LIMIT if the path would be truncated.
int fs_path(char *buf, size_t n, err_info *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// A size for messages: "64 MiB", "512 KiB", "100 bytes". Returns buf.
const char *fs_size_str(char *buf, size_t n, size_t bytes);

// ---- below a directory, no link followed (dir itself is opened as named) ----

enum { FS_MISSING = 0, FS_FILE, FS_DIR, FS_OTHER };    // FS_OTHER: a link, FIFO, device...

// fs_read for dir/rel: every component of rel is opened with O_NOFOLLOW from dir's
// descriptor; only a regular file is read, a link/FIFO/device/directory is a clear error.
char *fs_read_in(const char *dir, const char *rel, size_t cap, size_t *len, err_info *e);

// What dir/rel is (without following a link), FS_MISSING when it or a folder on the way
// is not there or is a link.
int fs_kind_in(const char *dir, const char *rel);

// Atomic write of dir/rel: missing folders made, a new temporary file created with
// O_EXCL next to it, renamed over rel (a link at rel is replaced, not followed).
int fs_write_in(const char *dir, const char *rel, const void *data, size_t len, err_info *e);

// Append one line to the regular file dir/rel (created if missing; a link is refused).
int fs_append_in(const char *dir, const char *rel, const char *line, err_info *e);

// Call fn for each entry of the directory dir/rel (rel "" or NULL: dir itself) with its
// kind (links are FS_OTHER), streaming: memory stays bounded whatever the entry count.
// Stops at fn's first non-zero return, which it returns.
int fs_list_in(const char *dir, const char *rel, int (*fn)(void *ctx, const char *name, int kind),
               void *ctx, err_info *e);

// ---- line by line, bounded ----

typedef struct fs_lines fs_lines;

// Open a regular file for reading line by line, lines of at most line_cap bytes, the
// file at most file_cap bytes: dir/rel without following links as fs_read_in, or the
// user-named path rel when dir is NULL.
fs_lines *fs_lines_open(const char *dir, const char *rel, size_t line_cap, size_t file_cap,
                        err_info *e);

// The next line without its '\n' in *line (NUL-terminated, valid until the next call):
// 1 for a line, 0 at the end, minus an err_code when a cap was exceeded or reading failed.
int fs_lines_next(fs_lines *l, char **line, size_t *len, err_info *e);

// Number of the line fs_lines_next returned last (from 1).
int fs_lines_lineno(const fs_lines *l);

void fs_lines_close(fs_lines *l);

#endif
