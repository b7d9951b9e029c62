// expect: ok
// A splice continues the // comment over the next line: for the compiler too, the
// #include is inside the comment, so nothing is included and the reward compiles.
// a comment \
#include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
