// expect: compile_error
// message: reward.c:5: #include is not allowed
// Reading /dev/stdin would block the compiler.
/*
*/ # include "/dev/stdin"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
