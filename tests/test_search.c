// test_search.c: small real searches on cartpole (offline mutator and the loopback mock
// server), through the real sandbox: run directory contents, the Markovian context,
// resume of a finished run without re-training, the re-check of the iteration winners,
// the elitist context after a regression, and the retry when every candidate fails.
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fs.h"
#include "search/search.h"
#include "viz/report.h"
#include "testlib.h"

#ifndef TOOL_mock_llm_server
#define TOOL_mock_llm_server "./mock_llm_server"   // tests run in the build directory
#endif

static char tmp[] = "/tmp/eureka_search_XXXXXX";

static void small_cfg(search_cfg *c, const char *out) {
    search_cfg_default(c);
    c->task = task_find("cartpole");
    c->llm.backend = "offline";
    c->iterations = 2;
    c->samples = 2;
    c->jobs = 2;
    c->threads = 1;
    c->train_steps = 8000;
    c->eval_seeds = 1;
    c->timeout_s = 60;
    c->out = out;
}

static int count_in(const char *path, const char *needle) {
    char *s = fs_read(path, 1 << 24, NULL, NULL);
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, needle)); p += strlen(needle)) n++;
    free(s);
    return n;
}

static void test_offline_search(void) {
    char out[512], p[600];
    snprintf(out, sizeof out, "%s/offline", tmp);
    search_cfg c;
    small_cfg(&c, out);
    search_summary s;
    err_info e = {0};
    int rc = search_run(&c, &s, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    CHECK(s.candidates == 4);
    CHECK(s.best_iteration >= 1 && s.best_path[0]);
    CHECK(s.eval_n == 1);
    const char *files[] = {"run.json", "events.jsonl", "messages.json", "llm.jsonl", "best.c",
                           "summary.json", "iter01/sample00/response.md", "iter01/sample00/reward.c",
                           "iter01/sample00/compile.log", "iter01/sample00/train.json",
                           "iter01/sample00/feedback.txt", "iter01/sample00/status.json",
                           "iter02/sample01/status.json", "eval/seed01/train.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", out, files[i]);
        CHECK_MSG(fs_exists(p), "missing %s", files[i]);
    }
    // Iteration 2 was asked with [system, user, assistant(best of 1), user(reflection)].
    cJSON *m = run_read_json(out, "messages.json", &e);
    CHECK(m && cJSON_GetArraySize(m) == 2);
    cJSON *second = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "messages");
    CHECK(cJSON_GetArraySize(second) == 4);
    const char *asst = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(second, 2), "content"));
    const char *refl = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(second, 3), "content"));
    CHECK_STR_CONTAINS(refl, "task_score: [");
    CHECK_STR_CONTAINS(refl, "episode_lengths: [");
    cJSON *ev_best = NULL;
    // The assistant turn is the reply of iteration 1's best sample.
    int b0 = 0;
    {
        cJSON *st0 = run_read_json(out, "iter01/sample00/status.json", &e);
        cJSON *st1 = run_read_json(out, "iter01/sample01/status.json", &e);
        double f0 = cJSON_GetObjectItem(st0, "fitness")->valuedouble;
        double f1 = cJSON_GetObjectItem(st1, "fitness")->valuedouble;
        b0 = f1 > f0 ? 1 : 0;
        cJSON_Delete(st0);
        cJSON_Delete(st1);
    }
    char rel[64];
    snprintf(rel, sizeof rel, "iter01/sample%02d/response.md", b0);
    char *resp = run_read_text(out, rel, 1 << 20, &e);
    CHECK(resp && asst && strcmp(resp, asst) == 0);
    free(resp);
    cJSON_Delete(ev_best);
    cJSON_Delete(m);
    // best.c is the overall best candidate's reward.c.
    snprintf(rel, sizeof rel, "iter%02d/sample%02d/reward.c", s.best_iteration, s.best_sample);
    char *a = run_read_text(out, rel, 1 << 20, &e), *b = run_read_text(out, "best.c", 1 << 20, &e);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);

    // Resuming a finished run re-trains nothing and ends with the same best.
    snprintf(p, sizeof p, "%s/events.jsonl", out);
    int trained = count_in(p, "\"sample_done\""), rechecked = count_in(p, "\"reused\":false");
    search_cfg r;
    search_cfg_default(&r);
    cJSON *hold = NULL;
    CHECK(search_resume_cfg(out, &r, &hold, &e) == ERR_OK);
    CHECK(r.task == c.task && r.samples == 2 && r.train_steps == 8000 && r.threads == 1);
    search_summary s2;
    rc = search_run(&r, &s2, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    cJSON_Delete(hold);
    CHECK(count_in(p, "\"sample_done\"") == trained);
    CHECK(s2.best_iteration == s.best_iteration && s2.best_sample == s.best_sample);
    CHECK(s2.best_fitness == s.best_fitness && s2.eval_mean == s.eval_mean);
    // The re-check ran (two distinct iteration winners) and the resume reused it.
    CHECK(count_in(p, "\"recheck\"") == 2);
    CHECK(rechecked > 0 && count_in(p, "\"reused\":false") == rechecked);
}

