// expect: compile_error
// message: reward.c:5: compute_reward must be: double compute_reward(const env_state *s, reward_terms *t)
// A data object named compute_reward and a macro at the end that would make a
// signature check placed after the candidate look at a real function instead.
static const unsigned char compute_reward[] = {0xc3};
double real_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
#define compute_reward real_reward
