// fs.c: capped reads, atomic writes and paths (see fs.h).
//
// Two kinds of files pass through here. Files the user names (a reward, a replay file,
// `train --out`) are opened as named, links included. Files inside a directory someone
// else may have prepared (a shared run directory) are reached from the directory's
// descriptor one component at a time with O_NOFOLLOW, so a link anywhere below the
// directory is refused instead of followed, and nothing outside it is ever touched.
// Either way only regular files are read (a FIFO would block, /dev/zero never ends), a
// file over its cap is refused by its size before it is read, and every write goes to a
// new file created with O_EXCL that is then renamed into place.
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#ifndef EUREKA_ROOT
#define EUREKA_ROOT "."
#endif

#define FS_MAX_DEPTH 16     // components in a path relative to a run directory

static char root_override[4096];

const char *fs_root(void) {
    if (root_override[0]) return root_override;
    const char *r = getenv("EUREKA_ROOT");
    return (r && *r) ? r : EUREKA_ROOT;
}

void fs_set_root(const char *root) {
    snprintf(root_override, sizeof root_override, "%s", root ? root : "");
}

const char *fs_size_str(char *buf, size_t n, size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) snprintf(buf, n, "%zu MiB", bytes >> 20);
    else if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) snprintf(buf, n, "%zu KiB", bytes >> 10);
    else snprintf(buf, n, "%zu bytes", bytes);
    return buf;
}

static const char *kind_name(mode_t m) {
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
           S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link" :
           "not a regular file";
}

// Read the regular file open at fd (closed here), at most cap bytes; shown names it.
static char *read_fd(int fd, const char *shown, size_t cap, size_t *len, err_info *e) {
    struct stat st;
    char sz[32];
    if (fstat(fd, &st)) {
        err_set(e, ERR_IO, "%s: %s", shown, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        err_set(e, ERR_IO, "%s is %s, not a regular file: eureka reads only regular files",
                shown, kind_name(st.st_mode));
        close(fd);
        return NULL;
    }
    if ((unsigned long long)st.st_size > cap) {
        err_set(e, ERR_LIMIT, "%s: %lld bytes, over the %s cap for this file", shown,
                (long long)st.st_size, fs_size_str(sz, sizeof sz, cap));
        close(fd);
        return NULL;
    }
    // The size is a hint (the file may grow while we read): read at most cap + 1.
    size_t size = (size_t)st.st_size + 1, n = 0;
    if (size > cap + 1) size = cap + 1;
    char *buf = malloc(size + 1);
    if (!buf) { close(fd); err_set(e, ERR_NOMEM, "%s: out of memory", shown); return NULL; }
    for (;;) {
        if (n == size) {
            if (size > cap) break;
            size_t ns = size * 2 > cap + 1 ? cap + 1 : size * 2;
            char *nb = realloc(buf, ns + 1);
            if (!nb) { free(buf); close(fd); err_set(e, ERR_NOMEM, "%s: out of memory", shown); return NULL; }
            buf = nb;
            size = ns;
        }
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            err_set(e, ERR_IO, "%s: %s", shown, strerror(errno));
            free(buf); close(fd); return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n > cap) {
        err_set(e, ERR_LIMIT, "%s: larger than the %s cap for this file", shown,
                fs_size_str(sz, sizeof sz, cap));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static int open_error(err_info *e, const char *shown, int err) {
    if (err == ENOENT) return err_set(e, ERR_NOTFOUND, "%s: no such file", shown);
    if (err == ELOOP || err == EMLINK)
        return err_set(e, ERR_IO, "%s is a symbolic link: eureka does not follow links inside a "
                       "run directory", shown);
    if (err == ENXIO) return err_set(e, ERR_IO, "%s is a FIFO or socket, not a regular file", shown);
    return err_set(e, ERR_IO, "%s: %s", shown, strerror(err));
}

char *fs_read(const char *path, size_t cap, size_t *len, err_info *e) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (read_fd then refuses it).
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        err_set(e, err == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", path, strerror(err));
        return NULL;
    }
    return read_fd(fd, path, cap, len, e);
}

// ---- inside a directory, no links followed --------------------------------------------

// The directory holding rel's last component, walked from dir with O_NOFOLLOW: *pfd (to
// close) and *leaf (inside the caller's copy rel_buf). create: make missing directories.
static int walk(const char *dir, const char *rel, int create, char *rel_buf, size_t rel_n,
                int *pfd, const char **leaf, const char *shown, err_info *e) {
    *pfd = -1;
    if (fs_path(rel_buf, rel_n, e, "%s", rel)) return ERR_LIMIT;
    if (!rel[0] || rel[0] == '/')
        return err_set(e, ERR_INTERNAL, "%s: a path inside a directory must be relative", shown);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && create && errno == ENOENT) {
        if (fs_mkdirs(dir, e)) return e ? e->code : ERR_IO;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) {
        int err = errno;
        return err_set(e, err == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", dir, strerror(err));
    }
    char *p = rel_buf;
    for (int depth = 0;; depth++) {
        char *slash = strchr(p, '/');
        if (!slash) break;
        *slash = '\0';
        if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || depth >= FS_MAX_DEPTH) {
            close(fd);
            return err_set(e, ERR_INTERNAL, "%s: not a plain path below the directory", shown);
        }
        if (create && mkdirat(fd, p, 0755) && errno != EEXIST) {
            int err = errno;
            close(fd);
            return err_set(e, ERR_IO, "cannot create directory %s/%s: %s", dir, rel, strerror(err));
        }
        int nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        if (nfd < 0) {
            struct stat st;
            // ENOTDIR for a link with O_DIRECTORY: say what the entry really is.
            if (err != ENOENT && fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
                close(fd);
                return S_ISLNK(st.st_mode) ? open_error(e, shown, ELOOP)
                       : err_set(e, ERR_IO, "%s: the folder %s is %s, not a directory", shown, p,
                                 kind_name(st.st_mode));
            }
            close(fd);
            return open_error(e, shown, err);
        }
        close(fd);
        fd = nfd;
        p = slash + 1;
    }
    if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
        close(fd);
        return err_set(e, ERR_INTERNAL, "%s: not a plain path below the directory", shown);
    }
    *pfd = fd;
    *leaf = p;
    return ERR_OK;
}

