// expect: compile_error
// message: _Pragma is not allowed
_Pragma("comment(option, \"-lc\")")
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
