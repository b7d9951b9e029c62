// expect: compile_error
// message: reward.c:3: compute_reward must not be static
static double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
