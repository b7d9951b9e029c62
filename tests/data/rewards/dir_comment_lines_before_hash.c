// expect: compile_error
// message: reward.c:4: #include is not allowed
/* a comment over
   two lines */ #include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
