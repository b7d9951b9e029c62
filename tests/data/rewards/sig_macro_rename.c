// expect: compile_error
// message: reward.c defines no compute_reward
// The macro renames the definition: nothing called compute_reward is left.
#define compute_reward not_the_reward
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
