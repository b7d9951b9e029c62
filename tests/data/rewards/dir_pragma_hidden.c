// expect: compile_error
// message: reward.c:3: #pragma is not allowed
/**/ # /**/ pragma comment(option, "-nostdlib=0")
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
