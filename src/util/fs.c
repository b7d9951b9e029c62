// fs.c: capped reads, atomic writes and paths (see fs.h).
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EUREKA_ROOT
#define EUREKA_ROOT "."
#endif

static char root_override[4096];

const char *fs_root(void) {
    if (root_override[0]) return root_override;
    const char *r = getenv("EUREKA_ROOT");
    return (r && *r) ? r : EUREKA_ROOT;
}

void fs_set_root(const char *root) {
    snprintf(root_override, sizeof root_override, "%s", root ? root : "");
}

char *fs_read(const char *path, size_t cap, size_t *len, err_info *e) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t n = 0, size = 4096;
    char *buf = malloc(size);
    if (!buf) { close(fd); err_set(e, ERR_NOMEM, "%s: out of memory", path); return NULL; }
    for (;;) {
        if (n + 1 >= size) {
            if (size > cap) break;
            size *= 2;
            char *nb = realloc(buf, size);
            if (!nb) { free(buf); close(fd); err_set(e, ERR_NOMEM, "%s: out of memory", path); return NULL; }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, size - n - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
            free(buf); close(fd); return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > cap) break;
    }
    close(fd);
    if (n > cap) {
        err_set(e, ERR_LIMIT, "%s: larger than the %zu-byte limit", path, cap);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
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

int fs_write_atomic(const char *path, const char *data, size_t len, err_info *e) {
    char tmp[4096];
    if (fs_path(tmp, sizeof tmp, e, "%s.tmp.%ld", path, (long)getpid())) return e ? e->code : ERR_LIMIT;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
    if (write_all(fd, data, len) || fsync(fd)) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s (free some disk space and retry)", path, strerror(saved));
    }
    if (close(fd) || rename(tmp, path)) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, ERR_IO, "%s: %s", path, strerror(saved));
    }
    return ERR_OK;
}

int fs_append_line(const char *path, const char *line, err_info *e) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    size_t n = strlen(line);
    // One write per line so concurrent appenders never interleave inside a line.
    char *buf = malloc(n + 1);
    if (!buf) { close(fd); return err_set(e, ERR_NOMEM, "%s: out of memory", path); }
    memcpy(buf, line, n);
    buf[n] = '\n';
    int rc = write_all(fd, buf, n + 1);
    int saved = errno;
    free(buf);
    if (rc == 0 && fsync(fd)) { rc = -1; saved = errno; }
    close(fd);
    if (rc) return err_set(e, ERR_IO, "%s: %s", path, strerror(saved));
    return ERR_OK;
}

int fs_mkdirs(const char *path, err_info *e) {
    char buf[4096];
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

int fs_path(char *buf, size_t n, err_info *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n) return err_set(e, ERR_LIMIT, "path too long: %.80s...", buf);
    return ERR_OK;
}
