// expect: compile_error
// message: reward.c:4: a backslash followed by blanks
// gcc joins the next line into this comment, libtcc does not: refused.
// harmless comment \ 
#include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
