// expect: compile_error
// message: reward.c:5: #include is not allowed
// A lone carriage return ends a line (as gcc reads it).
static const double k = 1.0;#include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