// The re-check: the two iteration winners trained again on fresh seeds, the pick on the
// mean of their two judged values; the final evaluation trains the pick and says so in
// eval/reward.c, and a resume retrains the evaluation when that is another reward.
static void test_recheck(void) {
    char out[512], p[600];
    snprintf(out, sizeof out, "%s/offline", tmp);     // the run test_offline_search left
    err_info e = {0};
    cJSON *bj = run_read_json(out, "best.json", &e);
    cJSON *fin = cJSON_GetObjectItem(bj, "finalists");
    CHECK_MSG(cJSON_GetArraySize(fin) == 2, "best.json: %s", e.msg);
    double top = -1;
    int ti = -1, ts = -1;
    cJSON *x;
    cJSON_ArrayForEach(x, fin) {
        int it = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "iteration"));
        int sa = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "sample"));
        double judged = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "judged"));
        double again = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "again"));
        double mean = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "mean"));
        CHECK(fabs(mean - 0.5 * (judged + again)) < 1e-12);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "seed")) == (double)search_recheck_seed(1, it, sa));
        // Its own training in final/, with the candidate's full budget.
        snprintf(p, sizeof p, "final/iter%02d_sample%02d/train.json", it, sa);
        cJSON *tr = run_read_json(out, p, &e);
        CHECK_MSG(tr != NULL, "%s: %s", p, e.msg);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(tr, "fitness_robust")) == again);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(tr, "steps")) >= 8000);
        cJSON_Delete(tr);
        if (mean > top) { top = mean; ti = it; ts = sa; }
    }
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(bj, "iteration")) == ti);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(bj, "sample")) == ts);
    cJSON_Delete(bj);
    char *best = run_read_text(out, "best.c", 1 << 20, &e), *evr = run_read_text(out, "eval/reward.c", 1 << 20, &e);
    CHECK(best && evr && strcmp(best, evr) == 0);
    free(evr);

    // A finished seed counts only for the reward it trained: with eval/reward.c naming
    // another, the resumed search trains the seed again (progress.csv comes back).
    snprintf(p, sizeof p, "%s/eval/seed01/progress.csv", out);
    CHECK(unlink(p) == 0);
    search_cfg r;
    cJSON *hold = NULL;
    search_summary s;
    search_cfg_default(&r);
    CHECK(search_resume_cfg(out, &r, &hold, &e) == ERR_OK);
    CHECK(search_run(&r, &s, &e) == ERR_OK);
    cJSON_Delete(hold);
    CHECK(!fs_exists(p));                           // kept: same reward, verified
    CHECK(run_write_text(out, "eval/reward.c", "float compute_reward(void) { return 0; }\n", &e) == ERR_OK);
    search_cfg_default(&r);
    CHECK(search_resume_cfg(out, &r, &hold, &e) == ERR_OK);
    double before = s.eval_mean;
    CHECK(search_run(&r, &s, &e) == ERR_OK);
    cJSON_Delete(hold);
    CHECK(fs_exists(p));                            // trained again
    CHECK(s.eval_mean == before);                   // the same seed, the same reward: the same bits
    evr = run_read_text(out, "eval/reward.c", 1 << 20, &e);
    CHECK(best && evr && strcmp(best, evr) == 0);
    free(evr);
    free(best);

    // A stop ends a resume's walk over finished iterations, before anything is verified.
    volatile sig_atomic_t stop = 1;
    search_cfg_default(&r);
    CHECK(search_resume_cfg(out, &r, &hold, &e) == ERR_OK);
    r.stop = &stop;
    snprintf(p, sizeof p, "%s/events.jsonl", out);
    int walked = count_in(p, "\"iteration_start\"");
    CHECK(search_run(&r, &s, &e) == ERR_INTERRUPTED);
    CHECK(count_in(p, "\"iteration_start\"") == walked);
    CHECK_STR_CONTAINS(e.msg, "eureka search --resume");
    cJSON_Delete(hold);

    // --finalists 0: no re-check, the best is the highest judged value.
    snprintf(out, sizeof out, "%s/no_recheck", tmp);
    search_cfg c;
    small_cfg(&c, out);
    c.finalists = 0;
    c.eval_seeds = 0;
    CHECK(search_run(&c, &s, &e) == ERR_OK);
    snprintf(p, sizeof p, "%s/final", out);
    CHECK(!fs_exists(p));
    bj = run_read_json(out, "best.json", &e);
    CHECK(bj && !cJSON_GetObjectItem(bj, "finalists"));
    cJSON_Delete(bj);
    c.finalists = 9;
    CHECK(search_run(&c, &s, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--finalists 9");
}

// Start tests/tools/mock_llm_server serving replies from dir; returns its pid.
static pid_t start_mock(const char *dir, int *port) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        execl(TOOL_mock_llm_server, "mock_llm_server", "--port", "0", "--replies", dir,
              "--lifetime", "300", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[32] = "";
    ssize_t n = read(fd[0], buf, sizeof buf - 1);
    close(fd[0]);
    *port = n > 0 ? atoi(buf) : 0;
    return pid;
}

// Run search c against the mock server answering from the replies in dir (then stopped).
static int mock_search(const char *dir, search_cfg *c, search_summary *s, err_info *e) {
    int port = 0;
    pid_t pid = start_mock(dir, &port);
    CHECK(pid > 0 && port > 0);
    if (pid <= 0 || port <= 0) return err_set(e, ERR_RUNTIME, "the mock server did not start");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", port);
    setenv("OPENAI_API_KEY", "sk-test", 1);
    c->llm.backend = "openai";
    c->llm.model = "mock";
    c->llm.base_url = url;
    int rc = search_run(c, s, e);
    c->llm.base_url = NULL;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return rc;
}

// Elitist context: iteration 2's only reward (it rewards the pole for falling) is worse
// than iteration 1's, so iteration 3 is asked from iteration 1's reply and feedback, and
// the request says what iteration 2 tried: it is not iteration 2's request again.
static void test_elitist_regressed(void) {
    char out[512];
    snprintf(out, sizeof out, "%s/regress", tmp);
    search_cfg c;
    small_cfg(&c, out);
    c.samples = 1;
    c.iterations = 3;
    c.eval_seeds = 0;
    search_summary s;
    err_info e = {0};
    int rc = mock_search(EUREKA_TEST_DATA "/search/replies_regress", &c, &s, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    char p[600];
    snprintf(p, sizeof p, "%s/events.jsonl", out);
    CHECK(count_in(p, "\"elitist_context\"") == 1);
    cJSON *m = run_read_json(out, "messages.json", &e);
    CHECK(cJSON_GetArraySize(m) == 3);
    cJSON *m2 = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "messages");
    cJSON *m3 = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 2), "messages");
    const char *a2 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(m2, 2), "content"));
    const char *a3 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(m3, 2), "content"));
    const char *f2 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(m2, 3), "content"));
    const char *f3 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(m3, 3), "content"));
    char *r1 = run_read_text(out, "iter01/sample00/response.md", 1 << 20, &e);
    CHECK(a2 && a3 && r1 && strcmp(a2, r1) == 0 && strcmp(a3, r1) == 0);   // the best so far, twice
    // Iteration 3's feedback is iteration 1's, then what iteration 2 tried.
    CHECK(f2 && f3 && strncmp(f3, f2, strlen(f2)) == 0 && strlen(f3) > strlen(f2));
    CHECK_STR_CONTAINS(f3, "None of the reward functions of round 2");
    CHECK_STR_CONTAINS(f3, "- reward 0: task score");
    CHECK_STR_CONTAINS(f3, "components: lean");
    free(r1);
    cJSON_Delete(m);
    // The report shows what iteration 3 was sent, as the elitist context's.
    CHECK_MSG(report_write(out, NULL, 0, &e) == ERR_OK, "%s", e.msg);
    char *html = run_read_text(out, "report.html", 1 << 24, &e);
    CHECK_STR_CONTAINS(html, "reflection sent to the LLM for iteration 3 (messages.json): the elitist context");
    CHECK_STR_CONTAINS(html, "None of the reward functions of round 2");
    free(html);
}

