// expect: compile_error
// message: reward.c:4: compute_reward must be: double compute_reward(const env_state *s, reward_terms *t)
// Without const the reward could write the state it is given.
double compute_reward(env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
