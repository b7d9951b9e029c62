// expect: compile_error
// message: global variable 'cursor' is mutable
static const double table[2] = {1, 2};
const double *cursor = table;
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", *cursor++ * s->cart_pos); }