static void test_all_failed_retry(void) {
    char out[512];
    snprintf(out, sizeof out, "%s/broken", tmp);
    search_cfg c;
    small_cfg(&c, out);
    c.iterations = 1;
    c.retries = 1;
    search_summary s;
    err_info e = {0};
    int rc = mock_search(EUREKA_TEST_DATA "/search/replies_broken", &c, &s, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    CHECK(s.candidates == 4 && s.failures == 4 && s.best_iteration == 0 && !s.best_path[0]);
    char p[600];
    snprintf(p, sizeof p, "%s/events.jsonl", out);
    CHECK(count_in(p, "\"all_failed_retry\"") == 1);
    CHECK(count_in(p, "\"all_failed\"") == 1);
    // The retry was asked with the error of the most informative failure (the crash ran
    // further than the compile error), as the last user message.
    cJSON *m = run_read_json(out, "messages.json", &e);
    CHECK(m && cJSON_GetArraySize(m) == 2);
    cJSON *retry = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "messages");
    const char *last = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(retry, 3), "content"));
    CHECK_STR_CONTAINS(last, "crash");
    const char *asst = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(retry, 2), "content"));
    CHECK_STR_CONTAINS(asst, "weights[s->step]");
    cJSON_Delete(m);
    cJSON *st = run_read_json(out, "iter01/sample00/status.json", &e);
    CHECK(st && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(st, "status")), "compile_error") == 0);
    CHECK_STR_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(st, "message")), "reward.c:");
    cJSON_Delete(st);
    // Retry samples continue the numbering: sample02, sample03.
    CHECK(run_has(out, "iter01/sample03/status.json"));
    char *fb = run_read_text(out, "iter01/sample00/feedback.txt", 1 << 20, &e);
    CHECK_STR_CONTAINS(fb, "angle_distance");
    free(fb);
}

