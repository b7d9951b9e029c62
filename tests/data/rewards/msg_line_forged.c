// expect: compile_error
// message: reward.c:4: the directive '#line' is not allowed
// A forged #line would make the next error blame prelude.h.
#line 20 "prelude.h"
double compute_reward(const env_state *s, reward_terms *t) { return nope; }
