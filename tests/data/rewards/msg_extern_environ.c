// expect: compile_error
// message: reward.c:3: 'extern' variable 'environ'
extern char **environ;
double compute_reward(const env_state *s, reward_terms *t) {
    return term(t, "x", environ[0][0]);
}