static int asked;

static char *canned_feedback(void *ctx, int iteration, const char *reflection) {
    (void)ctx;
    asked++;
    CHECK_STR_CONTAINS(reflection, "task_score: [");
    char *s = malloc(64);
    snprintf(s, 64, "keep the cart near the centre (iteration %d)", iteration);
    return s;
}

// --init-human seeds iteration 1 with the human reward; --feedback replaces the
// reflection with a person's text, kept in the run for resume.
static void test_init_human_and_feedback(void) {
    char out[512];
    snprintf(out, sizeof out, "%s/human", tmp);
    search_cfg c;
    small_cfg(&c, out);
    c.init_human = 1;
    c.human_feedback = 1;
    c.ask_feedback = canned_feedback;
    c.eval_seeds = 0;
    search_summary s;
    err_info e = {0};
    int rc = search_run(&c, &s, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    CHECK(asked == 2);
    CHECK(run_has(out, "iter00/sample00/train.json"));
    CHECK(s.best_iteration >= 1);   // the human reward is the start, not a candidate
    cJSON *m = run_read_json(out, "messages.json", &e);
    cJSON *first = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "messages");
    CHECK(cJSON_GetArraySize(first) == 4);
    char path[600];
    snprintf(path, sizeof path, "%s/rewards/cartpole_human.c", fs_root());
    char *human = fs_read(path, 1 << 20, NULL, &e);
    const char *asst = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(first, 2), "content"));
    CHECK(human && asst && strstr(asst, human) != NULL);
    free(human);
    cJSON *second = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "messages");
    const char *last = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(second, 3), "content"));
    CHECK_STR_CONTAINS(last, "keep the cart near the centre (iteration 1)");
    cJSON_Delete(m);
    char *kept = run_read_text(out, "iter01/human_feedback.txt", 1000, &e);
    CHECK_STR_CONTAINS(kept, "(iteration 1)");
    free(kept);
    // Resume: the stored feedback is reused, nobody is asked again.
    search_cfg r;
    search_cfg_default(&r);
    cJSON *hold = NULL;
    CHECK(search_resume_cfg(out, &r, &hold, &e) == ERR_OK);
    CHECK(r.init_human && r.human_feedback);
    r.ask_feedback = canned_feedback;
    rc = search_run(&r, &s, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    CHECK(asked == 2);
    cJSON_Delete(hold);
}

