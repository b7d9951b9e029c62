// video.c: the ffmpeg pipe (see video.h).
//
// Frames go to ffmpeg's stdin while its stderr is drained in the same poll loop: a
// chatty or failing ffmpeg can then never block us while we block it. SIGPIPE is held
// off on this thread around writes, so a dead ffmpeg is an error message, not the end
// of the process. Only the last bytes of ffmpeg's stderr are kept, for the message.
#define _GNU_SOURCE 1   // pipe2
#include "viz/video.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"

#define VIDEO_TAIL 1024     // bytes of ffmpeg's stderr kept for an error message

extern char **environ;

struct video {
    pid_t pid;
    int in, err;            // ffmpeg's stdin (ours to write), its stderr (ours to read)
    int w, h;
    char path[4096], part[4096];
    char tail[VIDEO_TAIL];
    size_t tail_len;
};

// Read what ffmpeg said so far; keep the last VIDEO_TAIL bytes. 0 when it would block,
// 1 at end of file (or a read error: there is nothing more to get).
static int drain(video *v) {
    char b[4096];
    for (;;) {
        ssize_t n = read(v->err, b, sizeof b);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) return 1;
        for (ssize_t i = 0; i < n; i++) {
            if (v->tail_len == VIDEO_TAIL) {
                memmove(v->tail, v->tail + VIDEO_TAIL / 2, VIDEO_TAIL / 2);
                v->tail_len = VIDEO_TAIL / 2;
            }
            v->tail[v->tail_len++] = b[i];
        }
    }
}

// The last non-empty line ffmpeg wrote, printable characters only, into buf.
static const char *last_words(const video *v, char *buf, size_t n) {
    size_t end = v->tail_len;
    while (end > 0 && (v->tail[end - 1] == '\n' || v->tail[end - 1] == '\r')) end--;
    size_t start = end;
    while (start > 0 && v->tail[start - 1] != '\n') start--;
    size_t k = 0;
    for (size_t i = start; i < end && k + 1 < n; i++) {
        unsigned char c = (unsigned char)v->tail[i];
        buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    buf[k] = '\0';
    return k ? buf : "no message";
}

video *video_open(const char *path, int width, int height, double fps, err_info *e) {
    if (width < 2 || height < 2 || width % 2 || height % 2 || !(fps > 0 && fps <= 1000)) {
        err_set(e, ERR_USAGE, "video %dx%d at %g fps: sizes must be even, fps in (0, 1000]",
                width, height, fps);
        return NULL;
    }
    video *v = calloc(1, sizeof *v);
    if (!v) { err_set(e, ERR_NOMEM, "out of memory for a video"); return NULL; }
    v->pid = -1;
    v->in = v->err = -1;
    v->w = width;
    v->h = height;
    if (fs_path(v->path, sizeof v->path, e, "%s", path) ||
        fs_path(v->part, sizeof v->part, e, "%s.part", path)) {
        free(v);
        return NULL;
    }
    // The video may go into someone else's run directory: whatever sits at the .part name
    // (a link to a start-up file) is removed, not followed, and ffmpeg writes into a file
    // we created fresh.
    // (When it cannot be created, ffmpeg fails on it too and says why.)
    unlink(v->part);
    int made = open(v->part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (made >= 0) close(made);
    int in[2] = {-1, -1}, er[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) || pipe2(er, O_CLOEXEC)) {
        err_set(e, ERR_IO, "could not make a pipe for ffmpeg: %s", strerror(errno));
        goto fail;
    }
    char size[32], rate[32];
    snprintf(size, sizeof size, "%dx%d", width, height);
    snprintf(rate, sizeof rate, "%.6g", fps);
    // -xerror: Debian's ffmpeg 5.1 exits 0 when it cannot write the file's end (a full
    // disk: "Error writing trailer"), leaving a cut MP4 we would take for a video.
    char *argv[] = {"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-xerror", "-y",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", rate, "-i", "pipe:0",
                    "-vf", "vflip", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                    "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", v->part, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, er[1], 2);
    int rc = posix_spawnp(&v->pid, "ffmpeg", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        v->pid = -1;
        err_set(e, ERR_NOTFOUND, "could not start ffmpeg (%s): install Debian's ffmpeg "
                "(scripts/setup.sh does)", strerror(rc));
        goto fail;
    }
    close(in[0]);
    close(er[1]);
    v->in = in[1];
    v->err = er[0];
    fcntl(v->in, F_SETFL, fcntl(v->in, F_GETFL) | O_NONBLOCK);
    fcntl(v->err, F_SETFL, fcntl(v->err, F_GETFL) | O_NONBLOCK);
    return v;
fail:
    for (int k = 0; k < 2; k++) {
        if (in[k] >= 0) close(in[k]);
        if (er[k] >= 0) close(er[k]);
    }
    free(v);
    return NULL;
}

// Write n bytes to ffmpeg, reading its stderr whenever it has something to say.
static int feed(video *v, const unsigned char *p, size_t n, err_info *e) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int rc = ERR_OK;
    while (n > 0 && !rc) {
        struct pollfd pf[2] = {{v->in, POLLOUT, 0}, {v->err, POLLIN, 0}};
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            rc = err_set(e, ERR_IO, "waiting for ffmpeg: %s", strerror(errno));
            break;
        }
        if (pf[1].revents) drain(v);
        if (!(pf[0].revents & (POLLOUT | POLLERR | POLLHUP))) continue;
        ssize_t w = write(v->in, p, n);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        char msg[256];
        drain(v);
        rc = err_set(e, ERR_RUNTIME, "ffmpeg stopped reading frames: %s", last_words(v, msg, sizeof msg));
    }
    // A SIGPIPE raised by our write is pending now: take it before unblocking.
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int video_frame(video *v, const unsigned char *rgb, err_info *e) {
    return feed(v, rgb, (size_t)v->w * (size_t)v->h * 3, e);
}

// Close ffmpeg's input, read the rest of its stderr, and reap it: its exit status.
static int finish(video *v) {
    if (v->in >= 0) close(v->in);
    v->in = -1;
    if (v->err >= 0) {
        fcntl(v->err, F_SETFL, fcntl(v->err, F_GETFL) & ~O_NONBLOCK);
        while (!drain(v)) {}
        close(v->err);
        v->err = -1;
    }
    int st = 0;
    while (waitpid(v->pid, &st, 0) < 0 && errno == EINTR) {}
    return st;
}

int video_close(video *v, err_info *e) {
    if (!v) return ERR_OK;
    int st = finish(v), rc = ERR_OK;
    char msg[256];
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        last_words(v, msg, sizeof msg);
        int full = fs_no_space(v->part);
        rc = err_set(e, full ? ERR_IO : ERR_RUNTIME, "ffmpeg failed writing %s: %s%s", v->path, msg,
                     full ? " (free some disk space and retry)" : "");
        unlink(v->part);
    } else if (rename(v->part, v->path)) {
        rc = err_set(e, ERR_IO, "%s: %s", v->path, strerror(errno));
        unlink(v->part);
    }
    free(v);
    return rc;
}

void video_abort(video *v) {
    if (!v) return;
    kill(v->pid, SIGTERM);
    finish(v);
    unlink(v->part);
    free(v);
}
