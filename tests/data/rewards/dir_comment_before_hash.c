// expect: compile_error
// message: reward.c:4: #include is not allowed
// A comment is one space: the '#' still starts the line for the compiler.
/**/#include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