static void test_seeds(void) {
    CHECK(search_candidate_seed(1, 1, 0) != search_candidate_seed(1, 1, 1));
    CHECK(search_candidate_seed(1, 1, 0) != search_candidate_seed(1, 2, 0));
    CHECK(search_candidate_seed(1, 1, 0) != search_candidate_seed(2, 1, 0));
    CHECK(search_candidate_seed(7, 3, 5) == search_candidate_seed(7, 3, 5));
    CHECK(search_candidate_seed(7, 3, 5) < (1ull << 53));
    // The run seed goes through run.json: every seed up to SEARCH_SEED_MAX comes back
    // exactly, and the next digit would not (why the bound is not 2^53).
    const double seeds[] = {(double)SEARCH_SEED_MAX, (double)SEARCH_SEED_MAX - 1, 123456789012345, 9007199254740991.0};
    for (int i = 0; i < 4; i++) {
        cJSON *n = cJSON_CreateNumber(seeds[i]);
        char *t = cJSON_PrintUnformatted(n);
        cJSON *back = cJSON_Parse(t);
        CHECK(back && (back->valuedouble == seeds[i]) == (i < 3));
        cJSON_Delete(back);
        free(t);
        cJSON_Delete(n);
    }
    // Every candidate seed comes back exactly from a JSON file (jobs and records carry
    // it so), including those cJSON would print 1 off if they were not rounded first.
    for (uint64_t run = 1; run <= 5; run++)
        for (int it = 1; it <= 4; it++)
            for (int sa = 0; sa < 8; sa++) {
                uint64_t s = search_candidate_seed(run, it, sa);
                cJSON *n = cJSON_CreateNumber((double)s);
                char *t = cJSON_PrintUnformatted(n);
                cJSON *back = cJSON_Parse(t);
                CHECK_MSG(back && back->valuedouble == (double)s, "seed %llu printed as %s", (unsigned long long)s, t);
                cJSON_Delete(back);
                free(t);
                cJSON_Delete(n);
            }
    // Its raw stream gives 8599213649712569; the headline search with --seed 1 trained
    // iter02/sample00 with what its records hold.
    CHECK(search_candidate_seed(1, 2, 0) == 8599213649712570ull);
    // A re-check's seed is no candidate's of any iteration.
    for (int it = 0; it <= 99; it++)
        CHECK(search_recheck_seed(1, 2, 3) != search_candidate_seed(1, it, 3));
}

// --first-cut goes through run.json: a resume ranks the first rung as the run began;
// a run from before the flag (no "first_cut") on the graded fitness, as it ran; an edited
// value stops the resume with the key named.
static void test_first_cut_resume(void) {
    const char *docs[] = {"{\"task\": \"cartpole\", \"first_cut\": \"success\"}",
                          "{\"task\": \"cartpole\", \"first_cut\": \"graded\"}", "{\"task\": \"cartpole\"}",
                          "{\"task\": \"cartpole\", \"first_cut\": \"best\"}"};
    const int want[] = {1, 0, 0, -1};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/first_cut", tmp);
    err_info e = {0};
    CHECK(fs_mkdirs(dir, &e) == ERR_OK);
    for (int i = 0; i < 4; i++) {
        CHECK(run_write_text(dir, "run.json", docs[i], &e) == ERR_OK);
        search_cfg r;
        search_cfg_default(&r);
        cJSON *hold = NULL;
        int rc = search_resume_cfg(dir, &r, &hold, &e);
        if (want[i] < 0) {
            CHECK(rc == ERR_PARSE);
            CHECK_STR_CONTAINS(e.msg, "first_cut");
        } else {
            CHECK_MSG(rc == ERR_OK && r.first_cut_success == want[i], "%s: rc %d, %s", docs[i], rc, e.msg);
        }
        cJSON_Delete(hold);
    }
}

static void test_bad_cfg(void) {
    search_cfg c;
    small_cfg(&c, NULL);
    c.samples = 0;
    search_summary s;
    err_info e = {0};
    CHECK(search_run(&c, &s, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--samples");
    small_cfg(&c, "/tmp");
    c.resume = "/nonexistent-run";
    CHECK(search_run(&c, &s, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "run.json");
}

int main(void) {
    if (!mkdtemp(tmp)) { perror("mkdtemp"); return 1; }
    TEST_RUN(test_seeds);
    TEST_RUN(test_bad_cfg);
    TEST_RUN(test_first_cut_resume);
    TEST_RUN(test_offline_search);
    TEST_RUN(test_recheck);
    TEST_RUN(test_elitist_regressed);
    TEST_RUN(test_all_failed_retry);
    TEST_RUN(test_init_human_and_feedback);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (tl_failed == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    TEST_END();
}
