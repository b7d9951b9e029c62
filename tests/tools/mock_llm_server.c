// mock_llm_server: a small real HTTP/1.1 server on 127.0.0.1 that speaks enough of the
// OpenAI Chat Completions and Anthropic Messages APIs to test eureka's LLM client
// without a network, and to run an end-to-end search against canned replies.
//
//   mock_llm_server [--port N] [--scenario FILE] [--replies DIR|FILE] [--max-choices M]
//                   [--lifetime S]
//
// Prints the port it listens on (port 0 = any free port) as one line on stdout.
// POST .../chat/completions and .../v1/messages are answered:
//   --scenario FILE  responses in order, one block each, blocks separated by `---`;
//                    the last block repeats. Block lines:
//                      status 429
//                      header retry-after-ms: 10
//                      delay_ms 2000          (stall before answering)
//                      body {"error": ...}    (rest of the line)
//                      body_file NAME         (relative to the scenario's folder)
//                      body_size BYTES        (a JSON document of that size)
//                      gen openai N|n         (N choices, or as many as the request's n)
//                      gen anthropic          (a Messages reply)
//                      short_body N           (announce the whole body, send N bytes, then
//                                              hold the connection open: a lying server)
//                      drip_ms N              (send the body one byte every N ms)
//                    In a body, {{auth}} becomes the key the request carried (Bearer,
//                    x-api-key or api-key), as a server that echoes it back would.
//   --replies P      every chat request gets canned replies taken round-robin from the
//                    files of directory P (sorted by name) or the single file P,
//                    honouring n (at most --max-choices per request, like Ollama's 1).
//   neither          a fixed short reply.
// GET /_count answers the number of POST requests seen; GET /_last the last request
// (request line, headers, body) as received.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MAX_REQUEST (16 * 1024 * 1024)
#define MAX_BLOCKS 64
#define MAX_HEADERS 8
#define MAX_REPLIES 256

typedef struct block {
    int status;
    char *headers[MAX_HEADERS];
    int n_headers;
    int delay_ms;
    char *body;             // fixed body, or NULL
    long body_size;         // >0: generated filler body of this size
    int gen;                // 0 none, 1 openai, 2 anthropic
    int gen_n;              // openai: choices; 0 = the request's n
    long short_body;        // >= 0: send only this many body bytes, then hang (-1: off)
    int drip_ms;            // > 0: one byte every drip_ms
} block;

static block blocks[MAX_BLOCKS];
static int n_blocks;
static char *replies[MAX_REPLIES];
static int n_replies;
static int max_choices = 1 << 20;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long n_posts;
static int next_block, next_reply;
static char *last_request;
static size_t last_len;

static void die(const char *fmt, const char *arg) {
    fprintf(stderr, "mock_llm_server: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) die("cannot read %s", path);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void load_scenario(const char *path) {
    char *text = read_file(path);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0'; else strcpy(dir, ".");
    block *b = &blocks[0];
    b->status = 200;
    b->short_body = -1;
    n_blocks = 1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line || *line == '#') continue;
        if (strncmp(line, "---", 3) == 0) {
            if (n_blocks == MAX_BLOCKS) die("%s: too many blocks", path);
            b = &blocks[n_blocks++];
            b->status = 200;
            b->short_body = -1;
        } else if (strncmp(line, "status ", 7) == 0) b->status = atoi(line + 7);
        else if (strncmp(line, "delay_ms ", 9) == 0) b->delay_ms = atoi(line + 9);
        else if (strncmp(line, "header ", 7) == 0 && b->n_headers < MAX_HEADERS)
            b->headers[b->n_headers++] = strdup(line + 7);
        else if (strncmp(line, "body ", 5) == 0) b->body = strdup(line + 5);
        else if (strncmp(line, "body_file ", 10) == 0) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", dir, line + 10);
            b->body = read_file(p);
        } else if (strncmp(line, "body_size ", 10) == 0) b->body_size = atol(line + 10);
        else if (strncmp(line, "gen openai", 10) == 0) {
            b->gen = 1;
            b->gen_n = (line[10] == ' ' && line[11] != 'n') ? atoi(line + 11) : 0;
        } else if (strncmp(line, "gen anthropic", 13) == 0) b->gen = 2;
        else if (strncmp(line, "short_body ", 11) == 0) b->short_body = atol(line + 11);
        else if (strncmp(line, "drip_ms ", 8) == 0) b->drip_ms = atoi(line + 8);
        else die("unknown scenario line: %s", line);
    }
    free(text);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_replies(const char *path) {
    DIR *d = opendir(path);
    if (!d) { replies[n_replies++] = read_file(path); return; }
    char *names[MAX_REPLIES];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_REPLIES)
        if (de->d_name[0] != '.') names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        replies[n_replies++] = read_file(p);
        free(names[i]);
    }
    if (n_replies == 0) die("%s holds no replies", path);
}

