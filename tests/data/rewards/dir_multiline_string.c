// expect: compile_error
// message: reward.c:4: unterminated string literal
// libtcc accepts a raw line break inside a string; the filter does not.
static const char *const s = "a
#include "/etc/passwd"
";
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
