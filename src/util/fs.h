// fs.h: files and paths, with caps and atomic writes.
//
// Everything eureka reads from outside (LLM replies, rewards, worker output) goes
// through a capped reader; everything it writes into a run directory goes through
// fs_write_atomic so that a crash or a full disk never leaves half a file behind.
#ifndef EUREKA_FS_H
#define EUREKA_FS_H

#include <stddef.h>
#include "util/err.h"

// The project root (tasks/, rewards/, prompts/, src/reward/prelude.h):
// $EUREKA_ROOT if set, else the source tree the binary was built from. Borrowed.
const char *fs_root(void);

// Use root as the project root from now on (the worker gets its parent's root in the
// job: its environment is empty). root is copied.
void fs_set_root(const char *root);

// Read a whole file, at most cap bytes (more is ERR_LIMIT). Returns a NUL-terminated
// buffer owned by the caller; *len (if non-NULL) gets the length.
char *fs_read(const char *path, size_t cap, size_t *len, err_info *e);

// Write data to path via a temporary file + fsync + rename (atomic on POSIX).
int fs_write_atomic(const char *path, const char *data, size_t len, err_info *e);

// Append one line (a '\n' is added) to path with O_APPEND and fsync.
int fs_append_line(const char *path, const char *line, err_info *e);

// mkdir -p.
int fs_mkdirs(const char *path, err_info *e);

// 1 if path exists (any type).
int fs_exists(const char *path);

// snprintf into buf; ERR_LIMIT if the path would be truncated.
int fs_path(char *buf, size_t n, err_info *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