static int write_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

// Send a response; a block may make it lie about its length or drip it out.
static int respond_as(int fd, int status, const char *extra_headers, const char *body, size_t len,
                      long short_body, int drip_ms) {
    char head[2048];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n%s\r\n", status, status == 200 ? "OK" : "Status",
                     len, extra_headers ? extra_headers : "");
    if (write_all(fd, head, (size_t)n)) return -1;
    if (short_body >= 0) {
        if (write_all(fd, body, (size_t)short_body < len ? (size_t)short_body : len)) return -1;
        // Hold the connection until the client gives up (its read then sees EOF here).
        char c;
        while (read(fd, &c, 1) > 0) {}
        return -1;
    }
    if (drip_ms > 0) {
        for (size_t i = 0; i < len; i++) {
            if (write_all(fd, body + i, 1)) return -1;
            sleep_ms(drip_ms);
        }
        return 0;
    }
    return write_all(fd, body, len);
}

static int respond(int fd, int status, const char *extra_headers, const char *body, size_t len) {
    return respond_as(fd, status, extra_headers, body, len, -1, 0);
}

// The key a request carried, from its head ("" when none).
static void request_key(const char *head, char *out, size_t n) {
    static const char *names[] = {"Authorization: Bearer ", "x-api-key: ", "api-key: "};
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *h = strcasestr(head, names[i]);
        if (!h) continue;
        h += strlen(names[i]);
        size_t l = strcspn(h, "\r\n");
        snprintf(out, n, "%.*s", (int)l, h);
        return;
    }
}

// body with every {{auth}} replaced by key (owned).
static char *with_auth(const char *body, const char *key) {
    size_t kl = strlen(key), n = strlen(body) + 1;
    for (const char *p = body; (p = strstr(p, "{{auth}}")); p += 8) n += kl;
    char *out = malloc(n), *o = out;
    for (const char *p = body; *p;) {
        if (strncmp(p, "{{auth}}", 8) == 0) { memcpy(o, key, kl); o += kl; p += 8; }
        else *o++ = *p++;
    }
    *o = '\0';
    return out;
}

// The text of the next canned reply (round robin).
static const char *take_reply(int i) {
    if (n_replies == 0) return i == 0 ? "Hello from the mock server." : "Another mock reply.";
    pthread_mutex_lock(&mu);
    const char *r = replies[next_reply++ % n_replies];
    pthread_mutex_unlock(&mu);
    return r;
}

