// expect: compile_error
// message: 'open' is not available to rewards
int open(const char *path, int flags, ...);
double compute_reward(const env_state *s, reward_terms *t) {
    int fd = open("/etc/passwd", 0);
    return term(t, "x", (double)fd);
}