char *fs_read_in(const char *dir, const char *rel, size_t cap, size_t *len, err_info *e) {
    char shown[FS_PATH_MAX], rb[FS_PATH_MAX];
    const char *leaf = NULL;
    int pfd;
    snprintf(shown, sizeof shown, "%s/%s", dir, rel);
    if (walk(dir, rel, 0, rb, sizeof rb, &pfd, &leaf, shown, e)) return NULL;
    int fd = openat(pfd, leaf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    int err = errno;
    close(pfd);
    if (fd < 0) { open_error(e, shown, err); return NULL; }
    return read_fd(fd, shown, cap, len, e);
}

int fs_kind_in(const char *dir, const char *rel) {
    char rb[FS_PATH_MAX];
    const char *leaf = NULL;
    int pfd;
    if (walk(dir, rel, 0, rb, sizeof rb, &pfd, &leaf, rel, NULL)) return FS_MISSING;
    struct stat st;
    int rc = fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW);
    close(pfd);
    if (rc) return FS_MISSING;
    return S_ISREG(st.st_mode) ? FS_FILE : S_ISDIR(st.st_mode) ? FS_DIR : FS_OTHER;
}

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int fs_write_in(const char *dir, const char *rel, const void *data, size_t len, err_info *e) {
    char shown[FS_PATH_MAX], rb[FS_PATH_MAX], tmp[FS_PATH_MAX];
    const char *leaf = NULL;
    int pfd;
    snprintf(shown, sizeof shown, "%s/%s", dir, rel);
    if (walk(dir, rel, 1, rb, sizeof rb, &pfd, &leaf, shown, e)) return e ? e->code : ERR_IO;
    // A fresh name made with O_EXCL: whatever someone left at a guessable temporary name
    // (a link to a shell start-up file) is never opened.
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long salt = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
    int fd = -1, err = 0;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        snprintf(tmp, sizeof tmp, ".%.200s.tmp.%ld.%lx", leaf, (long)getpid(), salt + (unsigned long)attempt * 7919);
        fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        err = errno;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd < 0) { close(pfd); return err_set(e, ERR_IO, "%s: cannot create a temporary file: %s", shown, strerror(err)); }
    if (write_all(fd, data, len) || fsync(fd)) {
        err = errno;
        close(fd);
        unlinkat(pfd, tmp, 0);
        close(pfd);
        return err_set(e, ERR_IO, "%s: %s%s", shown, strerror(err),
                       err == ENOSPC || err == EDQUOT ? " (free some disk space and retry)" : "");
    }
    // rename() replaces a link at the destination instead of writing through it.
    if (close(fd) || renameat(pfd, tmp, pfd, leaf)) {
        err = errno;
        unlinkat(pfd, tmp, 0);
        close(pfd);
        if (err == EISDIR || err == ENOTEMPTY || err == EEXIST)
            return err_set(e, ERR_IO, "%s is a directory where a file belongs: remove it", shown);
        return err_set(e, ERR_IO, "%s: %s", shown, strerror(err));
    }
    close(pfd);
    return ERR_OK;
}

