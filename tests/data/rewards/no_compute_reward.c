// expect: compile_error
// message: defines no compute_reward
double reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