static char *gen_openai(int n, size_t req_len) {
    cJSON *j = cJSON_CreateObject(), *arr;
    cJSON_AddStringToObject(j, "id", "chatcmpl-mock");
    cJSON_AddStringToObject(j, "object", "chat.completion");
    cJSON_AddStringToObject(j, "model", "mock");
    cJSON_AddItemToObject(j, "choices", arr = cJSON_CreateArray());
    size_t out_len = 0;
    for (int i = 0; i < n; i++) {
        const char *t = take_reply(i);
        out_len += strlen(t);
        cJSON *c = cJSON_CreateObject(), *m;
        cJSON_AddNumberToObject(c, "index", i);
        cJSON_AddItemToObject(c, "message", m = cJSON_CreateObject());
        cJSON_AddStringToObject(m, "role", "assistant");
        cJSON_AddStringToObject(m, "content", t);
        cJSON_AddStringToObject(c, "finish_reason", "stop");
        cJSON_AddItemToArray(arr, c);
    }
    cJSON *u = cJSON_AddObjectToObject(j, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)(req_len / 4 + 1));
    cJSON_AddNumberToObject(u, "completion_tokens", (double)(out_len / 4 + 1));
    cJSON_AddNumberToObject(u, "total_tokens", (double)(req_len / 4 + out_len / 4 + 2));
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static char *gen_anthropic(size_t req_len) {
    const char *t = take_reply(0);
    cJSON *j = cJSON_CreateObject(), *arr, *b;
    cJSON_AddStringToObject(j, "id", "msg_mock");
    cJSON_AddStringToObject(j, "type", "message");
    cJSON_AddStringToObject(j, "role", "assistant");
    cJSON_AddItemToObject(j, "content", arr = cJSON_CreateArray());
    cJSON_AddItemToArray(arr, b = cJSON_CreateObject());
    cJSON_AddStringToObject(b, "type", "text");
    cJSON_AddStringToObject(b, "text", t);
    cJSON_AddStringToObject(j, "stop_reason", "end_turn");
    cJSON *u = cJSON_AddObjectToObject(j, "usage");
    cJSON_AddNumberToObject(u, "input_tokens", (double)(req_len / 4 + 1));
    cJSON_AddNumberToObject(u, "output_tokens", (double)(strlen(t) / 4 + 1));
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static int requested_n(const char *body) {
    cJSON *j = cJSON_Parse(body);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "n");
    int v = cJSON_IsNumber(n) ? (int)n->valuedouble : 1;
    cJSON_Delete(j);
    return v < 1 ? 1 : v;
}

// Answer one POST (head: the request line and headers).
static int answer(int fd, const char *head, const char *path, const char *body, size_t body_len) {
    int anthropic = strstr(path, "/messages") != NULL;
    if (!anthropic && !strstr(path, "chat/completions")) {
        const char *nf = "{\"error\":{\"message\":\"no such route\",\"type\":\"invalid_request_error\"}}";
        return respond(fd, 404, NULL, nf, strlen(nf));
    }
    block dflt = {.status = 200, .gen = anthropic ? 2 : 1, .gen_n = 0, .short_body = -1};
    block *b = &dflt;
    if (n_blocks > 0) {
        pthread_mutex_lock(&mu);
        b = &blocks[next_block < n_blocks ? next_block : n_blocks - 1];
        next_block++;
        pthread_mutex_unlock(&mu);
    }
    if (b->delay_ms > 0) sleep_ms(b->delay_ms);
    char extra[2048] = "";
    for (int i = 0; i < b->n_headers; i++) {
        size_t l = strlen(extra);
        snprintf(extra + l, sizeof extra - l, "%s\r\n", b->headers[i]);
    }
    char *gen = NULL;
    const char *out = b->body;
    size_t out_len = out ? strlen(out) : 0;
    if (out && strstr(out, "{{auth}}")) {
        char key[1024];
        request_key(head, key, sizeof key);
        out = gen = with_auth(out, key);
        out_len = strlen(out);
    }
    if (b->body_size > 0) {
        // {"pad":"xxxx..."}: valid JSON of exactly body_size bytes.
        size_t n = (size_t)b->body_size;
        gen = malloc(n + 1);
        memset(gen, 'x', n);
        memcpy(gen, "{\"pad\":\"", 8);
        memcpy(gen + n - 2, "\"}", 2);
        gen[n] = '\0';
        out = gen;
        out_len = n;
    } else if (b->gen == 1 || (!out && !anthropic)) {
        int n = b->gen_n > 0 ? b->gen_n : requested_n(body);
        if (n > max_choices) n = max_choices;
        out = gen = gen_openai(n, body_len);
        out_len = strlen(out);
    } else if (b->gen == 2 || !out) {
        out = gen = gen_anthropic(body_len);
        out_len = strlen(out);
    }
    int rc = respond_as(fd, b->status, extra, out, out_len, b->short_body, b->drip_ms);
    free(gen);
    return rc;
}