int fs_append_in(const char *dir, const char *rel, const char *line, err_info *e) {
    char shown[FS_PATH_MAX], rb[FS_PATH_MAX];
    const char *leaf = NULL;
    int pfd;
    snprintf(shown, sizeof shown, "%s/%s", dir, rel);
    if (walk(dir, rel, 1, rb, sizeof rb, &pfd, &leaf, shown, e)) return e ? e->code : ERR_IO;
    int fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    int err = errno;
    close(pfd);
    if (fd < 0) return open_error(e, shown, err);
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_IO, "%s is %s, not a regular file: eureka appends only to regular files",
                       shown, kind_name(st.st_mode));
    }
    size_t n = strlen(line);
    // One write per line so concurrent appenders never interleave inside a line.
    char *buf = malloc(n + 1);
    if (!buf) { close(fd); return err_set(e, ERR_NOMEM, "%s: out of memory", shown); }
    memcpy(buf, line, n);
    buf[n] = '\n';
    int rc = write_all(fd, buf, n + 1);
    err = errno;
    free(buf);
    if (rc == 0 && fsync(fd)) { rc = -1; err = errno; }
    close(fd);
    if (rc) return err_set(e, ERR_IO, "%s: %s", shown, strerror(err));
    return ERR_OK;
}

int fs_list_in(const char *dir, const char *rel, int (*fn)(void *ctx, const char *name, int kind),
               void *ctx, err_info *e) {
    char shown[FS_PATH_MAX], rb[FS_PATH_MAX];
    int fd;
    if (rel && *rel) {
        const char *leaf;
        int pfd;
        snprintf(shown, sizeof shown, "%s/%s", dir, rel);
        if (walk(dir, rel, 0, rb, sizeof rb, &pfd, &leaf, shown, e)) return e ? e->code : ERR_IO;
        fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        close(pfd);
        if (fd < 0) return open_error(e, shown, err);
    } else {
        snprintf(shown, sizeof shown, "%s", dir);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return open_error(e, shown, errno);
    }
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return err_set(e, ERR_IO, "%s: %s", shown, strerror(errno)); }
    struct dirent *de;
    int rc = ERR_OK;
    while (rc == ERR_OK && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        int kind = de->d_type == DT_REG ? FS_FILE : de->d_type == DT_DIR ? FS_DIR : FS_OTHER;
        if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            kind = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ? FS_MISSING :
                   S_ISREG(st.st_mode) ? FS_FILE : S_ISDIR(st.st_mode) ? FS_DIR : FS_OTHER;
        }
        rc = fn(ctx, de->d_name, kind);
    }
    closedir(d);
    return rc;
}

// ---- whole paths ---------------------------------------------------------------------

// Split path into its directory ("." when none) and last component.
static int split(const char *path, char *dir, size_t n, const char **leaf, err_info *e) {
    const char *slash = strrchr(path, '/');
    if (!slash) { snprintf(dir, n, "."); *leaf = path; return ERR_OK; }
    if (slash == path) { snprintf(dir, n, "/"); *leaf = slash + 1; return ERR_OK; }
    if ((size_t)(slash - path) >= n) return err_set(e, ERR_LIMIT, "path too long: %.80s...", path);
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    *leaf = slash + 1;
    return ERR_OK;
}

int fs_write_atomic(const char *path, const char *data, size_t len, err_info *e) {
    char dir[FS_PATH_MAX];
    const char *leaf = NULL;
    if (split(path, dir, sizeof dir, &leaf, e)) return ERR_LIMIT;
    return fs_write_in(dir, leaf, data, len, e);
}

int fs_append_line(const char *path, const char *line, err_info *e) {
    char dir[FS_PATH_MAX];
    const char *leaf = NULL;
    if (split(path, dir, sizeof dir, &leaf, e)) return ERR_LIMIT;
    return fs_append_in(dir, leaf, line, e);
}

int fs_mkdirs(const char *path, err_info *e) {
    char buf[FS_PATH_MAX];
    if (fs_path(buf, sizeof buf, e, "%s", path)) return e ? e->code : ERR_LIMIT;
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) && errno != EEXIST)
                return err_set(e, ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
            *p = c;
            if (c == '\0') break;
        }
    }
    return ERR_OK;
}

int fs_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int fs_no_space(const char *path) {
    struct statvfs sv;
    char dir[4096] = ".";
    const char *slash = strrchr(path, '/');
    if (slash) {    // the directory, for a path that does not exist (yet): "/x" -> "/"
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        if (n >= sizeof dir) return 0;
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    if (statvfs(path, &sv) != 0 && statvfs(dir, &sv) != 0) return 0;
    return (unsigned long long)sv.f_bavail * sv.f_frsize < 64 * 1024;
}

int fs_path(char *buf, size_t n, err_info *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n) return err_set(e, ERR_LIMIT, "path too long: %.80s...", buf);
    return ERR_OK;
}

