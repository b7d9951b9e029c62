// expect: compile_error
// message: reward.c:4: #include is not allowed
// A backslash before CR LF joins the lines too.
#inc\
lude "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
