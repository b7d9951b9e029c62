// expect: compile_error
// message: reward.c:3: the name '_etext' is reserved
static const int _etext = 1;
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