// ---- line by line --------------------------------------------------------------------

struct fs_lines {
    int fd;
    char shown[FS_PATH_MAX];
    char *buf;              // [0, len): bytes read and not yet returned (from `start`)
    size_t start, len, size;
    size_t line_cap, file_cap, total;
    int lineno, eof;
};

fs_lines *fs_lines_open(const char *dir, const char *rel, size_t line_cap, size_t file_cap,
                        err_info *e) {
    fs_lines *l = calloc(1, sizeof *l);
    if (!l) { err_set(e, ERR_NOMEM, "%s: out of memory", rel); return NULL; }
    l->line_cap = line_cap;
    l->file_cap = file_cap;
    int fd;
    if (dir) {
        char rb[FS_PATH_MAX];
        const char *leaf;
        int pfd;
        snprintf(l->shown, sizeof l->shown, "%s/%s", dir, rel);
        if (walk(dir, rel, 0, rb, sizeof rb, &pfd, &leaf, l->shown, e)) { free(l); return NULL; }
        fd = openat(pfd, leaf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        int err = errno;
        close(pfd);
        if (fd < 0) { open_error(e, l->shown, err); free(l); return NULL; }
    } else {
        snprintf(l->shown, sizeof l->shown, "%s", rel);
        fd = open(rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            int err = errno;
            err_set(e, err == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", rel, strerror(err));
            free(l);
            return NULL;
        }
    }
    struct stat st;
    char sz[32];
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_IO, "%s is %s, not a regular file: eureka reads only regular files", l->shown,
                kind_name(st.st_mode));
        close(fd);
        free(l);
        return NULL;
    }
    if ((unsigned long long)st.st_size > file_cap) {
        err_set(e, ERR_LIMIT, "%s: %lld bytes, over the %s cap for this file", l->shown,
                (long long)st.st_size, fs_size_str(sz, sizeof sz, file_cap));
        close(fd);
        free(l);
        return NULL;
    }
    l->fd = fd;
    return l;
}

int fs_lines_next(fs_lines *l, char **line, size_t *len, err_info *e) {
    char sz[32];
    for (;;) {
        char *nl = l->len > l->start ? memchr(l->buf + l->start, '\n', l->len - l->start) : NULL;
        if (nl || (l->eof && l->len > l->start)) {
            char *s = l->buf + l->start;
            size_t n = nl ? (size_t)(nl - s) : l->len - l->start;
            if (n > l->line_cap) break;
            s[n] = '\0';            // the byte after a last line without '\n' is spare room
            l->start += n + (nl ? 1 : 0);
            l->lineno++;
            *line = s;
            if (len) *len = n;
            return 1;
        }
        if (l->eof) return 0;
        if (l->len - l->start > l->line_cap) break;
        // Keep the partial line at the front and read more behind it.
        if (l->start) memmove(l->buf, l->buf + l->start, l->len - l->start);
        l->len -= l->start;
        l->start = 0;
        if (l->size - l->len < 65536 + 1) {
            size_t ns = l->size ? l->size * 2 : 131072;
            if (ns > l->line_cap + 65536 + 1) ns = l->line_cap + 65536 + 1;
            if (ns < l->len + 65536 + 1) ns = l->len + 65536 + 1;
            char *nb = realloc(l->buf, ns);
            if (!nb) return -err_set(e, ERR_NOMEM, "%s: out of memory", l->shown);
            l->buf = nb;
            l->size = ns;
        }
        ssize_t r = read(l->fd, l->buf + l->len, l->size - l->len - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -err_set(e, ERR_IO, "%s: %s", l->shown, strerror(errno));
        }
        if (r == 0) { l->eof = 1; continue; }
        l->len += (size_t)r;
        l->total += (size_t)r;
        if (l->total > l->file_cap)
            return -err_set(e, ERR_LIMIT, "%s: larger than the %s cap for this file", l->shown,
                            fs_size_str(sz, sizeof sz, l->file_cap));
    }
    return -err_set(e, ERR_LIMIT, "%s:%d: a line longer than the %s cap", l->shown, l->lineno + 1,
                    fs_size_str(sz, sizeof sz, l->line_cap));
}

int fs_lines_lineno(const fs_lines *l) { return l->lineno; }

void fs_lines_close(fs_lines *l) {
    if (!l) return;
    close(l->fd);
    free(l->buf);
    free(l);
}
