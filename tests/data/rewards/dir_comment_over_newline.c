// expect: compile_error
// message: reward.c:4: #include is not allowed
// The comment is one space, so its line break does not end the directive.
# /*
*/ include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
