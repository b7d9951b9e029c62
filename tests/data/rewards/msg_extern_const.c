// expect: compile_error
// message: reward.c:4: 'extern' variable 'environ'
// const all the way down is still the host's variable.
extern char *const *const environ;
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