static void *serve(void *arg) {
    int fd = (int)(long)arg;
    size_t size = 65536, len = 0;
    char *buf = malloc(size);
    for (;;) {
        // Read until the end of the headers.
        char *end = NULL;
        while (!(end = (len ? memmem(buf, len, "\r\n\r\n", 4) : NULL))) {
            if (len + 1 >= size) goto out;
            ssize_t r = read(fd, buf + len, size - len - 1);
            if (r <= 0) goto out;
            len += (size_t)r;
        }
        buf[len] = '\0';
        size_t head_len = (size_t)(end - buf) + 4;
        char method[16] = "", path[1024] = "";
        sscanf(buf, "%15s %1023s", method, path);
        size_t clen = 0;
        int expect = 0;
        for (char *h = buf; h < end; h = strstr(h, "\r\n") + 2) {
            if (strncasecmp(h, "Content-Length:", 15) == 0) clen = strtoul(h + 15, NULL, 10);
            if (strncasecmp(h, "Expect: 100-continue", 20) == 0) expect = 1;
            if (!strstr(h, "\r\n")) break;
        }
        if (clen > MAX_REQUEST) goto out;
        if (expect) write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        if (head_len + clen + 1 > size) {
            size = head_len + clen + 1;
            buf = realloc(buf, size);
        }
        while (len < head_len + clen) {
            ssize_t r = read(fd, buf + len, size - len - 1);
            if (r <= 0) goto out;
            len += (size_t)r;
        }
        char *body = malloc(clen + 1);
        memcpy(body, buf + head_len, clen);
        body[clen] = '\0';
        int rc = 0;
        if (strcmp(method, "GET") == 0 && strcmp(path, "/_count") == 0) {
            char n[32];
            pthread_mutex_lock(&mu);
            snprintf(n, sizeof n, "%ld\n", n_posts);
            pthread_mutex_unlock(&mu);
            rc = respond(fd, 200, NULL, n, strlen(n));
        } else if (strcmp(method, "GET") == 0 && strcmp(path, "/_last") == 0) {
            pthread_mutex_lock(&mu);
            char *copy = last_request ? strndup(last_request, last_len) : strdup("");
            pthread_mutex_unlock(&mu);
            rc = respond(fd, 200, NULL, copy, strlen(copy));
            free(copy);
        } else if (strcmp(method, "POST") == 0) {
            pthread_mutex_lock(&mu);
            n_posts++;
            free(last_request);
            last_request = strndup(buf, head_len + clen);
            last_len = head_len + clen;
            pthread_mutex_unlock(&mu);
            buf[head_len - 1] = '\0';        // the head alone, for answer()
            rc = answer(fd, buf, path, body, clen);
        } else {
            rc = respond(fd, 405, NULL, "{}", 2);
        }
        free(body);
        if (rc) goto out;
        memmove(buf, buf + head_len + clen, len - head_len - clen);
        len -= head_len + clen;
    }
out:
    free(buf);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    int port = 0, lifetime = 600;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) load_scenario(argv[++i]);
        else if (!strcmp(argv[i], "--replies") && i + 1 < argc) load_replies(argv[++i]);
        else if (!strcmp(argv[i], "--max-choices") && i + 1 < argc) max_choices = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lifetime") && i + 1 < argc) lifetime = atoi(argv[++i]);
        else die("unknown argument %s (see the comment at the top of mock_llm_server.c)", argv[i]);
    }
    if (max_choices < 1) max_choices = 1;
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)lifetime);      // never outlive a test that forgot to stop us
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 64)) die("cannot listen: %s", strerror(errno));
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) { if (errno == EINTR) continue; die("accept: %s", strerror(errno)); }
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(long)c);
        pthread_detach(t);
    }
}
