// expect: compile_error
// message: reward.c:3: the directive '#line' is not allowed
/**/#\
line 1 "prelude.h"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
