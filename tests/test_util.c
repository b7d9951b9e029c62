// test_util.c: err, fs, rng, buf, ser, reward terms, cli parsing.
#include <stdlib.h>
#include <unistd.h>

#include "util/buf.h"
#include "cli/cli.h"
#include "util/err.h"
#include "util/fs.h"
#include "reward/reward.h"
#include "util/rng.h"
#include "util/ser.h"
#include "util/suggest.h"
#include "testlib.h"

static void test_err(void) {
    err_info e;
    CHECK(err_set(&e, ERR_IO, "a\nb %d", 3) == ERR_IO);
    CHECK(strcmp(e.msg, "a b 3") == 0);
    err_wrap(&e, "ctx");
    CHECK(strcmp(e.msg, "ctx: a b 3") == 0);
    CHECK(cli_exit_status(ERR_USAGE) == 2 && cli_exit_status(ERR_IO) == 1 && cli_exit_status(ERR_OK) == 0);
    CHECK(cli_exit_status(ERR_INTERRUPTED) == 130 && cli_exit_status(ERR_NOTFOUND) == 1);
    CHECK(err_set(NULL, ERR_PARSE, "x") == ERR_PARSE);
}

static void test_fs(void) {
    char dir[] = "/tmp/eureka_fs_XXXXXX", path[256], sub[256];
    CHECK(mkdtemp(dir) != NULL);
    err_info e;
    snprintf(path, sizeof path, "%s/a.txt", dir);
    CHECK(fs_write_atomic(path, "hello", 5, &e) == ERR_OK);
    size_t n = 0;
    char *s = fs_read(path, 100, &n, &e);
    CHECK(s && n == 5 && strcmp(s, "hello") == 0);
    free(s);
    CHECK(fs_read(path, 3, NULL, &e) == NULL && e.code == ERR_LIMIT);
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK(fs_read(path, 100, NULL, &e) == NULL && e.code == ERR_NOTFOUND);
    CHECK_STR_CONTAINS(e.msg, "missing");
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    CHECK(fs_mkdirs(sub, &e) == ERR_OK && fs_exists(sub));
    snprintf(path, sizeof path, "%s/log", dir);
    CHECK(fs_append_line(path, "one", &e) == ERR_OK && fs_append_line(path, "two", &e) == ERR_OK);
    s = fs_read(path, 100, NULL, &e);
    CHECK(s && strcmp(s, "one\ntwo\n") == 0);
    free(s);
    CHECK(fs_write_atomic("/proc/version/nope", "x", 1, &e) == ERR_IO);
    CHECK(!strstr(e.msg, "disk space"));    // not a full disk: no hint that says so
    // fs_no_space: /tmp has room, /proc never has any (0 blocks free); a path that does
    // not exist yet is judged by its directory.
    snprintf(path, sizeof path, "%s/not-yet.mp4", dir);
    CHECK(fs_no_space(dir) == 0 && fs_no_space(path) == 0);
    CHECK(fs_no_space("/proc/version") == 1 && fs_no_space("/proc/not-yet.mp4") == 1);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static void test_rng(void) {
    rng a, b;
    rng_seed(&a, 42, 0);
    rng_seed(&b, 42, 0);
    int same = 1;
    for (int i = 0; i < 100; i++) same &= rng_next(&a) == rng_next(&b);
    CHECK(same);
    rng_seed(&b, 42, 1);
    CHECK(rng_next(&a) != rng_next(&b));
    double sum = 0, sq = 0;
    for (int i = 0; i < 20000; i++) { double x = rng_normal(&a); sum += x; sq += x * x; }
    CHECK(sum / 20000 > -0.05 && sum / 20000 < 0.05);
    CHECK(sq / 20000 > 0.95 && sq / 20000 < 1.05);
}

static void test_terms(void) {
    reward_terms t;
    reward_terms_clear(&t);
    CHECK(reward_term(&t, "a", 1.5) == 1.5);
    reward_term(&t, "b", 2);
    char name[] = "a";
    reward_term(&t, name, 3);  // same name through another pointer overwrites
    CHECK(t.n == 2 && t.value[0] == 3);
    reward_term(&t, "9bad", 1);
    CHECK(t.bad_name == 1 && t.n == 2);
    char buf[20][8];
    for (int i = 0; i < 20; i++) { snprintf(buf[i], 8, "c%d", i); reward_term(&t, buf[i], 0); }
    CHECK(t.n == REWARD_MAX_TERMS && t.overflow == 1);
}

// reward_terms_next keeps the previous call's names: the fast path must still see a
// changed order, a repeated name, and a reused buffer holding another name.
static void test_terms_cache(void) {
    reward_terms t;
    reward_terms_clear(&t);
    reward_term(&t, "a", 1); reward_term(&t, "b", 2);
    reward_terms_next(&t);
    reward_term(&t, "a", 3); reward_term(&t, "b", 4);
    CHECK(t.n == 2 && t.value[0] == 3 && t.value[1] == 4 && strcmp(t.name[1], "b") == 0);
    reward_terms_next(&t);
    reward_term(&t, "b", 5); reward_term(&t, "a", 6);     // other order
    CHECK(t.n == 2 && strcmp(t.name[0], "b") == 0 && t.value[0] == 5 && t.value[1] == 6);
    reward_terms_next(&t);
    reward_term(&t, "b", 7); reward_term(&t, "b", 8);     // repeated: overwrite, not a new one
    CHECK(t.n == 1 && t.value[0] == 8);
    char buf[8];
    reward_terms_next(&t);
    strcpy(buf, "b"); reward_term(&t, buf, 1);
    strcpy(buf, "c"); reward_term(&t, buf, 2);            // same pointer, another name
    CHECK(t.n == 2 && strcmp(t.name[0], "b") == 0 && strcmp(t.name[1], "c") == 0);
    strcpy(buf, "zz");                                    // names are copies, not borrowed
    CHECK(strcmp(t.name[1], "c") == 0);
    reward_terms_next(&t);
    reward_term(&t, "b", 1); reward_term(&t, NULL, 2);
    CHECK(t.n == 1 && t.bad_name == 1);
}

// buf: a mandatory maximum, sticky failures, printf, take.
static void test_buf(void) {
    buf b;
    buf_init(&b, 8);
    CHECK(buf_add(&b, "abc", 3) == ERR_OK && b.len == 3 && strcmp(b.p, "abc") == 0);
    CHECK(buf_printf(&b, "%d%s", 12, "de") == ERR_OK && strcmp(b.p, "abc12de") == 0);
    CHECK(buf_add(&b, "x", 1) == ERR_OK && b.len == 8);          // exactly max
    CHECK(buf_add(&b, "y", 1) == ERR_LIMIT && b.len == 8);       // past max: nothing added
    CHECK(buf_printf(&b, "z") == ERR_LIMIT && b.failed == ERR_LIMIT);
    char *t = buf_take(&b);
    CHECK(t && strcmp(t, "abc12dex") == 0 && b.p == NULL && b.len == 0 && b.failed == ERR_OK);
    free(t);
    t = buf_take(&b);                                             // nothing added: ""
    CHECK(t && t[0] == '\0');
    free(t);
    buf_init(&b, 4);
    CHECK(buf_printf(&b, "%s", "toolong") == ERR_LIMIT && b.len == 0);
    CHECK(buf_add(&b, "ok", 2) == ERR_LIMIT);                     // sticky
    buf_free(&b);
}

static void test_cli(void) {
    const char *task = NULL, *pos[2];
    long steps = 0; double lr = 0; int quiet = 0, np = 0, help = 0;
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "", 0, 0}, {"--steps", CLI_LONG, &steps, "", 1, 1e12},
        {"--lr", CLI_DOUBLE, &lr, "", 1e-9, 1}, {"--quiet", CLI_BOOL, &quiet, "", 0, 0},
    };
    char *argv[] = {"x", "--task", "reorient", "--steps=2M", "file.c", "--lr", "3e-4", "--quiet"};
    err_info e;
    CHECK(cli_parse(8, argv, flags, 4, pos, 2, &np, &help, &e) == ERR_OK);
    CHECK(task && strcmp(task, "reorient") == 0 && steps == 2000000 && lr == 3e-4 && quiet == 1);
    CHECK(np == 1 && strcmp(pos[0], "file.c") == 0 && help == 0);
    char *bad[] = {"x", "--steps", "many"};
    CHECK(cli_parse(3, bad, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--steps");
    char *unk[] = {"x", "--nope"};
    CHECK(cli_parse(2, unk, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE);
    char *miss[] = {"x", "--task"};
    CHECK(cli_parse(2, miss, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE);
    // Every malformed or out-of-range number names the flag and its range.
    const char *bad_steps[] = {"0", "-5", "12abc", "1e400", "99999999999999999999999", "2.5", "nan", ""};
    for (size_t i = 0; i < sizeof bad_steps / sizeof bad_steps[0]; i++) {
        char *a[] = {"x", "--steps", (char *)bad_steps[i]};
        CHECK_MSG(cli_parse(3, a, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE, "--steps '%s'", bad_steps[i]);
        CHECK_STR_CONTAINS(e.msg, "--steps");
        CHECK_STR_CONTAINS(e.msg, "1..1000000000000");
    }
    char *lr_bad[] = {"x", "--lr=2"};
    CHECK(cli_parse(2, lr_bad, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "from 1e-09 to 1");
    char *near[] = {"x", "--stesp", "5"};
    CHECK(cli_parse(3, near, flags, 4, pos, 2, &np, &help, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "did you mean --steps?");
    int n = 0;
    cli_flag norange[] = {{"--n", CLI_INT, &n, "", 0, 0}};
    char *nr[] = {"x", "--n", "3"};
    CHECK(cli_parse(3, nr, norange, 1, pos, 2, &np, &help, &e) == ERR_INTERNAL);
}

static void test_suggest(void) {
    const char *cmds[] = {"tasks", "search", "train", "show", "runs"};
    CHECK(suggest_distance("serach", "search") == 1 && suggest_distance("abc", "abc") == 0);
    CHECK(suggest_distance("", "abc") == 3 && suggest_distance("kitten", "sitting") == 3);
    CHECK(suggest_nearest("serach", cmds, 5) == 1);
    CHECK(suggest_nearest("shwo", cmds, 5) == 3);
    CHECK(suggest_nearest("xyzzy", cmds, 5) == -1);
    CHECK(suggest_nearest("show", cmds, 5) == -1);         // a name itself: nothing to suggest
    char buf[64];
    const char *env = "/* pole_angel in a comment */ typedef struct s { double pole_angle; double x[3]; } s;";
    CHECK(strcmp(suggest_ident("pole_angel", env, NULL, NULL, buf, sizeof buf), "pole_angle") == 0);
    CHECK(suggest_ident("zzz", env, NULL, NULL, buf, sizeof buf)[0] == '\0');
}

// Binary records: values come back as written; a read past the end or out of range fails,
// stays failed and yields zeros.
static void test_ser(void) {
    buf b;
    buf_init(&b, 64);
    ser_put_i64(&b, -5);
    ser_put_u64(&b, 0xfedcba9876543210ULL);
    ser_put_f64(&b, 0.1);
    ser_put(&b, "abc", 3);
    CHECK(!b.failed && b.len == 27);
    ser_reader r;
    ser_reader_init(&r, b.p, b.len);
    CHECK(ser_get_i64(&r) == -5 && ser_get_u64(&r) == 0xfedcba9876543210ULL && ser_get_f64(&r) == 0.1);
    char s[4] = "xyz";
    ser_get(&r, s, 3);
    CHECK(!memcmp(s, "abc", 3) && !r.failed && r.pos == r.len);
    CHECK(ser_get_i64(&r) == 0 && r.failed);
    ser_reader_init(&r, b.p, b.len);
    CHECK(ser_get_range(&r, 0, 10) == 0 && r.failed);       // -5 is out of range
    CHECK(ser_get_u64(&r) == 0);                            // and the failure sticks
    ser_reader_init(&r, b.p, 4);
    CHECK(ser_get_i64(&r) == 0 && r.failed);
    CHECK(ser_hash("a", 1) != ser_hash("b", 1) && ser_hash("", 0) == 0xcbf29ce484222325ULL);
    for (int i = 0; i < 10; i++) ser_put_i64(&b, i);        // past the buf's cap
    CHECK(b.failed == ERR_LIMIT);
    buf_free(&b);
}

int main(void) {
    TEST_RUN(test_err);
    TEST_RUN(test_fs);
    TEST_RUN(test_rng);
    TEST_RUN(test_terms);
    TEST_RUN(test_terms_cache);
    TEST_RUN(test_buf);
    TEST_RUN(test_ser);
    TEST_RUN(test_cli);
    TEST_RUN(test_suggest);
    TEST_END();
}
