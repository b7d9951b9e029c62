// expect: compile_error
// message: '#line' is not allowed
#line 1000 "elsewhere.c"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
