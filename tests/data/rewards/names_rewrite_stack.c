// expect: bad_reward
// message: component name that term() would not accept
// The check's own statistics keep each component name on the stack above the reward.
// From the second call on, the reward finds that copy (not the one inside its own
// reward_terms: the first match at or after t) and turns it into a terminal escape
// sequence. The parent sanitises every string from the worker and accepts only names
// term() would accept.
static int is_name(const unsigned char *q) {
    return q[0] == 'u' && q[1] == 'p' && q[2] == 'r' && q[3] == 'i' && q[6] == 't' && q[7] == 0;
}
// The top of the stack: the worker's path (eureka-worker, or the test suite's
// eureka_worker_test), its NUL and eight zero bytes that end the mapping on a page
// boundary. On the first call there is no copy yet, and the kernel places the top a
// random few KiB away, so the scan must stop there, not after a fixed length.
static int ends_stack(const unsigned char *q, const char *name) {
    int m = 0;
    while (name[m] && q[m] == (unsigned char)name[m]) m++;
    if (name[m]) return 0;
    for (int z = 0; z <= 8; z++)
        if (q[m + z] != 0) return 0;
    return ((unsigned long)(q + m + 9) & 4095) == 0;
}
static int is_top(const unsigned char *q) {
    return ends_stack(q, "eureka-worker") || ends_stack(q, "eureka_worker_test");
}
double compute_reward(const env_state *s, reward_terms *t) {
    double r = term(t, "upright", cos(s->pole_angle));
    volatile unsigned char here = 0;
    unsigned char *p = (unsigned char *)&here;
    unsigned char *own = (unsigned char *)t;
    while (!is_name(own)) own++;
    for (long i = 0; i < (1L << 20); i++) {
        unsigned char *q = p + i;
        if (is_top(q)) break;  // scanning on would run off the stack (a crash, not the attack)
        if (q != own && is_name(q)) {
            q[0] = 0x1b; q[1] = ']'; q[2] = '0'; q[3] = ';';
            break;
        }
    }
    return r;
}
